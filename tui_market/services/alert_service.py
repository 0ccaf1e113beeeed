"""AlertWatch: the stored alerts judged on the live path, each firing stored.

``QuoteService`` calls ``on_tick`` for every tick and ``on_bar`` for every bar closed live; the
pure ``AlertManager`` decides, and each firing is stored through ``RecordAlertFired`` in the
background (the tick path never waits for MongoDB). The active alerts are read again every
``reload_every`` seconds, so an alert added from the CLI or the TUI is watched by every
running live worker (the TUI's and ``watch``'s). A firing the database refused is kept and
written again on the next reload.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from pymongo.errors import PyMongoError

from tui_market.commands.record_alert import RecordAlertFired, Source
from tui_market.managers.alert_manager import AlertManager
from tui_market.models import Bar, Tick
from tui_market.models.alert import AlertFired
from tui_market.queries.list_alerts import ListAlerts

log = logging.getLogger(__name__)
Emit = Callable[[AlertFired], None]
RELOAD_EVERY = 2.0  # seconds between reads of the stored alerts


class AlertWatch:
    def __init__(self, bus: Any, source: Source, *, reload_every: float = RELOAD_EVERY) -> None:
        self.manager = AlertManager()
        self._bus = bus
        self._source: Source = source
        self._reload_every = reload_every
        self._writes: set[asyncio.Task[None]] = set()
        self._unsaved: list[AlertFired] = []
        self.fired = 0

    async def load(self) -> bool:
        """Read the active alerts; False (logged) when the database did not answer."""
        try:
            alerts = await self._bus.execute(ListAlerts(active_only=True))
        except PyMongoError as exc:
            log.warning("cannot read the alerts (keeping %d): %s", len(self.manager.alerts), exc)
            return False
        self.manager.set_alerts(alerts)
        return True

    async def run(self) -> None:
        """Reload the alerts and retry unsaved firings until cancelled."""
        while True:
            await asyncio.sleep(self._reload_every)
            if await self.load() and self._unsaved:
                retry, self._unsaved = self._unsaved, []
                for fired in retry:
                    self._store(fired)

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
        self._store(fired)

    def _store(self, fired: AlertFired) -> None:
        task = asyncio.create_task(self._write(fired), name=f"store alert {fired.alert.id}")
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)

    async def _write(self, fired: AlertFired) -> None:
        try:
            await self._bus.execute(RecordAlertFired(fired, self._source))
        except PyMongoError as exc:
            log.error(
                "alert %d fired but could not be stored (will retry): %s", fired.alert.id, exc
            )
            self._unsaved.append(fired)

    async def flush(self) -> None:
        """Wait for the firings being stored (the live loop is ending)."""
        if self._writes:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(*self._writes)
