"""The ingester: the one live connection of a desk, published to the database.

``Ingester`` runs the live service (the same ``QuoteService`` the TUI and ``watch`` use: bars
built, closed bars saved through ``SaveBars``), a ``DeskPublisher`` for the live documents and
the heartbeat, the database supervisor (the embedded server is restarted if it dies), the
runner of the syncs followers ask for (``JobRunner``) and the scheduled syncs, if any. With
no symbols named it follows the stored watchlist, read again every ``WATCHLIST_EVERY`` seconds,
so a symbol added from any terminal is ingested too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any, Protocol

from pymongo.errors import PyMongoError

from tui_market.infrastructure.database import Database
from tui_market.infrastructure.embedded import EmbeddedServer
from tui_market.infrastructure.interfaces import IDataProvider, IQuoteStream
from tui_market.models import Interval
from tui_market.models.live import LiveEvent
from tui_market.models.symbol_info import SymbolInfo
from tui_market.queries.list_symbols import ListSymbols
from tui_market.services.bus import Bus
from tui_market.services.db_supervisor import DatabaseHealth, DatabaseSupervisor
from tui_market.services.desk_publisher import DeskPublisher
from tui_market.services.job_runner import JobRunner
from tui_market.services.quote_service import QuoteService

log = logging.getLogger(__name__)
WATCHLIST_EVERY = 5.0  # seconds between reads of the stored watchlist (no symbols named)
OnEvent = Callable[[LiveEvent], None]
OnDatabase = Callable[[DatabaseHealth], None]


class Schedule(Protocol):
    def set_symbols(self, symbols: Sequence[str]) -> None: ...
    def start(self) -> None: ...
    def shutdown(self) -> None: ...


class Ingester:
    def __init__(
        self,
        db: Database,
        embedded: EmbeddedServer | None,
        bus: Bus,
        provider: IDataProvider,
        stream: IQuoteStream,
        persist: Sequence[Interval],
        *,
        jobs: Schedule | None = None,
    ) -> None:
        self._db, self._embedded, self._bus, self._stream = db, embedded, bus, stream
        # every interval is published live (any terminal may chart any); ``persist`` saved
        self.service = QuoteService(
            stream, bus, provider, tuple(Interval), persist=persist, backfill_on_start=True
        )
        self.publisher = DeskPublisher(self.service, bus, persist)
        self._symbols: set[str] = set()
        self.runner = JobRunner(bus)  # syncs asked for by followers
        self.jobs = jobs  # scheduled syncs (``SyncJobs``), claimed per period in the database

    async def start_symbols(
        self, symbols: Sequence[str], infos: Mapping[str, SymbolInfo | None]
    ) -> None:
        self.service.set_metadata(infos)
        self._symbols = set(symbols)
        if self.jobs is not None:
            self.jobs.set_symbols(symbols)
        await self.service.set_symbols(set(symbols))

    async def run(
        self, on_event: OnEvent, on_database: OnDatabase, *, follow_watchlist: bool
    ) -> None:
        """Until the stream is closed (``stop``): then the queued bars are saved and the
        heartbeat says "stopped"."""

        def both(event: LiveEvent) -> None:
            self.publisher.on_event(event)
            on_event(event)

        supervisor = DatabaseSupervisor(self._db, self._embedded, self._bus)
        side: list[Coroutine[Any, Any, None]] = [
            supervisor.run(on_database),
            self.publisher.run(),
            self.runner.run(),
        ]
        if follow_watchlist:
            side.append(self._follow_watchlist())
        tasks = [asyncio.create_task(c, name="ingest side task") for c in side]
        if self.jobs is not None:
            self.jobs.start()
        try:
            await self.service.run(both)
        finally:
            if self.jobs is not None:
                self.jobs.shutdown()
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await self.publisher.goodbye()

    async def stop(self) -> None:
        await self._stream.close()

    async def _follow_watchlist(self) -> None:
        while True:
            await asyncio.sleep(WATCHLIST_EVERY)
            try:
                rows = await self._bus.execute(ListSymbols())
            except PyMongoError as exc:
                log.debug("watchlist read failed (database away?): %s", exc)
                continue
            wanted = {row.symbol for row in rows}
            if wanted != self._symbols:
                log.info("ingesting the watchlist: %s", " ".join(sorted(wanted)))
                self.service.set_references({row.symbol: row.prev_close for row in rows})
                await self.start_symbols(sorted(wanted), {row.symbol: row.info for row in rows})
