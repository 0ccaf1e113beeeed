"""DropBars: delete some bars of one series, named by their open times.

Used by ``realign`` before a re-sync, for bars stored under an old alignment. The buckets that
hold them are read by exact ``_id`` (the one lookup the embedded server answers from its
``_id`` index), the bars held are unset in place, and a bucket left empty is deleted; their
rows in the live journal are unset the same way. The rest of the series, and every other
series, is untouched.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass

from pymongo import UpdateOne

from tui_market.infrastructure import bar_buckets as buckets
from tui_market.infrastructure import bar_journal
from tui_market.infrastructure.database import Database
from tui_market.models import Interval, SymbolRef

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DropBars:
    symbol: str
    interval: Interval
    times: tuple[int, ...]  # open epochs


class DropBarsHandler:
    def __init__(self, db: Database) -> None:
        self._bars = db.get_collection(buckets.BARS)
        self._journal = db.get_collection(bar_journal.JOURNAL)

    async def __call__(self, msg: DropBars) -> int:
        """Returns how many bars were deleted."""
        symbol, interval = SymbolRef.parse(msg.symbol).full, msg.interval
        wanted: dict[str, set[str]] = defaultdict(set)
        for epoch in set(msg.times):
            start = buckets.bucket_start(interval, epoch)
            wanted[buckets.bucket_id(symbol, interval, start)].add(buckets.bar_key(epoch))
        if not wanted:
            return 0
        ops, emptied, deleted = [], [], 0
        dropped: set[int] = set()  # open times taken from the buckets
        async for doc in self._bars.find({"_id": {"$in": sorted(wanted)}}, {"b": 1}):
            held = set(doc.get("b") or ())
            gone = held & wanted[doc["_id"]]
            if not gone:
                continue
            deleted += len(gone)
            dropped |= {int(key) for key in gone}
            if gone == held:
                emptied.append(doc["_id"])
                continue
            unset = {f"b.{key}": "" for key in sorted(gone)}
            ops.append(UpdateOne({"_id": doc["_id"]}, {"$unset": unset, "$inc": {"n": -len(gone)}}))
        if ops:
            await self._bars.bulk_write(ops, ordered=False)
        if emptied:
            await self._bars.delete_many({"_id": {"$in": emptied}})
        deleted += await self._unjournal(symbol, interval, set(msg.times), dropped)
        log.info("%s %s: %d bars deleted", symbol, interval.value, deleted)
        return deleted

    async def _unjournal(
        self, symbol: str, interval: Interval, times: set[int], dropped: set[int]
    ) -> int:
        """Remove the series' journaled rows at ``times``; returns the bars that only the
        journal held (the others are counted with their buckets)."""
        ids = [bar_journal.doc_id(interval, epoch) for epoch in sorted(times)]
        path = bar_journal.row_path(symbol)
        held = [
            d
            async for d in self._journal.find(
                {"_id": {"$in": ids}, path: {"$exists": True}}, {"e": 1}
            )
        ]
        if not held:
            return 0
        await self._journal.update_many(
            {"_id": {"$in": [d["_id"] for d in held]}}, {"$unset": {path: ""}}
        )
        return len({int(d["e"]) for d in held} - dropped)
