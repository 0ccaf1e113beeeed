"""AlertWatch: the stored alerts judged on the live path, each firing stored.

``QuoteService`` calls ``on_tick`` for every tick and ``on_bar`` for every bar closed live; the
pure ``AlertManager`` decides, and each firing is stored through ``RecordAlertFired`` in the
background (the tick path never waits for MongoDB). Every ``reload_every`` seconds the alerts'
version (one number) is read, and the alerts themselves when it changed, so an alert added from
the CLI or the TUI is watched by every running live worker (the TUI's and ``watch``'s), and the
TUI's charts are told (``on_change``). A firing the database refused is kept and written again
on the next reload.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from pymongo.errors import PyMongoError

from tui_market.commands.record_alert import RecordAlertFired, Source
from tui_market.infrastructure.desktop_notices import DesktopNotices
from tui_market.managers.alert_manager import AlertManager
from tui_market.models import Bar, Tick
from tui_market.models.alert import Alert, AlertFired
from tui_market.queries.alerts_version import AlertsVersion
from tui_market.queries.list_alerts import ListAlerts

log = logging.getLogger(__name__)
Emit = Callable[[AlertFired], None]
RELOAD_EVERY = 2.0  # seconds between reads of the stored alerts


class AlertWatch:
    def __init__(
        self,
        bus: Any,
        source: Source,
        *,
        reload_every: float = RELOAD_EVERY,
        desktop: DesktopNotices | None = None,
        on_change: Callable[[tuple[Alert, ...]], None] | None = None,
    ) -> None:
        self.manager = AlertManager()
        self._on_change = on_change  # told each new set read (the TUI's charts draw them)
        self._desktop = desktop  # each firing also shown there, in the background
        self._notices: set[asyncio.Task[bool]] = set()
        self._failing = False  # the last read failed (said once, not every reload)
        self._bus = bus
        self._source: Source = source
        self._reload_every = reload_every
        self._writer: asyncio.Task[None] | None = None
        self._unsaved: list[AlertFired] = []  # fired, not stored yet
        self._version: int | None = None  # of the alerts loaded
        self.fired = 0

    async def load(self) -> bool:
        """Read the active alerts if they changed; False (logged) when the database did not
        answer."""
        try:
            version = await self._bus.execute(AlertsVersion())
            if version != self._version:
                alerts = await self._bus.execute(ListAlerts(active_only=True))
                self.manager.set_alerts(alerts)
                self._version = version
                if self._on_change is not None:
                    self._on_change(tuple(alerts))
        except PyMongoError as exc:
            if not self._failing:
                log.warning(
                    "cannot read the alerts (keeping %d): %s", len(self.manager.alerts), exc
                )
            self._failing = True
            return False
        self._failing = False
        return True

    async def run(self) -> None:
        """Reload the alerts and retry unsaved firings until cancelled."""
        while True:
            await asyncio.sleep(self._reload_every)
            if await self.load() and self._unsaved:
                self._start_writer()

    def on_tick(self, tick: Tick, reference: float | None, emit: Emit) -> None:
        for fired in self.manager.on_tick(tick, reference):
            self._fire(fired, emit)

    def on_bar(self, bar: Bar, emit: Emit) -> None:
        for fired in self.manager.on_bar(bar):
            self._fire(fired, emit)

    def _fire(self, fired: AlertFired, emit: Emit) -> None:
        self.fired += 1
        log.info("alert %d fired: %s", fired.alert.id, fired.text)
        emit(fired)
        self._unsaved.append(fired)
        self._start_writer()
        if self._desktop is not None and self._desktop.available:
            notice = self._desktop.send(f"tui-market: alert {fired.alert.id}", fired.text)
            task = asyncio.create_task(notice, name="desktop notice")
            self._notices.add(task)
            task.add_done_callback(self._notices.discard)

    def _start_writer(self) -> None:
        """One writer at a time: a burst of firings is stored in a few batches, on one
        connection (a task per firing opened a connection each)."""
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write(), name="store alert events")

    async def _write(self) -> None:
        while self._unsaved:
            batch, self._unsaved = self._unsaved, []
            try:
                await self._bus.execute(RecordAlertFired(tuple(batch), self._source))
            except PyMongoError as exc:
                log.error("%d alert firings not stored (retried later): %s", len(batch), exc)
                self._unsaved = batch + self._unsaved
                return

    async def flush(self) -> None:
        """Wait for the firings being stored (the live loop is ending)."""
        if self._writer is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
