"""Read a whole test database back, to compare stores before and after a command.

Bars are stored in buckets (``bar_buckets``); the dump lists them one per bar, in the shape
``schema.bar_to_doc`` gives (``_id`` = ``schema.bar_id``), so tests count and look up bars,
not buckets. Each bucket's ``n`` is checked against the bars it holds.
"""

from __future__ import annotations

from typing import Any

from tui_market.infrastructure import alert_schema, bar_buckets, live_tails, schema
from tui_market.infrastructure.database import Database

# What a run reports about itself (time of the attempt, counts of its own writes) moves on by
# design; idempotence is about everything else.
VOLATILE = frozenset({"synced_at", "new", "updated", "unchanged", "rejected"})
BARS = bar_buckets.BARS

ALERTS = (alert_schema.ALERTS, alert_schema.ALERT_EVENTS, alert_schema.COUNTERS)


def bar_docs(buckets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The bars of ``buckets``, one plain document each, sorted by series and time."""
    out = []
    for bucket in buckets:
        held = bucket.get("b") or {}
        assert bucket.get("n") == len(held), f"bucket {bucket['_id']}: n={bucket.get('n')}"
        out.extend(schema.bar_to_doc(bar) for bar in bar_buckets.unpack([bucket]))
    return sorted(out, key=lambda d: d["_id"])


async def dump(db: Database, also: tuple[str, ...] = ()) -> dict[str, list[dict[str, Any]]]:
    """The watchlist, bars, sync state and live tails, plus the collections ``also`` names."""
    out: dict[str, list[dict[str, Any]]] = {}
    for name in (schema.SYMBOLS, BARS, schema.SYNC_STATE, live_tails.LIVE_TAILS, *also):
        docs = [
            {k: v for k, v in doc.items() if k not in VOLATILE}
            async for doc in db.get_collection(name).find({})
        ]
        out[name] = sorted(docs, key=lambda d: d["_id"])
    out[BARS] = bar_docs(out[BARS])
    return out
