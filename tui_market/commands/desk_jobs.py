"""Desk jobs: a sync any terminal asks for runs once, in whichever process claims it.

``desk_jobs`` holds one document per series (``_id`` = ``sync|SYMBOL|interval``): ``state``
queued -> running -> done | failed, the ``request`` being served, and ``last``, the outcome of
the last request served. Asking is one atomic upsert that requeues a finished job with a new
request id; when the job is already queued or running the upsert collides on ``_id``
(``DuplicateKeyError``) and the asker joins that request instead. A runner claims the oldest
queued job (or a running one whose lease ran out: its runner died) with one atomic
``find_one_and_update``, so two runners never hold one job while its lease lasts, and renews
the lease while it works. ``QueuedSyncHandler`` (``queued_sync.py``) is a follower's
``SyncHistory``: it asks, then waits for ``last`` to name its request. ``ClaimScheduled``
lets one process of many run a scheduled sync per period.

Job documents are written journaled (the database's default here): a claimed job must not
come back unclaimed after a crash of the server.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from tui_market.commands.sync_history import SyncResult
from tui_market.infrastructure import desk_schema
from tui_market.infrastructure.database import Database
from tui_market.models import Interval

Doc = dict[str, Any]
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


def now_utc() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class ClaimJob:
    owner: str
    lease: float  # seconds the claim holds unless renewed


@dataclass(frozen=True, slots=True)
class RenewLease:
    job_id: str
    owner: str
    lease: float


@dataclass(frozen=True, slots=True)
class FinishJob:
    job_id: str
    request: str
    owner: str
    result: SyncResult | None
    error: str = ""
    error_kind: str = ""  # "not_found" for an unknown symbol


@dataclass(frozen=True, slots=True)
class ClaimScheduled:
    """Run the scheduled sync of ``symbol``/``interval`` now, unless another process ran it
    less than ``period`` seconds ago. True: this process runs it."""

    symbol: str
    interval: Interval
    period: float
    owner: str


class DeskJobsHandler:
    """The runner's side: claim, renew, finish; and the schedule's claim."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def _jobs(self) -> Any:
        return self._db.get_collection(desk_schema.JOBS)

    async def claim(self, msg: ClaimJob) -> Doc | None:
        now = now_utc()
        takeable = {"$or": [{"state": QUEUED}, {"state": RUNNING, "lease_until": {"$lt": now}}]}
        update = {
            "$set": {
                "state": RUNNING,
                "owner": msg.owner,
                "started": now,
                "lease_until": now + timedelta(seconds=msg.lease),
            },
            "$inc": {"attempts": 1},
        }
        job: Doc | None = await self._jobs().find_one_and_update(
            takeable, update, sort=[("created", 1)], return_document=ReturnDocument.AFTER
        )
        return job

    async def renew(self, msg: RenewLease) -> bool:
        """False when the job is no longer this runner's (its lease ran out and was taken)."""
        until = now_utc() + timedelta(seconds=msg.lease)
        done = await self._jobs().update_one(
            {"_id": msg.job_id, "owner": msg.owner, "state": RUNNING},
            {"$set": {"lease_until": until}},
        )
        return bool(done.matched_count)

    async def finish(self, msg: FinishJob) -> bool:
        state = FAILED if msg.result is None else DONE
        last: Doc = {"request": msg.request, "state": state, "finished": now_utc()}
        if msg.result is not None:
            r = msg.result
            last["result"] = {
                "new": r.new,
                "updated": r.updated,
                "unchanged": r.unchanged,
                "rejected": r.rejected,
                "last_bar": r.last_bar,
            }
        else:
            last |= {"error": msg.error, "error_kind": msg.error_kind}
        mine = {"_id": msg.job_id, "request": msg.request, "owner": msg.owner, "state": RUNNING}
        done = await self._jobs().update_one(mine, {"$set": {"state": state, "last": last}})
        return bool(done.matched_count)

    async def claim_scheduled(self, msg: ClaimScheduled) -> bool:
        now = now_utc()
        key = f"scheduled|{msg.symbol}|{msg.interval.value}"
        # a little less than the period: runs of one process drift by a few milliseconds
        due = now + timedelta(seconds=msg.period * 0.9)
        try:
            await self._jobs().find_one_and_update(
                {"_id": key, "$or": [{"next_due": {"$lte": now}}, {"next_due": None}]},
                {"$set": {"next_due": due, "owner": msg.owner, "ran": now, "state": DONE}},
                upsert=True,
            )
        except DuplicateKeyError:  # the document exists and is not due: run elsewhere
            return False
        return True
