"""Pure data models (no I/O)."""

from tui_market.models.feed import FeedState, FeedStatus, QuoteEvent, SymbolError
from tui_market.models.interval import Interval
from tui_market.models.ohlcv import Bar
from tui_market.models.symbol import InvalidSymbol, SymbolRef
from tui_market.models.tick import Tick

__all__ = [
    "Bar",
    "FeedState",
    "FeedStatus",
    "Interval",
    "InvalidSymbol",
    "QuoteEvent",
    "SymbolError",
    "SymbolRef",
    "Tick",
]
