"""The incremental bar write both write handlers use (SaveBars for live bars, SyncHistory for
history): documents for one series, one read over the batch's span (``schema.series_filter``,
on the series index the calling handler ensures; ``write_series``) or, for bars of many series,
one read by their exact ``_id``s (``write_bars``); then ``insert_many`` for new bars and bulk
``ReplaceOne`` for changed ones. Unchanged bars cost no write at all. ``advance_tail`` keeps the
series' two newest closes in ``sync_state`` so ListSymbols never sorts ``ohlcv``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo import ReplaceOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

from tui_market.infrastructure import schema
from tui_market.models import Bar, Interval

log = logging.getLogger(__name__)
_DUPLICATE_KEY = 11000
Doc = dict[str, Any]


@dataclass(frozen=True, slots=True)
class WriteCounts:
    new: int
    updated: int
    unchanged: int


def series_docs(symbol: str, interval: Interval, bars: list[Bar] | tuple[Bar, ...]) -> list[Doc]:
    """Documents for one series keyed by ``symbol``/``interval``, sorted, one per open time."""
    by_id: dict[str, Doc] = {}
    prefix, name = schema.series_prefix(symbol, interval), interval.value
    width = len(schema.bar_id(symbol, interval, 0)) - len(prefix)  # = schema.bar_id, inlined
    for bar in bars:
        key = f"{prefix}{int(bar.time.timestamp()):0{width}d}"
        by_id[key] = {
            "_id": key,
            "symbol": symbol,
            "interval": name,
            "t": bar.time,
            "o": bar.open,
            "h": bar.high,
            "l": bar.low,
            "c": bar.close,
            "v": bar.volume,
        }
    return [by_id[key] for key in sorted(by_id)]


async def write_series(
    ohlcv: AsyncCollection[Doc], symbol: str, interval: Interval, docs: list[Doc]
) -> WriteCounts:
    """Write ``docs`` (one series, sorted by ``_id``): insert new, replace changed, skip same."""
    if not docs:
        return WriteCounts(0, 0, 0)
    start = int(docs[0]["t"].timestamp())
    end = int(docs[-1]["t"].timestamp()) + 1
    stored: dict[str, Doc] = {}
    async for doc in ohlcv.find(schema.series_filter(symbol, interval, start, end)):
        stored[doc["_id"]] = doc
    return await _apply(ohlcv, docs, stored)


async def write_bars(ohlcv: AsyncCollection[Doc], docs: list[Doc]) -> WriteCounts:
    """Write ``docs`` of any number of series (unique ``_id``s) in one pass: one read by exact
    ``_id`` (the embedded server's ``_id`` index answers ``$in``), then one insert and one bulk
    replace for all series. For live batches: a few bars of many series."""
    if not docs:
        return WriteCounts(0, 0, 0)
    ids = [doc["_id"] for doc in docs]
    stored = {doc["_id"]: doc async for doc in ohlcv.find({"_id": {"$in": ids}})}
    return await _apply(ohlcv, docs, stored)


async def _apply(
    ohlcv: AsyncCollection[Doc], docs: list[Doc], stored: dict[str, Doc]
) -> WriteCounts:
    """Insert the ``docs`` not in ``stored``, replace the changed ones, skip the rest."""
    fresh: list[Doc] = []
    changed: list[Doc] = []
    for doc in docs:
        old = stored.get(doc["_id"])
        if old is None:
            fresh.append(doc)
        elif not schema.same_values(old, doc):
            changed.append(doc)
    updated = len(changed)
    if fresh:
        changed.extend(await _insert_new(ohlcv, fresh))
    if changed:
        await ohlcv.bulk_write(
            [ReplaceOne({"_id": d["_id"]}, d, upsert=True) for d in changed], ordered=False
        )
    return WriteCounts(len(fresh), updated, len(docs) - len(fresh) - updated)


async def _insert_new(ohlcv: AsyncCollection[Doc], fresh: list[Doc]) -> list[Doc]:
    """Insert ``fresh``; returns the ones another writer inserted first (to be replaced)."""
    try:
        await ohlcv.insert_many(fresh, ordered=False)
    except BulkWriteError as exc:
        errors = exc.details.get("writeErrors", [])
        if any(e.get("code") != _DUPLICATE_KEY for e in errors):
            log.error("insert of %d bars failed: %s", len(fresh), exc.details)
            raise
        log.warning("%d bars were inserted concurrently; replacing them", len(errors))
        return [fresh[e["index"]] for e in errors]
    return []


def advance_tail(state: Doc | None, docs: list[Doc]) -> Doc | None:
    """The series' denormalised tail after writing ``docs`` (sorted), or None when unchanged.

    The tail is the two newest bars: ``last_bar``/``last_close``/``last_volume`` and
    ``prev_bar``/``prev_close``. ``docs`` wins over the stored tail for the same open time.
    """
    known: dict[datetime, tuple[float, float | None]] = {}
    if state is not None:
        if state.get("prev_bar") is not None:
            known[state["prev_bar"]] = (state["prev_close"], None)
        if state.get("last_bar") is not None and state.get("last_close") is not None:
            known[state["last_bar"]] = (state["last_close"], state.get("last_volume"))
    for doc in docs[-2:]:
        known[doc["t"]] = (doc["c"], doc["v"])
    if not known:
        return None
    times = sorted(known)
    last, prev = times[-1], (times[-2] if len(times) > 1 else None)
    tail: Doc = {
        "last_bar": last,
        "last_close": known[last][0],
        "last_volume": known[last][1],
        "prev_bar": prev,
        "prev_close": known[prev][0] if prev is not None else None,
    }
    if state is not None and all(state.get(k) == v for k, v in tail.items()):
        return None
    return tail
