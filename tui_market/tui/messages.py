"""Messages between screens, the palette and the app (attributes down, messages up).

Requests are posted by screens, key bindings and the command palette; the app routes them to
the Bus in workers. Facts are posted by the app to the active screen(s) with the results.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

from tui_market.infrastructure.interfaces import FeedState
from tui_market.models import Bar, Interval

if TYPE_CHECKING:
    from tui_market.queries.list_symbols import SymbolRow
    from tui_market.services.data_sync_service import SyncOutcome

__all__ = [
    "BarClosed",
    "BarsLoaded",
    "BarsRequested",
    "FeedStateChanged",
    "IntervalChosen",
    "OpenHistory",
    "SymbolAddRequested",
    "SymbolRemoveRequested",
    "SymbolSearchRequested",
    "SymbolSearchResults",
    "SyncAllRequested",
    "SyncCancelRequested",
    "SyncFailed",
    "SyncFinished",
    "SyncProgress",
    "SyncRequested",
    "SyncStarted",
    "WatchlistChanged",
]


# --- requests: posted by screens / palette, handled by the app -------------------------------


@dataclass
class SyncRequested(Message):
    """Sync one symbol's history for one interval."""

    symbol: str
    interval: Interval


@dataclass
class SyncAllRequested(Message):
    """Sync every watchlist symbol, one after another, for ``interval``."""

    interval: Interval


@dataclass
class SyncCancelRequested(Message):
    """Cancel the running sync-all."""


@dataclass
class BarsRequested(Message):
    """Load stored bars (oldest first) for a screen."""

    symbol: str
    interval: Interval
    last: int | None = None


@dataclass
class SymbolAddRequested(Message):
    """Add ``text`` (``EXCHANGE:TICKER``) to the watchlist."""

    text: str
    description: str = ""


@dataclass
class SymbolRemoveRequested(Message):
    """Remove a symbol from the watchlist (optionally with its stored bars)."""

    symbol: str
    drop_bars: bool = False


@dataclass
class OpenHistory(Message):
    """Switch to the History mode on ``symbol``."""

    symbol: str


@dataclass
class IntervalChosen(Message):
    """The user picked a new working interval."""

    interval: Interval


# --- facts: posted by the app to the screens (they do not bubble back up) ----------------------


@dataclass
class SyncStarted(Message, bubble=False):
    symbol: str
    interval: Interval


@dataclass
class SyncProgress(Message, bubble=False):
    done: int
    total: int
    symbol: str

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SyncProgress)


@dataclass
class SyncFinished(Message, bubble=False):
    outcomes: list[SyncOutcome]


@dataclass
class SyncFailed(Message, bubble=False):
    symbol: str
    interval: Interval
    message: str


@dataclass
class BarsLoaded(Message, bubble=False):
    symbol: str
    interval: Interval
    bars: list[Bar]


@dataclass
class WatchlistChanged(Message, bubble=False):
    rows: list[SymbolRow]

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, WatchlistChanged)


@dataclass
class FeedStateChanged(Message, bubble=False):
    state: FeedState

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, FeedStateChanged)


@dataclass
class BarClosed(Message, bubble=False):
    bar: Bar


# --- symbol search (the add dialog asks; the app answers the dialog) --------------------------


@dataclass
class SymbolSearchRequested(Message):
    """Search the provider for ``text`` (posted by the add dialog, debounced)."""

    text: str


@dataclass
class SymbolSearchResults(Message, bubble=False):
    """Search results for ``text``: ``[(EXCHANGE:TICKER, description)]``."""

    text: str
    results: list[tuple[str, str]]
    error: str = ""
