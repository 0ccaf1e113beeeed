"""PublishLive: the ingester's live documents and heartbeat, in one unordered bulk write.

Written with ``j=False``, unlike bars: a live document is replaced up to ten times a second
and the next one supersedes it, so a journal flush per write would only slow the feed. What
must survive a crash, the closed bars, goes through ``SaveBars`` (journaled); a follower that
reconnects re-reads the live documents whatever the server kept (``ReadDesk``).
"""

from __future__ import annotations

from dataclasses import dataclass

from pymongo import ReplaceOne
from pymongo.write_concern import WriteConcern

from tui_market.infrastructure import desk_schema
from tui_market.infrastructure.database import Database

UNJOURNALED = WriteConcern(w=1, j=False)


@dataclass(frozen=True, slots=True)
class PublishLive:
    docs: tuple[desk_schema.Doc, ...]  # ``live`` documents (desk_schema.live_doc)
    heartbeat: desk_schema.Doc | None = None


class PublishLiveHandler:
    def __init__(self, db: Database) -> None:
        self._db = db  # collections taken per call: the client may be re-pointed (rebind)

    async def __call__(self, msg: PublishLive) -> int:
        """Returns how many documents were written."""
        written = 0
        if msg.docs:
            live = self._db.get_collection(desk_schema.LIVE).with_options(write_concern=UNJOURNALED)
            ops = [ReplaceOne({"_id": d["_id"]}, d, upsert=True) for d in msg.docs]
            await live.bulk_write(ops, ordered=False)
            written += len(ops)
        if msg.heartbeat is not None:
            desk = self._db.get_collection(desk_schema.DESK).with_options(write_concern=UNJOURNALED)
            await desk.replace_one({"_id": desk_schema.HEARTBEAT_ID}, msg.heartbeat, upsert=True)
            written += 1
        return written
