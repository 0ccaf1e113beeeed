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
