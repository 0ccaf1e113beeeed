"""QueuedSyncHandler: ``SyncHistory`` for a terminal with no provider of its own (a desk
follower). The sync becomes a job in ``desk_jobs`` for the desk's runner (``tui-market
ingest``, ``JobRunner``), joined when the same series is already queued or running, and the
caller waits for its outcome: the same ``SyncResult``, or the same errors, as a sync run here.
The document's life is described in ``desk_jobs``.
"""

from __future__ import annotations

import asyncio
import uuid

from pymongo.errors import DuplicateKeyError

from tui_market.commands.desk_jobs import FAILED, QUEUED, RUNNING, Doc, now_utc
from tui_market.commands.sync_history import SyncHistory, SyncResult
from tui_market.errors import ProviderError, ProviderUnavailable, SymbolNotFound
from tui_market.infrastructure import desk_schema
from tui_market.infrastructure.database import Database
from tui_market.models import Interval, SymbolRef


class QueuedSyncHandler:
    """``SyncHistory`` for a terminal with no provider of its own: the job is queued for the
    desk's runner (``tui-market ingest``) and its outcome awaited."""

    def __init__(self, db: Database, *, poll: float = 0.25, timeout: float = 600.0) -> None:
        self._db = db
        self._poll = poll
        self._timeout = timeout

    async def __call__(self, msg: SyncHistory) -> SyncResult:
        symbol = SymbolRef.parse(msg.symbol).full
        jobs = self._db.get_collection(desk_schema.JOBS)
        job_id = f"sync|{symbol}|{msg.interval.value}"
        try:
            async with asyncio.timeout(self._timeout):
                request = await self._ask(job_id, symbol, msg)
                while True:
                    job = await jobs.find_one({"_id": job_id}) or {}
                    last = job.get("last") or {}
                    if last.get("request") == request:
                        return _outcome(symbol, msg.interval, last)
                    await asyncio.sleep(self._poll)
        except TimeoutError:
            raise ProviderUnavailable(
                f"{symbol}: no desk ingester ran the sync within {self._timeout:.0f} s "
                "(is `tui-market ingest` running?)"
            ) from None

    async def _ask(self, job_id: str, symbol: str, msg: SyncHistory) -> str:
        """Queue the series' job with a new request id, or join the request queued or running;
        returns the request id to wait for."""
        jobs = self._db.get_collection(desk_schema.JOBS)
        request = uuid.uuid4().hex
        try:
            await jobs.update_one(
                {"_id": job_id, "state": {"$nin": [QUEUED, RUNNING]}},
                {
                    "$set": {
                        "kind": "sync",
                        "symbol": symbol,
                        "interval": msg.interval.value,
                        "n_bars": msg.n_bars,
                        "state": QUEUED,
                        "request": request,
                        "created": now_utc(),
                        "attempts": 0,
                    }
                },
                upsert=True,
            )
        except DuplicateKeyError:  # queued or running already: wait for that request
            job = await jobs.find_one({"_id": job_id}) or {}
            if job.get("state") not in (QUEUED, RUNNING):  # it finished meanwhile: ask again
                return await self._ask(job_id, symbol, msg)
            return str(job["request"])
        return request


def _outcome(symbol: str, interval: Interval, job: Doc) -> SyncResult:
    if job["state"] == FAILED:
        if job.get("error_kind") == "not_found":
            raise SymbolNotFound(job.get("error") or f"{symbol}: unknown symbol")
        raise ProviderError(job.get("error") or "the sync failed")
    r = job.get("result") or {}
    return SyncResult(
        symbol,
        interval,
        r.get("new", 0),
        r.get("updated", 0),
        r.get("unchanged", 0),
        r.get("rejected", 0),
        r.get("last_bar"),
    )
