"""Request routing: screens and the palette post requests; the app runs the bus in named workers.

Workers never touch widgets: they post facts to the app, which forwards copies to the mode
screens (facts do not bubble). Expected failures become facts or a ``Notice`` result; anything
unexpected ends the worker in ERROR, and one ``Worker.StateChanged`` handler notifies it.
"""

from __future__ import annotations

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

from tui_market.errors import MarketError
from tui_market.models import Interval, InvalidSymbol
from tui_market.queries.get_bars import GetBars
from tui_market.queries.list_symbols import SymbolRow
from tui_market.tui.messages import (
    BarClosed,
    BarsLoaded,
    BarsRequested,
    SyncProgress,
    SyncStarted,
)

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

    # State set down to the screens.
    watchlist: reactive[list[SymbolRow]] = reactive(list, init=False)
    interval: reactive[Interval] = reactive(Interval.H1, init=False)
    current_symbol: reactive[str | None] = reactive(None, init=False)

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

    # ---- requests -----------------------------------------------------------------------------
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
