"""A level the demo replay certainly crosses upward, from the replay data itself: halfway into
the first jump to a new high after tick 5. The price crosses it again later within the first
60 ticks (ten replayed minutes), so a once-only alert must stay quiet the second time."""

from __future__ import annotations

import itertools

from tui_market.models import Tick
from tui_market.providers.replay import ReplayQuoteStream

SYMBOL = "NASDAQ:AAPL"
TICKS = 60


async def replay_prices(n: int = TICKS, symbol: str = SYMBOL) -> list[float]:
    """The first ``n`` replayed prices of ``symbol`` (the same whatever the start time)."""
    stream = ReplayQuoteStream(speed=None)
    await stream.set_symbols({symbol})
    prices: list[float] = []
    async for event in stream.events():
        if isinstance(event, Tick):
            prices.append(event.price)
            if len(prices) >= n:
                break
    await stream.close()
    return prices


def crossing_level(prices: list[float]) -> float:
    for i in range(5, len(prices)):
        high = max(prices[:i])
        if prices[i] - high >= 0.02:
            level = round((high + prices[i]) / 2, 3)
            later = prices[i + 1 :]
            assert any(a < level <= b for a, b in itertools.pairwise(later)), "crossed again"
            return level
    raise AssertionError("no new high in the replay data")


def close_crossing_level(
    prices: list[float], ticks_per_minute: int, minutes: int, span: int = 3
) -> float:
    """A level that a ``span``-minute bar's close crosses upward from the bar before it within
    ``minutes`` replayed minutes, whichever minute of the ``span`` the replay starts in (the
    watch's start time decides that)."""
    rising_by_phase = []
    for phase in range(span):
        # minute m of the replay is in bar (m + phase) // span; only bars that end in time
        bars: dict[int, list[float]] = {}
        for i, price in enumerate(prices[: minutes * ticks_per_minute]):
            bars.setdefault((i // ticks_per_minute + phase) // span, []).append(price)
        ends = {k: (k + 1) * span - phase for k in bars}  # the minute each bar ends at
        whole = [bars[k] for k in sorted(bars) if ends[k] <= minutes - 1]
        rising, before = [], whole[0][-1]  # not the first bar: its open is timing's
        for bar in whole[1:]:
            if bar[-1] > before:
                rising.append((before, bar[-1]))  # crossed by any level in [before, close)
            before = bar[-1]
        rising_by_phase.append(rising)
    edges = sorted({p for rising in rising_by_phase for span_ in rising for p in span_})
    for low, high in itertools.pairwise(edges):
        level = round((low + high) / 2, 6)
        if all(any(a <= level < b for a, b in rising) for rising in rising_by_phase):
            return level
    raise AssertionError("no level crossed by a 3m close at every phase")
