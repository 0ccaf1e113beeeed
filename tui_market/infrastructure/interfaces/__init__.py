"""Interfaces the providers implement."""

from tui_market.infrastructure.interfaces.data_provider import IDataProvider
from tui_market.infrastructure.interfaces.quote_stream import (
    FeedState,
    FeedStatus,
    IQuoteStream,
    QuoteEvent,
    SymbolError,
)

__all__ = ["FeedState", "FeedStatus", "IDataProvider", "IQuoteStream", "QuoteEvent", "SymbolError"]
