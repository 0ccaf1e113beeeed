"""The follower's reads: the change stream over the desk's collections, and the catch-up read.

``DeskChanges.open(token)`` watches ``live``, ``desk``, ``bars`` and ``bar_journal`` (where
live bars land first) in one database-level change stream (one resume token for all), from
``token`` when given. ``ReadDesk`` reads what a follower must hold whatever the stream
missed: the heartbeat, the live documents, and the bars stored after the newest one it holds
per series. It runs when a stream is (re)opened, and covers what a stream opened afresh (not
from a token) did not see.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.change_stream import AsyncChangeStream

from tui_market.infrastructure import bar_buckets, bar_journal, desk_schema
from tui_market.infrastructure.database import Database
from tui_market.models import Bar, Interval

log = logging.getLogger(__name__)
WATCHED = [desk_schema.LIVE, desk_schema.DESK, bar_buckets.BARS, bar_journal.JOURNAL]
CHANGES = ["insert", "update", "replace"]
Change = dict[str, Any]


class DeskChanges:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def open(
        self, token: Mapping[str, Any] | None, max_await: float = 0.5
    ) -> AsyncChangeStream[Change]:
        pipeline = [{"$match": {"ns.coll": {"$in": WATCHED}, "operationType": {"$in": CHANGES}}}]
        return await self._db.client.get_database(self._db.name).watch(
            pipeline,
            full_document="updateLookup",
            resume_after=token,
            max_await_time_ms=int(max_await * 1000),
        )


@dataclass(frozen=True, slots=True)
class ReadDesk:
    symbols: tuple[str, ...] | None  # None: every live document
    after: Mapping[tuple[str, Interval], int] = field(default_factory=dict)  # newest epoch held
    intervals: tuple[Interval, ...] = ()  # series to read; default: those the ingester saves
    last: int = 300  # bars per series at most


@dataclass(frozen=True, slots=True)
class DeskState:
    heartbeat: desk_schema.Doc | None
    live: list[desk_schema.Doc]
    bars: list[Bar]
    now: datetime


class ReadDeskHandler:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def __call__(self, msg: ReadDesk) -> DeskState:
        desk = self._db.get_collection(desk_schema.DESK)
        heartbeat = await desk.find_one({"_id": desk_schema.HEARTBEAT_ID})
        query = {} if msg.symbols is None else {"_id": {"$in": list(msg.symbols)}}
        live = [doc async for doc in self._db.get_collection(desk_schema.LIVE).find(query)]
        symbols = msg.symbols or tuple(str(doc["_id"]) for doc in live)
        intervals = msg.intervals or _persisted(heartbeat)
        series = set(msg.after) | {(s, i) for s in symbols for i in intervals}
        bars: list[Bar] = []
        for symbol, interval in sorted(series):
            after = msg.after.get((symbol, interval))
            bars.extend(await self._bars_after(symbol, interval, after, msg.last))
        return DeskState(heartbeat, live, bars, datetime.now(UTC))

    async def _bars_after(
        self, symbol: str, interval: Interval, after: int | None, last: int
    ) -> list[Bar]:
        """The newest ``last`` bars of the series opened after ``after``, oldest first (its
        journaled live bars over its buckets')."""
        bars = self._db.get_collection(bar_buckets.BARS)
        start = after + 1 if after is not None else None
        cursor = bars.find(bar_buckets.bucket_filter(symbol, interval, start)).sort("t", -1)
        docs = await bar_buckets.newest(cursor.batch_size(bar_buckets.batch_for(last)), last)
        await cursor.close()
        journal = self._db.get_collection(bar_journal.JOURNAL)
        query = bar_journal.series_query(interval, start)
        rows = [d async for d in journal.find(query, bar_journal.series_fields(symbol))]
        stored = bar_buckets.unpack(docs, start)
        return bar_journal.over(stored, bar_journal.series_bars(rows, symbol, interval))[-last:]


def _persisted(heartbeat: desk_schema.Doc | None) -> tuple[Interval, ...]:
    """The intervals the ingester saves, from its heartbeat (none when unreadable)."""
    if heartbeat is None:
        return ()
    try:
        return desk_schema.read_heartbeat(heartbeat).persist
    except ValueError as exc:
        log.error("unreadable heartbeat: %s", exc)
        return ()
