"""The writes on ``bar_journal`` (``infrastructure/bar_journal.py``): SaveBars' live batch
journaled (one document per interval and open time, whatever the number of series) and the
fold of an interval's journal into the buckets when its turn comes; and the rows a write
straight to the buckets (a sync, a backlog) makes stale, removed.
"""

from __future__ import annotations

import logging
from collections import defaultdict

from pymongo import DeleteOne, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection

from tui_market.commands.bar_writes import (
    Doc,
    WriteCounts,
    bulk,
    row_values,
    series_docs,
    write_bars,
)
from tui_market.infrastructure import bar_journal as journal
from tui_market.models import Bar, Interval

log = logging.getLogger(__name__)


async def journal_bars(coll: AsyncCollection[Doc], docs: list[Doc]) -> WriteCounts:
    """Journal ``docs`` (``bar_writes.series_docs`` values of any series): one read of the
    documents of their open times, one bulk write; a row already there the same is not
    written again."""
    minutes: dict[str, Doc] = defaultdict(dict)
    heads: dict[str, Doc] = {}
    for doc in docs:
        interval: Interval = doc["interval"]
        name = journal.doc_id(interval, doc["e"])
        minutes[name][journal.key(doc["symbol"])] = row_values(doc)
        heads[name] = {"i": interval.value, "e": doc["e"]}
    found = coll.find({"_id": {"$in": sorted(minutes)}})
    held = {d["_id"]: d.get("r") or {} async for d in found}
    ops: list[UpdateOne] = []
    whole: list[int] = []
    targets: list[str] = []  # the document each op writes
    new = updated = 0
    for name, rows in minutes.items():
        before = held.get(name)
        if before is None:
            whole.append(len(ops))
            targets.append(name)
            ops.append(
                UpdateOne({"_id": name}, {"$setOnInsert": {**heads[name], "r": rows}}, upsert=True)
            )
            new += len(rows)
            continue
        changed = {k: row for k, row in rows.items() if before.get(k) != row}
        new += sum(1 for k in changed if k not in before)
        updated += sum(1 for k in changed if k in before)
        if changed:
            targets.append(name)
            ops.append(_rows(name, changed))
    if ops:
        again = await bulk(coll, ops, whole)
        if again:  # documents another writer created meanwhile: our rows go in as fields
            redo = [_rows(targets[k], minutes[targets[k]]) for k in again]
            await coll.bulk_write(redo, ordered=False)
    return WriteCounts(new, updated, len(docs) - new - updated)


def _rows(name: str, rows: Doc) -> UpdateOne:
    return UpdateOne({"_id": name}, {"$set": {f"r.{k}": row for k, row in rows.items()}})


async def unjournal(
    coll: AsyncCollection[Doc], symbol: str, interval: Interval, docs: list[Doc]
) -> None:
    """Remove the series' journal rows in the range of ``docs`` (sorted), just written to the
    buckets: the journal's rows there are older news, and a reader takes them over the
    buckets'."""
    if not docs:
        return
    span = journal.series_query(interval, docs[0]["e"], docs[-1]["e"] + 1)
    path = journal.row_path(symbol)
    await coll.update_many({**span, path: {"$exists": True}}, {"$unset": {path: ""}})


def fold_due(docs: list[Doc]) -> set[Interval]:
    """The intervals whose journal a batch of ``docs`` folds: one of its open times is a
    fold slot (every ``FOLD_EVERY`` bar lengths from the epoch)."""
    return {
        doc["interval"]
        for doc in docs
        if (doc["e"] // doc["interval"].seconds) % journal.FOLD_EVERY == 0
    }


async def fold(coll: AsyncCollection[Doc], bars: AsyncCollection[Doc], interval: Interval) -> int:
    """Write the interval's journaled bars into their buckets (``bar_writes.write_bars``: one
    read, one bulk write, a bucket update per series) and delete the documents folded.
    Returns the bars folded."""
    held = [doc async for doc in coll.find(journal.series_query(interval))]
    by_series: dict[str, list[Bar]] = defaultdict(list)
    for doc in held:
        for bar in journal.all_bars(doc):
            by_series[bar.symbol].append(bar)
    rows = [row for name, got in by_series.items() for row in series_docs(name, interval, got)]
    if rows:
        await write_bars(bars, rows)
    if held:
        # Each document only as it was read: rows another writer added since stay journaled
        # (and are folded next time) instead of being deleted unwritten.
        gone = [DeleteOne({"_id": doc["_id"], "r": doc.get("r")}) for doc in held]
        result = await coll.bulk_write(gone, ordered=False)
        log.info(
            "journal %s: %d bars folded into their buckets (%d of %d documents changed "
            "meanwhile, kept)",
            interval.value,
            len(rows),
            len(held) - result.deleted_count,
            len(held),
        )
    return len(rows)
