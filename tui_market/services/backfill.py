"""Fetch the bars a live series missed during a feed outage."""

from __future__ import annotations

from tui_market.infrastructure.interfaces import IDataProvider
from tui_market.models import Bar, Interval, SymbolRef

_MARGIN_BARS = 2


def bars_needed(interval: Interval, since: float, now: float) -> int:
    """How many of the newest bars cover ``[floor(since), now]`` with a small margin."""
    first = interval.floor(since)
    span = max(0.0, now - first)
    return int(span // interval.seconds) + 1 + _MARGIN_BARS


async def backfill_series(
    provider: IDataProvider, symbol: str, interval: Interval, since: float, now: float
) -> list[Bar]:
    """Bars of ``symbol`` opening at or after the bar that held ``since``, up to ``now``.

    Raises the provider's errors (``ProviderError`` and subclasses).
    """
    ref = SymbolRef.parse(symbol)
    n_bars = bars_needed(interval, since, now)
    bars = await provider.fetch_ohlcv(ref.ticker, ref.exchange, interval, n_bars)
    first = interval.floor(since)
    return [
        b if b.symbol == symbol else b.model_copy(update={"symbol": symbol})
        for b in bars
        if b.interval == interval and first <= b.epoch <= now
    ]
