"""The incremental bar write both write handlers use (SaveBars for live bars, SyncHistory for
history), on the bucket layout of ``bar_buckets``: the buckets the batch falls in are read
once (``write_series``: one series, by their time range on the series index the calling
handler ensures; ``write_bars``: many series, by exact ``_id``), then one ``bulk_write``: a new
bucket is inserted whole, an existing one gets its new and changed bars set in place
(``b.<epoch>``). Unchanged bars cost no write at all.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

from tui_market.infrastructure import bar_buckets as buckets
from tui_market.models import Bar, Interval

log = logging.getLogger(__name__)
_DUPLICATE_KEY = 11000
Doc = dict[str, Any]
_PROJECTED = 8  # open times a write reads projected; more: whole buckets


@dataclass(frozen=True, slots=True)
class WriteCounts:
    new: int
    updated: int
    unchanged: int


def series_docs(symbol: str, interval: Interval, bars: list[Bar] | tuple[Bar, ...]) -> list[Doc]:
    """One series' bars as plain values (``e`` = open epoch, ``t``, ``o`` .. ``v``), sorted by
    time, one per open time (the last given wins)."""
    by_epoch: dict[int, Doc] = {}
    for bar in bars:
        epoch = int(bar.time.timestamp())
        by_epoch[epoch] = {
            "symbol": symbol,
            "interval": interval,
            "e": epoch,
            "t": bar.time,
            "o": bar.open,
            "h": bar.high,
            "l": bar.low,
            "c": bar.close,
            "v": bar.volume,
        }
    return [by_epoch[epoch] for epoch in sorted(by_epoch)]


def row_values(doc: Doc) -> list[float]:
    """A ``series_docs`` value as stored: ``[o, h, l, c, v]``."""
    return [doc["o"], doc["h"], doc["l"], doc["c"], doc["v"]]


def _place(doc: Doc) -> tuple[str, str]:
    interval: Interval = doc["interval"]
    start = buckets.bucket_start(interval, doc["e"])
    return buckets.bucket_id(doc["symbol"], interval, start), buckets.bar_key(doc["e"])


async def write_series(
    bars: AsyncCollection[Doc], symbol: str, interval: Interval, docs: list[Doc]
) -> WriteCounts:
    """Write ``docs`` (one series, sorted): set new and changed bars, skip the same."""
    if not docs:
        return WriteCounts(0, 0, 0)
    query = buckets.bucket_filter(symbol, interval, docs[0]["e"], docs[-1]["e"] + 1)
    return await _apply(bars, docs, [bucket async for bucket in bars.find(query, {"b": 1})])


async def write_bars(bars: AsyncCollection[Doc], docs: list[Doc]) -> WriteCounts:
    """Write ``docs`` of any number of series in one pass: one read of their buckets by exact
    ``_id`` (the embedded server's ``_id`` index answers ``$in``), then one bulk write. For
    live batches: a few bars of many series. A batch of a few open times is read projected to
    its bars; a longer one whole (the server's projection costs grow with its field count:
    1,500 fields took 0.6 s, the whole buckets 2 ms)."""
    if not docs:
        return WriteCounts(0, 0, 0)
    places = [_place(doc) for doc in docs]
    ids = sorted({bucket for bucket, _ in places})
    keys = {key for _, key in places}
    fields = {f"b.{key}": 1 for key in keys} if len(keys) <= _PROJECTED else {"b": 1}
    return await _apply(bars, docs, [b async for b in bars.find({"_id": {"$in": ids}}, fields)])


async def _apply(bars: AsyncCollection[Doc], docs: list[Doc], held: list[Doc]) -> WriteCounts:
    """Set the ``docs`` not in the ``held`` buckets or different there: a bucket that exists
    gets its new and changed bars set one by one (``b.<epoch>``); a new bucket is inserted
    whole (5x cheaper on the server than as fields)."""
    stored = {(b["_id"], key): row for b in held for key, row in (b.get("b") or {}).items()}
    existing = {b["_id"] for b in held}
    rows: dict[str, Doc] = defaultdict(dict)
    fresh: dict[str, int] = defaultdict(int)
    heads: dict[str, Doc] = {}
    new = updated = 0
    for doc in docs:
        bucket, key = _place(doc)
        row = row_values(doc)
        old = stored.get((bucket, key))
        if old == row:
            continue
        rows[bucket][key] = row
        if old is None:
            new += 1
            fresh[bucket] += 1
        else:
            updated += 1
        if bucket not in heads:
            interval: Interval = doc["interval"]
            start = buckets.bucket_start(interval, doc["e"])
            head = {"symbol": doc["symbol"], "interval": interval.value, "t": buckets.utc(start)}
            heads[bucket] = head
    if rows:
        ops, whole = [], []
        for bucket, values in rows.items():
            if bucket in existing:
                ops.append(_fields(bucket, values, fresh[bucket], heads[bucket]))
            else:
                whole.append(len(ops))
                body = {**heads[bucket], "b": values, "n": len(values)}
                ops.append(UpdateOne({"_id": bucket}, {"$setOnInsert": body}, upsert=True))
        again = await bulk(bars, ops, whole)
        if again:  # buckets another writer created meanwhile: our bars go in as fields
            redo = [list(rows)[k] for k in again]
            await bars.bulk_write(
                [_fields(b, rows[b], fresh[b], heads[b]) for b in redo], ordered=False
            )
    return WriteCounts(new, updated, len(docs) - new - updated)


def _fields(bucket: str, values: Doc, fresh: int, head: Doc) -> UpdateOne:
    sets = {f"b.{key}": row for key, row in values.items()}
    return UpdateOne(
        {"_id": bucket}, {"$set": sets, "$inc": {"n": fresh}, "$setOnInsert": head}, upsert=True
    )


async def bulk(coll: AsyncCollection[Doc], ops: list[UpdateOne], whole: list[int]) -> list[int]:
    """One unordered bulk write; returns the ``whole`` inserts (upserts of a new document)
    that found their document already there (created by another writer since it was read),
    to be written as fields. Used for buckets and for the live journal's documents."""
    try:
        result = await coll.bulk_write(ops, ordered=False)
    except BulkWriteError as exc:
        errors = exc.details.get("writeErrors", [])
        if any(e.get("code") != _DUPLICATE_KEY for e in errors):
            log.error("bar write of %d documents failed: %s", len(ops), exc.details)
            raise
        log.warning("%d documents were created concurrently; writing again", len(errors))
        raced = {e["index"] for e in errors}
        inserted = {u["index"] for u in exc.details.get("upserted", [])}
        return [k for k in range(len(ops)) if k in raced or (k in whole and k not in inserted)]
    upserted = result.upserted_ids or {}
    return [k for k in whole if k not in upserted]
