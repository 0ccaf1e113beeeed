"""Offline demo providers: history and a time-accelerated tick stream from shipped real data.

``ReplayProvider`` serves history for any ``Interval`` by aggregating the stored 1m bars
(1D/1W/1M from the stored daily bars where a symbol has them). All times are shifted by a
whole number of weeks so that the last recorded bar closes just before "now": the demo feels
current and weekdays stay right. ``ReplayQuoteStream`` (in ``stream``) continues from
there. Data, provenance and licence: ``data`` and ``tools/README-data.md``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from tui_market.errors import ProviderError
from tui_market.infrastructure.interfaces import IDataProvider
from tui_market.managers.bar_align import aggregate
from tui_market.managers.session_clock import BarClock, clock_for
from tui_market.models import Bar, Interval
from tui_market.models.symbol_info import InvalidSymbolInfo, SymbolInfo
from tui_market.providers.replay.data import ReplayData, Row, shifted
from tui_market.providers.replay.metadata import demo_metadata

__all__ = ["ReplayProvider", "full_symbol"]

_CALENDAR = (Interval.D1, Interval.W1, Interval.MN1)


def _date(epoch: int) -> date:
    return datetime.fromtimestamp(epoch, UTC).date()


def full_symbol(symbol: str, exchange: str = "") -> str:
    """``("NDX", "NASDAQ")`` or ``("NASDAQ:NDX", "")`` -> ``"NASDAQ:NDX"``."""
    text = symbol.strip().upper()
    if ":" in text or not exchange.strip():
        return text
    return f"{exchange.strip().upper()}:{text}"


class ReplayProvider(IDataProvider):
    """History from the shipped demo data. ``now`` (epoch or callable) is injectable for tests."""

    name = "demo"

    def __init__(
        self, data: ReplayData | None = None, *, now: float | Callable[[], float] | None = None
    ) -> None:
        self.data = data if data is not None else ReplayData.load()
        if now is None:
            self._now: Callable[[], float] = time.time
        elif callable(now):
            self._now = now
        else:
            fixed = float(now)
            self._now = lambda: fixed

    def shift(self) -> int:
        """Seconds added to every recorded time (a whole number of weeks)."""
        return self.data.shift_for(self._now())

    def rows(self, symbol: str, interval: Interval) -> list[Row]:
        """Shifted, aggregated rows for ``symbol`` (``EXCHANGE:TICKER``), oldest first."""
        demo = self.data.get(symbol)
        source = demo.series.get(Interval.D1) if interval in _CALENDAR else None
        if source is None:
            source = demo.series.get(Interval.M1)
        if source is None:
            raise ProviderError(f"the demo data has no bars for {demo.symbol} at {interval}")
        rows = shifted(source.rows, self.shift())
        clock = self.clock(demo.symbol)
        if interval is source.interval and interval is Interval.M1:
            return rows
        if source.interval is Interval.D1:  # stored by date (00:00 UTC): to the session open
            rows = [(clock.day_open(_date(r[0])), *r[1:]) for r in rows]
            if interval is Interval.D1:
                return rows
        return aggregate(rows, interval, clock)

    def clock(self, symbol: str) -> BarClock:
        """The symbol's bar clock from the demo metadata (UTC when it has none)."""
        try:
            raw = self._metadata(symbol)
            return clock_for(SymbolInfo.from_provider(raw) if raw is not None else None)
        except InvalidSymbolInfo as exc:
            raise ProviderError(f"demo metadata of {symbol} is unusable: {exc}") from exc

    def _metadata(self, symbol: str) -> dict[str, Any] | None:
        raw = demo_metadata().get(symbol)
        if raw is None:
            return None
        # The demo moves recorded days by whole weeks, onto dates whose real holidays have
        # nothing to do with them: a holiday list would close sessions the data trades in.
        return {**raw, "session_holidays": ""}

    async def symbol_metadata(self, symbol: str) -> Mapping[str, Any] | None:
        name = full_symbol(symbol)
        self.data.get(name)  # SymbolNotFound for a symbol the demo does not have
        return self._metadata(name)

    async def fetch_ohlcv(
        self, symbol: str, exchange: str, interval: Interval, n_bars: int
    ) -> list[Bar]:
        name = full_symbol(symbol, exchange)
        rows = self.rows(name, interval)
        if n_bars <= 0:
            return []
        return [Bar.from_epoch(name, interval, *r) for r in rows[-n_bars:]]

    async def search(self, text: str) -> list[tuple[str, str]]:
        needle = text.strip().upper()
        return [
            (s.symbol, s.description)
            for s in self.data.symbols.values()
            if needle in s.symbol or needle in s.description.upper()
        ]

    async def close(self) -> None:
        """Nothing to release."""
