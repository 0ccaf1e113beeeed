"""The History screen's sync part: the keys that ask for syncs, and the progress and outcome
the app reports back (``SyncStarted``, ``SyncProgress``, ``SyncFinished``, ``SyncFailed``).

``HistoryScreen`` (history.py) builds on this with the chart, the table and the bars. The
sync strip (``SyncStatus``, hidden until a sync runs) is mounted the first time one is shown:
opening the screen does not build its progress bar.
"""

from __future__ import annotations

from textual import on
from textual.reactive import reactive
from textual.screen import Screen

from tui_market.models import Interval
from tui_market.tui.messages import (
    BarsRequested,
    SyncAllRequested,
    SyncCancelRequested,
    SyncFailed,
    SyncFinished,
    SyncProgress,
    SyncRequested,
    SyncStarted,
)
from tui_market.tui.screens.history_text import finished_text
from tui_market.tui.widgets.sync_status import SyncStatus

HISTORY_BARS = 5000  # all of a series, for panning (asked after the first bars are shown)


class HistorySyncScreen(Screen[None]):
    """Shows a symbol's series; syncs it (or the watchlist) on request."""

    SYNC_STATUS_AFTER = "#history-bar"  # where the sync strip goes when first shown

    symbol: reactive[str | None] = reactive(None, init=False)
    interval: reactive[Interval] = reactive(Interval.D1, init=False)

    def __init__(self) -> None:
        super().__init__()
        self._sync_all = False  # the running sync is a sync-all (progress over symbols)
        self._sync_total = 0

    async def _status(self) -> SyncStatus:
        """The sync strip, mounted when first needed."""
        for status in self.query(SyncStatus):
            return status
        status = SyncStatus(id="sync-status")
        await self.mount(status, after=self.SYNC_STATUS_AFTER)
        return status

    def _stop_status(self) -> None:
        for status in self.query(SyncStatus):
            status.stop()

    @on(SyncStarted)
    async def _sync_started(self, message: SyncStarted) -> None:
        if not self._sync_all:
            label = f"syncing {message.symbol} {message.interval.value}…  (esc/c: cancel)"
            (await self._status()).start(label)

    @on(SyncProgress)
    async def _sync_progress(self, message: SyncProgress) -> None:
        self._sync_total = message.total
        if message.total <= 1 and not self._sync_all:
            return
        self._sync_all = True
        text = f"sync all: {message.done}/{message.total} ({message.symbol})  (esc/c: cancel)"
        (await self._status()).advance(message.done, message.total, text)

    @on(SyncFinished)
    def _sync_finished(self, message: SyncFinished) -> None:
        total = self._sync_total if self._sync_all else len(message.outcomes)
        self._sync_all, self._sync_total = False, 0
        self._stop_status()
        text, severity = finished_text(message.outcomes, total)
        self.notify(text, title="Sync", severity=severity)
        if self.symbol and any(o.symbol == self.symbol for o in message.outcomes):
            self.post_message(BarsRequested(self.symbol, self.interval, last=HISTORY_BARS))

    @on(SyncFailed)
    def _sync_failed(self, message: SyncFailed) -> None:
        self._sync_all, self._sync_total = False, 0
        self._stop_status()
        self.notify(
            f"{message.symbol} {message.interval.value}: {message.message}",
            title="Sync failed",
            severity="error",
        )

    async def action_sync(self) -> None:
        if not self.symbol:
            self.notify("no symbol selected: open one from the Symbols screen", severity="warning")
            return
        self._sync_all = False
        symbol, interval = self.symbol, self.interval
        (await self._status()).start(f"syncing {symbol} {interval.value}…")
        self.post_message(SyncRequested(symbol, interval))

    async def action_sync_all(self) -> None:
        self._sync_all, self._sync_total = True, 0
        interval = self.interval
        (await self._status()).start(f"sync all {interval.value}…  (esc/c: cancel)")
        self.post_message(SyncAllRequested(interval))

    def action_cancel_sync(self) -> None:
        self.post_message(SyncCancelRequested())  # harmless when the run has just ended
        if any(status.running for status in self.query(SyncStatus)):
            self.notify("cancelling sync after the current symbol…", title="Sync")
