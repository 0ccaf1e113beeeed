"""JobRunner: runs the desk's queued sync jobs, each once, in the process that claims it.

The ingester runs one (it has the provider). Every ``every`` seconds it claims the oldest
queued job (``ClaimJob``: atomic, with a lease), runs ``SyncHistory`` through the bus while a
side task renews the lease, and records the outcome (``FinishJob``). A runner that dies leaves
its job running until the lease ends; then another runner takes it again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from pymongo.errors import PyMongoError

from tui_market.commands.desk_jobs import ClaimJob, Doc, FinishJob, RenewLease
from tui_market.commands.sync_history import SyncHistory
from tui_market.errors import MarketError, SymbolNotFound
from tui_market.models import Interval
from tui_market.services.bus import Bus
from tui_market.services.desk_publisher import owner_name

log = logging.getLogger(__name__)
LEASE = 30.0  # seconds a claim holds; renewed every third of it while the sync runs


class JobRunner:
    def __init__(
        self, bus: Bus, *, every: float = 1.0, lease: float = LEASE, owner: str | None = None
    ) -> None:
        self._bus = bus
        self._every = every
        self._lease = lease
        self.owner = owner or owner_name()
        self.ran = 0

    async def run(self) -> None:
        """Claim and run jobs until cancelled."""
        while True:
            try:
                ran = await self.run_once()
            except PyMongoError as exc:
                log.debug("job claim failed (database away?): %s", exc)
                ran = False
            if not ran:
                await asyncio.sleep(self._every)

    async def run_once(self) -> bool:
        """Claim one job and run it; False when none was waiting."""
        job: Doc | None = await self._bus.execute(ClaimJob(self.owner, self._lease))
        if job is None:
            return False
        job_id = str(job["_id"])
        log.info("running desk job %s: sync %s %s", job_id, job["symbol"], job["interval"])
        renewing = asyncio.create_task(self._renew(job_id), name="desk job lease")
        try:
            finish = await self._sync(job_id, job)
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing
        if not await self._bus.execute(finish):
            log.warning("desk job %s was taken over before it finished here", job_id)
        self.ran += 1
        return True

    async def _sync(self, job_id: str, job: Doc) -> FinishJob:
        request = str(job["request"])
        sync = SyncHistory(job["symbol"], Interval(job["interval"]), int(job.get("n_bars", 5000)))
        try:
            result = await self._bus.execute(sync)
        except SymbolNotFound as exc:
            return FinishJob(job_id, request, self.owner, None, str(exc), "not_found")
        except (MarketError, PyMongoError, OSError) as exc:
            log.warning("desk job %s failed: %s", job_id, exc)
            return FinishJob(job_id, request, self.owner, None, str(exc) or type(exc).__name__)
        return FinishJob(job_id, request, self.owner, result)

    async def _renew(self, job_id: str) -> None:
        while True:
            await asyncio.sleep(self._lease / 3)
            try:
                if not await self._bus.execute(RenewLease(job_id, self.owner, self._lease)):
                    log.warning("desk job %s: lease lost", job_id)
                    return
            except PyMongoError as exc:
                log.warning("desk job %s: lease renewal failed: %s", job_id, exc)
