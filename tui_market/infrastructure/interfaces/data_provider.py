"""History source interface (TradingView through tvDatafeed, or the offline replay)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any

from tui_market.models import Bar, Interval


class IDataProvider(ABC):
    """Fetches historical bars.

    Implementations raise ``SymbolNotFound``, ``ProviderUnavailable`` or ``ProviderError``
    (``tui_market.errors``), never a library's own exception.
    """

    name: str = "provider"

    @abstractmethod
    async def fetch_ohlcv(
        self, symbol: str, exchange: str, interval: Interval, n_bars: int
    ) -> list[Bar]:
        """Return up to ``n_bars`` most recent bars, oldest first, validated and in UTC."""

    async def symbol_metadata(self, symbol: str) -> Mapping[str, Any] | None:
        """What the provider says about ``EXCHANGE:TICKER`` (TradingView's ``symbol_resolved``
        fields plus ``update_mode``), unchecked: ``SymbolInfo.from_provider`` checks it.
        None when the provider has no metadata."""
        return None

    async def search(self, text: str) -> list[tuple[str, str]]:
        """Symbol search: ``[(EXCHANGE:TICKER, description)]``. Empty when unsupported."""
        return []

    @abstractmethod
    async def close(self) -> None:
        """Release connections."""
