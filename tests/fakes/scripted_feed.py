"""A scripted, deterministic trade feed for live tests, and the history a server would give.

``ScriptedFeed`` holds the trades (one per symbol every ``step`` seconds of script time, prices
and cumulative volumes from a formula) and plays them into a ``FakeTradingViewServer``.
``ScriptHistory`` is an ``IDataProvider`` over the trades played so far: the bars TradingView's
history would return after an outage. It aggregates independently of ``BarManager`` (a dict
per period) and never suspends, so a backfill sees one consistent position.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass, field
from typing import Any

from tui_market.errors import SymbolNotFound
from tui_market.infrastructure.interfaces import IDataProvider
from tui_market.models import Bar, Interval, Tick


@dataclass
class ScriptedFeed:
    symbols: tuple[str, ...]
    start: int = 1_700_000_040  # a minute boundary
    step: int = 2
    count: int = 800
    # symbol -> seconds its feed is late (TradingView's delayed_streaming_900): its trades carry
    # their own times, that much behind the script's clock, as a delayed feed's lp_time does
    delays: dict[str, int] = field(default_factory=dict)
    position: float = field(init=False)  # script time (the stream's clock) of the latest step
    played: int = field(init=False, default=0)  # trades played (all symbols)

    def __post_init__(self) -> None:
        self.position = self.start - self.step
        n = len(self.symbols)
        volumes = [1000.0] * n  # cumulative: linear in ``count`` (long runs have thousands)
        self.ticks = []
        for k in range(self.count):
            for j in range(n):
                volumes[j] += 10 + (k * 7 + j * 3) % 13
                self.ticks.append(self._tick(k, j, volumes[j]))

    def _tick(self, k: int, j: int, volume: float) -> Tick:
        price = 100.0 * (j + 1) + 3.0 * math.sin(k / 9.0 + j) + ((k * 13 + j) % 7) * 0.05
        symbol = self.symbols[j]
        ts = float(self.start + k * self.step - self.delays.get(symbol, 0))
        return Tick(symbol, ts, round(price, 2), volume)

    def ticks_of(self, first: int, last: int) -> list[Tick]:
        """Trades of script steps ``first`` .. ``last - 1`` (all symbols, in order)."""
        n = len(self.symbols)
        return self.ticks[first * n : last * n]

    async def play(self, server: Any, first: int, last: int, every: float = 0.0) -> None:
        """Push steps ``first`` .. ``last - 1`` to ``server``; ``every`` seconds per step."""
        n = len(self.symbols)
        for index, tick in enumerate(self.ticks_of(first, last)):
            await server.push_quote(tick.symbol, tick.price, int(tick.ts), tick.volume)
            self.position = tick.ts + self.delays.get(tick.symbol, 0)
            self.played += 1
            if every and index % n == n - 1:
                await asyncio.sleep(every)

    def last_ts(self, last: int, symbol: str | None = None) -> float:
        """The trade time of step ``last - 1`` (of ``symbol``: a late feed's is earlier)."""
        return float(self.start + (last - 1) * self.step - self.delays.get(symbol or "", 0))


def aggregate(ticks: list[Tick], interval: Interval) -> list[Bar]:
    """Bars of ``ticks`` (one symbol): volume is the change of the cumulative volume between
    consecutive trades, the first trade adding none (the live service's policy)."""
    rows: dict[int, list[float]] = {}
    previous: float | None = None
    for tick in ticks:
        volume = 0.0 if previous is None or tick.volume is None else tick.volume - previous
        previous = tick.volume
        key = interval.floor(tick.ts)
        row = rows.get(key)
        if row is None:
            rows[key] = [tick.price, tick.price, tick.price, tick.price, volume]
        else:
            row[1], row[2] = max(row[1], tick.price), min(row[2], tick.price)
            row[3], row[4] = tick.price, row[4] + volume
    symbol = ticks[0].symbol if ticks else ""
    return [Bar.from_epoch(symbol, interval, t, *r) for t, r in sorted(rows.items())]


class ScriptHistory(IDataProvider):
    """History of the trades ``feed`` has played so far (the forming bar included)."""

    name = "script"

    def __init__(self, feed: ScriptedFeed) -> None:
        self.feed = feed
        self.calls = 0

    async def fetch_ohlcv(
        self, symbol: str, exchange: str, interval: Interval, n_bars: int
    ) -> list[Bar]:
        self.calls += 1
        full = f"{exchange}:{symbol}"
        if full not in self.feed.symbols:
            raise SymbolNotFound(f"{full}: not in the script")
        ticks = [t for t in self.feed.ticks[: self.feed.played] if t.symbol == full]
        return aggregate(ticks, interval)[-n_bars:] if n_bars > 0 else []

    async def close(self) -> None:
        return None
