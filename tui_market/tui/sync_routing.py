"""Sync requests routed like every other request (see ``routing``): one symbol, or the whole
watchlist with progress and cancel; results reach the History screen, or a notification."""

from __future__ import annotations

import asyncio
import logging
from functools import partial

from textual import on

from tui_market.commands.sync_history import SyncHistory
from tui_market.queries.list_symbols import ListSymbols
from tui_market.services.data_sync_service import DataSyncService, SyncOutcome, failure_text
from tui_market.tui.messages import (
    SyncAllRequested,
    SyncCancelRequested,
    SyncFailed,
    SyncFinished,
    SyncProgress,
    SyncRequested,
    SyncStarted,
)
from tui_market.tui.routing import EXPECTED, RoutedApp, WatchlistStale
from tui_market.tui.screens.history_text import finished_text

log = logging.getLogger(__name__)


class SyncApp(RoutedApp):
    """Runs history syncs in workers and reports how they went."""

    _sync_total: int = 0  # symbols in the running sync-all (for the summary)

    def _cancel_event(self) -> asyncio.Event:
        if not hasattr(self, "_cancel_sync"):
            self._cancel_sync = asyncio.Event()
        return self._cancel_sync

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
