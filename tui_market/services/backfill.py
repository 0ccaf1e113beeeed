"""Fetch the bars a live series missed: during a feed outage, or before it was watched."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from tui_market.errors import MarketError
from tui_market.infrastructure.interfaces import IDataProvider
from tui_market.managers.session_clock import UTC_CLOCK, BarClock
from tui_market.models import Bar, Interval, SymbolRef

log = logging.getLogger(__name__)

_MARGIN_BARS = 2


def bars_needed(interval: Interval, since: float, now: float) -> int:
    """How many of the newest bars cover ``[floor(since), now]`` with a small margin."""
    first = interval.floor(since)
    span = max(0.0, now - first)
    return int(span // interval.seconds) + 1 + _MARGIN_BARS


async def backfill_symbol(
    provider: IDataProvider,
    symbol: str,
    intervals: Sequence[Interval],
    since: float,
    now: float,
    clock: BarClock = UTC_CLOCK,
) -> tuple[list[Bar], list[str]]:
    """Every interval's bars of ``symbol`` since ``since`` (``backfill_series``), and one
    message per interval whose fetch failed (logged; the others are still returned)."""
    bars: list[Bar] = []
    failures: list[str] = []
    for interval in intervals:
        try:
            bars += await backfill_series(provider, symbol, interval, since, now, clock)
        except MarketError as exc:
            log.warning("backfill of %s %s failed: %s", symbol, interval.value, exc)
            failures.append(f"backfill {interval.value} failed: {exc}")
    return bars, failures


async def backfill_series(
    provider: IDataProvider,
    symbol: str,
    interval: Interval,
    since: float,
    now: float,
    clock: BarClock = UTC_CLOCK,
) -> list[Bar]:
    """Bars of ``symbol`` opening at or after the bar that held ``since`` on ``clock`` (the
    symbol's session: its bar may open before the UTC period's), up to ``now``.

    Raises the provider's errors (``ProviderError`` and subclasses).
    """
    ref = SymbolRef.parse(symbol)
    n_bars = bars_needed(interval, since, now)
    bars = await provider.fetch_ohlcv(ref.ticker, ref.exchange, interval, n_bars)
    first = min(interval.floor(since), clock.floor(interval, since))
    return [
        b if b.symbol == symbol else b.model_copy(update={"symbol": symbol})
        for b in bars
        if b.interval == interval and first <= b.epoch <= now
    ]
