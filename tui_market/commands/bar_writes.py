"""The incremental bar write both write handlers use (SaveBars for live bars, SyncHistory for
history), on the bucket layout of ``bar_buckets``: the documents the batch falls in are read
once (``write_series``: one series, by their time range on the series index the calling
handler ensures; ``write_bars``: many series, by exact ``_id``), then one ``bulk_write``.
Unchanged bars cost no write at all. A new bucket is inserted whole. Into an existing bucket,
a history write sets its new and changed bars in place (``b.<epoch>``) and folds the bucket's
side documents in with them; a live write inserts a new bar as a side document and folds a
series' sides when its turn comes (``bar_buckets.fold_due``). A changed bar is set where it is
held.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from pymongo import InsertOne, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

from tui_market.infrastructure import bar_buckets as buckets
from tui_market.models import Bar, Interval

log = logging.getLogger(__name__)
_DUPLICATE_KEY = 11000
Doc = dict[str, Any]
Row = list[float]
Op = InsertOne[Doc] | UpdateOne
_PROJECTED = 8  # open times a write reads projected; more: whole buckets
_SIDES_MAX = 2  # new bars of one bucket a live write inserts as sides; more: set in the bucket


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
    """Write ``docs`` of any number of series in one pass (a live batch: a few bars of many
    series): one read of their buckets and of the bars' side documents by exact ``_id`` (the
    embedded server's ``_id`` index answers ``$in``), one bulk write, then the folds due. A
    batch of a few open times is read projected to its bars; a longer one whole (the
    server's projection costs grow with its field count: 1,500 fields took 0.6 s, the whole
    buckets 2 ms)."""
    if not docs:
        return WriteCounts(0, 0, 0)
    places = [_place(doc) for doc in docs]
    ids = {bucket for bucket, _ in places} | {buckets.side_id(*place) for place in places}
    keys = {key for _, key in places}
    fields = {f"b.{key}": 1 for key in keys} if len(keys) <= _PROJECTED else {"b": 1}
    held = [b async for b in bars.find({"_id": {"$in": sorted(ids)}}, fields)]
    counts = await _apply(bars, docs, held, live=True)
    present, due = {doc["_id"] for doc in held}, set()
    for doc, (bucket, _) in zip(docs, places, strict=True):
        if buckets.fold_due(doc["interval"], bucket, doc["e"]):
            due.add(bucket)
        if bucket not in present:  # a series' first bar of a bucket: the last one's sides
            due.add(buckets.previous(bucket, doc["interval"]))
    await _fold(bars, due)
    return counts


async def _fold(bars: AsyncCollection[Doc], due: set[str]) -> None:
    """Fold the side documents of the ``due`` buckets into them: one read, one bulk write."""
    if not due:
        return
    heads = [buckets.head_of(bucket) for bucket in due]
    query = {
        "symbol": {"$in": sorted({h["symbol"] for h in heads})},
        "interval": {"$in": sorted({h["interval"] for h in heads})},
        "t": {"$in": sorted({h["t"] for h in heads})},
    }
    held = [doc async for doc in bars.find(query, {"b": 1}) if buckets.owner(doc["_id"]) in due]
    await _apply(bars, [], held)


async def _apply(
    bars: AsyncCollection[Doc], docs: list[Doc], held: list[Doc], *, live: bool = False
) -> WriteCounts:
    """Write the ``docs`` not in the ``held`` documents (buckets and sides) or different
    there. ``live``: a new bar of an existing bucket goes in as a side document, a changed
    one where it is held; else the held sides are folded into their buckets with the
    batch's bars (and deleted once the buckets hold them)."""
    stored: dict[tuple[str, str], Row] = {}
    holders: dict[tuple[str, str], list[str]] = defaultdict(list)
    existing = {doc["_id"] for doc in held if buckets.owner(doc["_id"]) == doc["_id"]}
    rows: dict[str, Doc] = defaultdict(dict)  # document -> key -> row, set as fields
    fresh: dict[str, int] = defaultdict(int)  # bucket -> bars new to it
    own = {
        (doc["_id"], key) for doc in held if doc["_id"] in existing for key in doc.get("b") or ()
    }
    folded = []
    for doc in held:
        bucket = buckets.owner(doc["_id"])
        for key, row in (doc.get("b") or {}).items():
            stored[(bucket, key)] = row
            holders[(bucket, key)].append(doc["_id"])
            if not live and doc["_id"] != bucket:
                rows[bucket][key] = row
                fresh[bucket] += (bucket, key) not in own  # not if a fold was cut short
        if not live and doc["_id"] != bucket:
            folded.append(doc["_id"])
    sides: dict[str, Doc] = defaultdict(dict)  # bucket -> key -> row, inserted as sides
    new = updated = 0
    for doc in docs:
        bucket, key = _place(doc)
        row = [doc["o"], doc["h"], doc["l"], doc["c"], doc["v"]]
        old = stored.get((bucket, key))
        if old == row:
            continue
        if old is not None:
            updated += 1
            for holder in holders[(bucket, key)] if live else [bucket]:
                rows[holder][key] = row
        else:
            new += 1
            if live and bucket in existing:
                sides[bucket][key] = row
            else:
                rows[bucket][key] = row
                fresh[bucket] += 1
    for bucket, values in list(sides.items()):
        if len(values) > _SIDES_MAX:  # a backlog: its bars are cheaper set in the bucket
            rows[bucket] |= values
            fresh[bucket] += len(values)
            del sides[bucket]
    ops: list[Op] = []
    fallback: dict[int, UpdateOne] = {}
    for target, values in rows.items():
        if buckets.owner(target) != target:  # a side's changed bar
            ops.append(UpdateOne({"_id": target}, {"$set": _paths(values)}))
        elif target in existing:
            ops.append(_fields(target, values, fresh[target]))
        else:
            fallback[len(ops)] = _fields(target, values, fresh[target])
            body = {**buckets.head_of(target), "b": values, "n": len(values)}
            ops.append(UpdateOne({"_id": target}, {"$setOnInsert": body}, upsert=True))
    for bucket, values in sides.items():
        for key, row in values.items():
            side = buckets.side_id(bucket, key)
            fallback[len(ops)] = UpdateOne({"_id": side}, {"$set": _paths({key: row})})
            body = {**buckets.head_of(bucket), "b": {key: row}, "n": 1, "side": True}
            ops.append(InsertOne({"_id": side, **body}))
    if ops:
        await _bulk(bars, ops, fallback)
    if folded:  # only now do the buckets hold the sides' bars
        await bars.delete_many({"_id": {"$in": folded}})
    return WriteCounts(new, updated, len(docs) - new - updated)


