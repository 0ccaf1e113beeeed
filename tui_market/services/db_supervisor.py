"""DatabaseSupervisor: watches the database and brings the embedded server back when it dies.

Every ``every`` seconds it pings the database (a short timeout). On a failed ping of an
*embedded* database it restarts the data dir's server in a thread (``EmbeddedServer.revive``):
on the same port when it can, so the open client reconnects by itself; on a new port
otherwise, and then the ``Database`` and the ``Bus`` handlers are re-pointed. A *remote*
database is only watched: the driver reconnects when it returns. Every change of state is
reported once through ``on_change``; nothing here raises while the database is away.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tui_market.errors import DatabaseUnavailable
from tui_market.infrastructure.database import Database, display_host
from tui_market.infrastructure.embedded import EmbeddedServer

if TYPE_CHECKING:
    from tui_market.services.bus import Bus

log = logging.getLogger(__name__)
EVERY = 1.0  # seconds between pings
TIMEOUT = 2.0  # seconds a ping may take before the database counts as down


@dataclass(frozen=True, slots=True)
class DatabaseHealth:
    up: bool
    detail: str = ""  # while down: what is being done about it
    restarts: int = 0  # embedded server restarts so far


OnChange = Callable[[DatabaseHealth], None]


class DatabaseSupervisor:
    def __init__(
        self,
        db: Database,
        server: EmbeddedServer | None,
        bus: Bus | None = None,
        *,
        every: float = EVERY,
        timeout: float = TIMEOUT,
    ) -> None:
        self.db = db
        self.server = server if db.embedded else None  # never start a server for a URI
        self.bus = bus
        self.every = every
        self.timeout = timeout
        self.health: DatabaseHealth | None = None
        self.restarts = 0  # servers this supervisor started
        self.revive_attempts = 0
        self._on_change: OnChange = _ignore

    async def run(self, on_change: OnChange) -> None:
        """Check until cancelled, reporting each change of state."""
        self._on_change = on_change
        while True:
            await self.check()
            await asyncio.sleep(self.every)

    async def check(self) -> bool:
        """One round: ping; when down, restart the embedded server. True when up."""
        died = self.server is not None and self.server.dead()  # kill -9: no need to wait
        if not died and await self.db.ping(self.timeout):
            self._report(DatabaseHealth(True, restarts=self.restarts))
            return True
        if self.server is None:
            self._report(DatabaseHealth(False, f"waiting for {display_host(self.db.uri)}"))
            return False
        self._report(DatabaseHealth(False, "restarting", self.restarts))
        self.revive_attempts += 1
        try:
            uri, started = await asyncio.to_thread(self.server.revive)
        except (DatabaseUnavailable, OSError) as exc:
            log.error("restarting the embedded database failed: %s", exc)
            self._report(DatabaseHealth(False, f"restart failed: {exc}", self.restarts))
            return False
        self.restarts += int(started)
        if uri != self.db.uri:
            self.db.rebind(uri)
            if self.bus is not None:
                self.bus.rebind()
        up = await self.db.ping(self.timeout)
        self._report(
            DatabaseHealth(up, "" if up else "restarted, not answering yet", self.restarts)
        )
        return up

    def _report(self, health: DatabaseHealth) -> None:
        if health == self.health:
            return
        before, self.health = self.health, health
        if health.up:
            if before is not None:
                log.warning("database %s is back", self.db.describe())
        else:
            log.warning(
                "database %s down (%s): %s",
                self.db.describe(),
                self.db.ping_error or "server process ended",
                health.detail,
            )
        self._on_change(health)


def _ignore(health: DatabaseHealth) -> None:
    del health
