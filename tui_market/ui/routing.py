"""Request routing: screens and the palette post requests; the app runs the bus in named workers.

Workers never touch widgets: they post facts to the app, which forwards copies to the mode
screens (facts do not bubble). Expected failures become facts or a ``Notice`` result; anything
unexpected ends the worker in ERROR, and one ``Worker.StateChanged`` handler notifies it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, Literal

from pymongo.errors import PyMongoError
from textual import on
from textual.app import App
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from tui_market.commands.sync_history import SyncHistory
from tui_market.errors import MarketError
from tui_market.models import Interval, InvalidSymbol
from tui_market.queries.get_bars import GetBars
from tui_market.queries.list_symbols import ListSymbols, SymbolRow
from tui_market.services.data_sync_service import DataSyncService, SyncOutcome, failure_text
from tui_market.ui.messages import (
    BarClosed,
    BarsLoaded,
    BarsRequested,
    SyncAllRequested,
    SyncCancelRequested,
    SyncFailed,
    SyncFinished,
    SyncProgress,
    SyncRequested,
    SyncStarted,
)
from tui_market.ui.screens.history_text import finished_text

if TYPE_CHECKING:
    from tui_market.runtime import Runtime

log = logging.getLogger(__name__)
Severity = Literal["information", "warning", "error"]
EXPECTED = (MarketError, InvalidSymbol, PyMongoError, OSError)


@dataclass(frozen=True, slots=True)
class Notice:
    """What a worker wants said when it ends well (the StateChanged handler says it)."""

    text: str
    severity: Severity = "information"


@dataclass
class WatchlistStale(Message, bubble=False):
    """The stored watchlist (or its figures) changed: re-read it."""


class RoutedApp(App[None]):
    """Request handlers and fact distribution; MarketApp adds screens, keys and themes."""

    runtime: Runtime
    mode_screens: dict[str, Screen[None]]
    n_bars: int = 5000
    _sync_total: int = 0  # symbols in the running sync-all (for the summary)

    # State set down to the screens.
    watchlist: reactive[list[SymbolRow]] = reactive(list, init=False)
    interval: reactive[Interval] = reactive(Interval.H1, init=False)
    current_symbol: reactive[str | None] = reactive(None, init=False)

    def _cancel_event(self) -> asyncio.Event:
        if not hasattr(self, "_cancel_sync"):
            self._cancel_sync = asyncio.Event()
        return self._cancel_sync

    def _spawn(
        self,
        work: Callable[[], Awaitable[object]],
        *,
        name: str,
        group: str,
        description: str,
        exclusive: bool = False,
    ) -> None:
        """A named worker whose failure is reported, never raised (see ``_worker_state``).

        Before the runtime arrives (the first screen is up while the database starts) nothing
        runs; the watchlist is read as soon as it arrives."""
        if getattr(self, "runtime", None) is None:
            log.info("%s: the database is not connected yet", description)
            if group not in ("watchlist", "ping"):
                self.notify("still connecting to the database…", severity="warning")
            return
        self.run_worker(
            work,
            name=name,
            group=group,
            description=description,
            exclusive=exclusive,
            exit_on_error=False,
        )

    # ---- facts go to every mounted mode screen ------------------------------------------------
    def tell_screens(self, fact: Message) -> None:
        for screen in self.mode_screens.values():
            if screen.is_mounted:
                screen.post_message(replace(fact))  # type: ignore[type-var]

    @on(SyncStarted)
    @on(SyncProgress)
    @on(BarsLoaded)
    @on(BarClosed)
    def _forward(self, fact: Message) -> None:
        self.tell_screens(fact)

    def _history_presents(self) -> bool:
        """The History screen notifies sync results itself once it exists."""
        history = self.mode_screens.get("history")
        return history is not None and history.is_mounted

    @on(SyncFinished)
    def _sync_finished(self, fact: SyncFinished) -> None:
        self.tell_screens(fact)
        self.post_message(WatchlistStale())
        if not self._history_presents():
            text, severity = finished_text(fact.outcomes, self._sync_total)
            self.notify(text, title="Sync", severity=severity)
        self._sync_total = 0

    @on(SyncFailed)
    def _sync_failed(self, fact: SyncFailed) -> None:
        self.tell_screens(fact)
        if not self._history_presents():
            self.notify(
                f"{fact.symbol} {fact.interval.value}: {fact.message}",
                title="Sync failed",
                severity="error",
            )

    # ---- requests -----------------------------------------------------------------------------
    @on(SyncRequested)
    def _sync_requested(self, request: SyncRequested) -> None:
        self._spawn(
            partial(self._sync_one, request),
            name=f"sync {request.symbol}",
            group=f"sync:{request.symbol}",
            exclusive=True,
            description=f"sync {request.symbol} {request.interval.value}",
        )

    async def _sync_one(self, request: SyncRequested) -> None:
        symbol, interval = request.symbol, request.interval
        self.post_message(SyncStarted(symbol, interval))
        try:
            result = await self.runtime.bus.execute(SyncHistory(symbol, interval, self.n_bars))
        except EXPECTED as exc:
            log.warning("sync %s %s failed: %s", symbol, interval.value, exc)
            self.post_message(SyncFailed(symbol, interval, failure_text(symbol, exc)))
            self.post_message(WatchlistStale())
            return
        self.post_message(SyncFinished([SyncOutcome(symbol, result, None)]))

    @on(SyncAllRequested)
    def _sync_all_requested(self, request: SyncAllRequested) -> None:
        self._cancel_event().clear()
        self._spawn(
            partial(self._sync_all, request),
            name="sync all",
            group="sync-all",
            exclusive=True,
            description=f"sync all {request.interval.value}",
        )

    async def _sync_all(self, request: SyncAllRequested) -> None:
        rows = await self.runtime.bus.execute(ListSymbols(request.interval))
        symbols = [row.symbol for row in rows]
        if not symbols:
            self.post_message(SyncFinished([]))
            return
        self._sync_total = len(symbols)
        self.post_message(SyncProgress(0, len(symbols), symbols[0]))

        def progress(done: int, total: int, symbol: str) -> None:
            self.post_message(SyncProgress(done, total, symbol))

        outcomes = await DataSyncService(self.runtime.bus).sync_many(
            symbols,
            request.interval,
            self.n_bars,
            on_progress=progress,
            cancel=self._cancel_event(),
        )
        self.post_message(SyncFinished(outcomes))

    @on(SyncCancelRequested)
    def _sync_cancel(self) -> None:
        self._cancel_event().set()

    @on(BarsRequested)
    def _bars_requested(self, request: BarsRequested) -> None:
        self._spawn(
            partial(self._load_bars, request),
            name="load bars",
            group=f"bars:{request.symbol}:{request.interval.value}",
            exclusive=True,
            description=f"load {request.symbol} {request.interval.value} bars",
        )

    async def _load_bars(self, request: BarsRequested) -> None:
        bars = await self.runtime.bus.execute(
            GetBars(request.symbol, request.interval, last=request.last)
        )
        self.post_message(BarsLoaded(request.symbol, request.interval, bars))

    # ---- one place where worker outcomes reach the user ---------------------------------------
    @on(Worker.StateChanged)
    def _worker_state(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state is WorkerState.SUCCESS and isinstance(worker.result, Notice):
            notice = worker.result
            self.notify(notice.text, severity=notice.severity)
        elif event.state is WorkerState.ERROR:
            error = worker.error
            log.error("%s failed: %r", worker.description or worker.name, error, exc_info=error)
            self.notify(
                f"{worker.description or worker.name} failed: {error}",
                title="Error",
                severity="error",
                timeout=8,
            )
