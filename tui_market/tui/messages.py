"""Every message of the TUI: requests go up to the app, facts come back to who asked.

A ``Request`` is routed by the app to a handler in a worker (``routes.ROUTES``); the handler's
answer (a fact) is posted to the request's ``asker``, the widget that posted it, or handled by
the app when nobody asked (a key on Symbols, the palette, the app itself). Navigation messages
(``ModeRequested``, ``OpenHistory``, ``IntervalChosen``) change app state, which flows back down
to the screens through ``data_bind``. High-rate facts replace an older queued one of their kind.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual.message import Message
from textual.message_pump import MessagePump
from textual.notifications import SeverityLevel

from tui_market.models import Bar, FeedState, Interval
from tui_market.models.alert import Alert, AlertFired, AlertKind
from tui_market.models.indicator import IndicatorSpec

if TYPE_CHECKING:
    from tui_market.jobs.sync_jobs import JobRun
    from tui_market.queries.list_symbols import SymbolRow
    from tui_market.runtime import Runtime
    from tui_market.services.data_sync_service import SyncOutcome


# --- requests: routed by the app (routes.py); answered to ``asker`` --------------------------


@dataclass
class Request(Message):
    """Work for the runtime. ``asker`` gets the answer; None: the app handles it."""

    asker: MessagePump | None = field(default=None, kw_only=True, repr=False, compare=False)

    def reply(self, fact: Message) -> bool:
        """Post ``fact`` to the asker; False when nobody asked (the caller handles it)."""
        if self.asker is None:
            return False
        self.asker.post_message(fact)
        return True


@dataclass
class BarsRequested(Request):
    """Stored bars of a series, oldest first (the newest ``last`` when given)."""

    symbol: str
    interval: Interval
    last: int | None = None


@dataclass
class SyncRequested(Request):
    """Sync one symbol's history for one interval."""

    symbol: str
    interval: Interval


@dataclass
class SyncAllRequested(Request):
    """Sync every watchlist symbol, one after another; setting ``cancel`` stops the run after
    the symbol in flight."""

    interval: Interval
    cancel: asyncio.Event = field(default_factory=asyncio.Event, compare=False)


@dataclass
class SymbolAddRequested(Request):
    """Add ``text`` (``EXCHANGE:TICKER``) to the watchlist."""

    text: str
    description: str = ""


@dataclass
class SymbolRemoveRequested(Request):
    """Remove a symbol from the watchlist (optionally with its stored bars)."""

    symbol: str
    drop_bars: bool = False


@dataclass
class SymbolSearchRequested(Request):
    """Search the provider for ``text`` (the add dialog asks, debounced)."""

    text: str


@dataclass
class AlertAddRequested(Request):
    """Store an alert (the alert dialog's answer); the live worker watches it from then on."""

    symbol: str
    kind: AlertKind
    level: float
    interval: Interval
    rearm: bool = False


@dataclass
class MissedAlertsRequested(Request, bubble=False):
    """At start: list the alerts that fired while the TUI was closed (a ``watch`` ran)."""


@dataclass
class AlertsStale(Request, bubble=False):
    """Read the alerts that can still fire (at start, after one is added or fires): the
    charts draw their levels."""


@dataclass
class WatchlistStale(Request, bubble=False):
    """The stored watchlist or its figures changed: read it again (figures of ``interval``)."""

    interval: Interval


@dataclass
class IndicatorsChosen(Request):
    """Show and remember ``text``'s indicators on ``chart`` (``history`` or ``ticker``)."""

    chart: str
    text: str


@dataclass
class IndicatorsStale(Request, bubble=False):
    """Read the remembered indicator choices (once the database is there)."""


# --- navigation: state changes the app makes, flowing back down by data_bind ------------------


@dataclass
class ModeRequested(Message):
    """Show a mode screen: ``symbols``, ``history`` or ``ticker``."""

    mode: str


@dataclass
class OpenHistory(Message):
    """Show the History mode on ``symbol``."""

    symbol: str


@dataclass
class IntervalChosen(Message):
    """The user picked a new working interval."""

    interval: Interval


# --- facts: answers to requests ---------------------------------------------------------------


@dataclass
class BarsLoaded(Message, bubble=False):
    symbol: str
    interval: Interval
    bars: list[Bar]


@dataclass
class SyncProgress(Message, bubble=False):
    done: int
    total: int
    symbol: str

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SyncProgress)


@dataclass
class SyncFinished(Message, bubble=False):
    """A sync ended: one outcome per symbol synced (fewer than ``total``: cancelled)."""

    outcomes: list[SyncOutcome]
    total: int


@dataclass
class SyncFailed(Message, bubble=False):
    symbol: str
    interval: Interval
    message: str


@dataclass
class SymbolAdded(Message, bubble=False):
    """On the watchlist; ``problem`` says why its metadata is not resolved yet (if so)."""

    symbol: str
    created: bool
    problem: str = ""


@dataclass
class SymbolSearchResults(Message, bubble=False):
    """Search results for ``text``: ``[(EXCHANGE:TICKER, description)]``."""

    text: str
    results: list[tuple[str, str]]
    error: str = ""


@dataclass
class WatchlistChanged(Message, bubble=False):
    rows: list[SymbolRow]

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, WatchlistChanged)


@dataclass
class IndicatorsChanged(Message, bubble=False):
    """The indicators of the charts named in ``choices`` (the others are unchanged)."""

    choices: dict[str, tuple[IndicatorSpec, ...]]


@dataclass
class AlertsChanged(Message, bubble=False):
    """The stored alerts that can still fire."""

    alerts: tuple[Alert, ...]


# --- facts from the app's own workers and timers ----------------------------------------------


@dataclass
class RuntimeReady(Message, bubble=False):
    """``run_tui``: the runtime is open (the database answered); the app goes live."""

    runtime: Runtime


@dataclass
class FeedStateChanged(Message, bubble=False):
    state: FeedState

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, FeedStateChanged)


@dataclass
class DatabasePinged(Message, bubble=False):
    up: bool
    detail: str = ""


@dataclass
class JobRan(Message, bubble=False):
    run: JobRun


@dataclass
class AlertTriggered(Message, bubble=False):
    """An alert fired in the live worker (already being stored)."""

    fired: AlertFired


@dataclass
class LiveNotice(Message, bubble=False):
    """Something from the live feed the user should read (a refused symbol, a storage error)."""

    text: str
    severity: SeverityLevel = "warning"
    title: str = "Live feed"
