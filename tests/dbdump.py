"""Read a whole test database back, to compare stores before and after a command.

Bars are stored in buckets (``bar_buckets``) and, live ones until folded, in the journal
(``bar_journal``); the dump lists them one per bar, in the shape
``schema.bar_to_doc`` gives (``_id`` = ``schema.bar_id``), so tests count and look up bars,
not buckets. Each bucket's ``n`` is checked against the bars it holds.
"""

from __future__ import annotations

from typing import Any

from tui_market.infrastructure import alert_schema, bar_buckets, live_tails, schema
from tui_market.infrastructure.database import Database
from tui_market.models import Bar, Interval

# What a run reports about itself (time of the attempt, counts of its own writes) moves on by
# design; idempotence is about everything else.
VOLATILE = frozenset({"synced_at", "new", "updated", "unchanged", "rejected"})
BARS = bar_buckets.BARS
JOURNAL = "bar_journal"  # live bars on their way to the buckets

ALERTS = (alert_schema.ALERTS, alert_schema.ALERT_EVENTS, alert_schema.COUNTERS)


def bar_docs(
    buckets: list[dict[str, Any]], journal: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """The bars of ``buckets``, one plain document each, sorted by series and time, with the
    live journal's rows over them (read here by hand: ``{"i", "e", "r": {symbol: row}}``,
    a symbol's ``.`` stored as ``~``)."""
    out = {}
    for bucket in buckets:
        held = bucket.get("b") or {}
        assert bucket.get("n") == len(held), f"bucket {bucket['_id']}: n={bucket.get('n')}"
        for bar in bar_buckets.unpack([bucket]):
            doc = schema.bar_to_doc(bar)
            out[doc["_id"]] = doc
    for minute in journal or []:
        for name, (o, h, low, c, v) in minute["r"].items():
            symbol, interval = name.replace("~", "."), Interval(minute["i"])
            bar = Bar.from_epoch(symbol, interval, minute["e"], o, h, low, c, v)
            doc = schema.bar_to_doc(bar)
            out[doc["_id"]] = doc
    return [out[key] for key in sorted(out)]


async def dump(db: Database, also: tuple[str, ...] = ()) -> dict[str, list[dict[str, Any]]]:
    """The watchlist, bars, sync state and live tails, plus the collections ``also`` names."""
    out: dict[str, list[dict[str, Any]]] = {}
    for name in (schema.SYMBOLS, BARS, schema.SYNC_STATE, live_tails.LIVE_TAILS, *also):
        docs = [
            {k: v for k, v in doc.items() if k not in VOLATILE}
            async for doc in db.get_collection(name).find({})
        ]
        out[name] = sorted(docs, key=lambda d: d["_id"])
    journal = [doc async for doc in db.get_collection(JOURNAL).find({})]
    out[BARS] = bar_docs(out[BARS], journal)
    return out
