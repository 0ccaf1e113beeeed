"""Live bars on their way to their buckets: ``bar_journal``, one document per interval and bar
open time, holding that bar of every series saved live::

    {"_id": "1m|001796380560", "i": "1m", "e": 1796380560,
     "r": {"NASDAQ:AAPL": [o, h, l, c, v], "NYSE:BRK~B": [...], ...}}

Why: a live minute closes one bar per symbol. Set in their buckets, 50 symbols' bars are 50
bucket updates, and the embedded server spends 1-2 ms on each (its per-document costs; see
benchmarks/RESULTS.md); a small side document per bar costs as much again to delete. Here the
minute is one document. Every ``FOLD_EVERY`` bar slots the interval's journal is folded into
the buckets: one bucket update per series for all its journaled bars, then the journal's
documents are deleted.

Who wins: a journal row is newer than the bar its bucket holds. A sync removes the series'
rows in the range it writes (its bars are the newest word there), DropBars and RemoveSymbol
remove theirs, and a fold writes them into the buckets before deleting them. Readers take a
series' rows from the interval's journal (a handful of documents, read whole and projected
to the series) over its buckets' bars.

Field names: a symbol's ``.`` (``NYSE:BRK.B``) would split the path, so it is stored as ``~``,
which no symbol may contain.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from tui_market.infrastructure.bar_buckets import Row, to_bar
from tui_market.models import Bar, Interval

JOURNAL = "bar_journal"
FOLD_EVERY = 30  # bar slots between two folds of an interval's journal (30 minutes of 1m)
Doc = dict[str, Any]


def key(symbol: str) -> str:
    return symbol.replace(".", "~")


def symbol_of(field: str) -> str:
    return field.replace("~", ".")


def doc_id(interval: Interval, epoch: int) -> str:
    return f"{interval.value}|{epoch:012d}"


def row_path(symbol: str) -> str:
    return f"r.{key(symbol)}"


def series_query(interval: Interval, start: int | None = None, stop: int | None = None) -> Doc:
    """The interval's journal documents of bars in ``start <= e < stop`` (open bounds)."""
    query: Doc = {"i": interval.value}
    bounds = {}
    if start is not None:
        bounds["$gte"] = start
    if stop is not None:
        bounds["$lt"] = stop
    if bounds:
        query["e"] = bounds
    return query


def series_fields(symbol: str) -> Doc:
    """The projection that keeps one series' rows."""
    return {"e": 1, row_path(symbol): 1}


def series_rows(docs: Iterable[Mapping[str, Any]], symbol: str) -> dict[int, Row]:
    """open epoch -> row of ``symbol`` in journal ``docs``."""
    name = key(symbol)
    return {int(doc["e"]): doc["r"][name] for doc in docs if name in (doc.get("r") or {})}


def series_bars(docs: Iterable[Mapping[str, Any]], symbol: str, interval: Interval) -> list[Bar]:
    rows = series_rows(docs, symbol)
    return [to_bar(symbol, interval, epoch, rows[epoch]) for epoch in sorted(rows)]


def over(stored: list[Bar], journaled: list[Bar]) -> list[Bar]:
    """A series' stored bars with its journaled ones over them (same open time: the journal's),
    oldest first."""
    if not journaled:
        return stored
    by_time = {bar.time: bar for bar in stored} | {bar.time: bar for bar in journaled}
    return [by_time[t] for t in sorted(by_time)]


def all_bars(doc: Mapping[str, Any]) -> list[Bar]:
    """Every bar one journal document holds. Raises ``KeyError``/``ValueError``/``TypeError`` on
    a malformed document."""
    interval, epoch = Interval(doc["i"]), int(doc["e"])
    return [to_bar(symbol_of(name), interval, epoch, row) for name, row in doc["r"].items()]


def changed_bars(change: Mapping[str, Any]) -> list[Bar]:
    """The bars a change event of ``bar_journal`` wrote: every row of an inserted document,
    the ``r.<symbol>`` fields of an update (not what a fold's delete removes)."""
    doc = change.get("fullDocument") or {}
    fields = (change.get("updateDescription") or {}).get("updatedFields")
    if change.get("operationType") != "update" or fields is None:
        return all_bars(doc)
    interval, epoch = Interval(doc["i"]), int(doc["e"])
    return [
        to_bar(symbol_of(path[2:]), interval, epoch, row)
        for path, row in fields.items()
        if path.startswith("r.")
    ]