def _paths(values: Doc) -> Doc:
    return {f"b.{key}": row for key, row in values.items()}


def _fields(bucket: str, values: Doc, fresh: int) -> UpdateOne:
    return UpdateOne(
        {"_id": bucket},
        {"$set": _paths(values), "$inc": {"n": fresh}, "$setOnInsert": buckets.head_of(bucket)},
        upsert=True,
    )


async def _bulk(bars: AsyncCollection[Doc], ops: list[Op], fallback: dict[int, UpdateOne]) -> None:
    """One unordered bulk write. An insert (a new bucket, a side) whose document another
    writer created since it was read is written again by its ``fallback``, as fields."""
    try:
        result = await bars.bulk_write(ops, ordered=False)
        inserted = set(result.upserted_ids or {}) | {
            k for k in fallback if isinstance(ops[k], InsertOne)
        }
    except BulkWriteError as exc:
        errors = exc.details.get("writeErrors", [])
        if any(e.get("code") != _DUPLICATE_KEY for e in errors):
            log.error("bar write of %d documents failed: %s", len(ops), exc.details)
            raise
        raced = {e["index"] for e in errors}
        upserted = {u["index"] for u in exc.details.get("upserted", [])}
        sides = {k for k in fallback if isinstance(ops[k], InsertOne)}
        inserted = upserted | (sides - raced)
    again = [fallback[k] for k in sorted(fallback) if k not in inserted]
    if again:
        log.warning("%d bar documents were created concurrently; writing again", len(again))
        await bars.bulk_write(again, ordered=False)
