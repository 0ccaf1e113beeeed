"""An in-memory IDataProvider: serves the bars a test gives it, or raises what it is told to.

A real implementation of the provider boundary (no network), not a mock of our own code.
"""

from __future__ import annotations

from tui_market.errors import ProviderError, SymbolNotFound
from tui_market.infrastructure.interfaces import IDataProvider
from tui_market.models import Bar, Interval


def make_bars(
    symbol: str, interval: Interval, count: int, start: int = 1_700_006_400, base: float = 100.0
) -> list[Bar]:
    """``count`` consecutive valid bars from epoch ``start``, prices rising by 0.5 per bar."""
    bars = []
    for i in range(count):
        close = base + i * 0.5
        bars.append(
            Bar.from_epoch(
                symbol,
                interval,
                start + i * interval.seconds,
                close - 0.25,
                close + 1.0,
                close - 1.0,
                close,
                1000.0 + i,
            )
        )
    return bars


class MemoryProvider(IDataProvider):
    name = "memory"

    def __init__(self) -> None:
        self.series: dict[tuple[str, Interval], list[Bar]] = {}
        self.failures: dict[str, ProviderError] = {}
        self.calls: list[tuple[str, str, Interval, int]] = []
        self.closed = False

    def set_bars(self, symbol: str, interval: Interval, bars: list[Bar]) -> None:
        self.series[(symbol, interval)] = list(bars)

    def fail(self, symbol: str, error: ProviderError | None) -> None:
        """Make fetches of ``symbol`` raise ``error`` (None: stop failing)."""
        if error is None:
            self.failures.pop(symbol, None)
        else:
            self.failures[symbol] = error

    async def fetch_ohlcv(
        self, symbol: str, exchange: str, interval: Interval, n_bars: int
    ) -> list[Bar]:
        self.calls.append((symbol, exchange, interval, n_bars))
        full = f"{exchange}:{symbol}"
        if full in self.failures:
            raise self.failures[full]
        bars = self.series.get((full, interval))
        if bars is None:
            raise SymbolNotFound(f"{full}: no such symbol")
        return sorted(bars, key=lambda b: b.time)[-n_bars:]

    async def close(self) -> None:
        self.closed = True
