"""Read a whole test database back, to compare stores before and after a command."""

from __future__ import annotations

from typing import Any

from tui_market.infrastructure import alert_schema, schema
from tui_market.infrastructure.database import Database

# What a run reports about itself (time of the attempt, counts of its own writes) moves on by
# design; idempotence is about everything else.
VOLATILE = frozenset({"synced_at", "new", "updated", "unchanged", "rejected"})


ALERTS = (alert_schema.ALERTS, alert_schema.ALERT_EVENTS, alert_schema.COUNTERS)


async def dump(db: Database, also: tuple[str, ...] = ()) -> dict[str, list[dict[str, Any]]]:
    """The watchlist, bars and sync state, plus the collections ``also`` names."""
    out: dict[str, list[dict[str, Any]]] = {}
    for name in (schema.SYMBOLS, schema.OHLCV, schema.SYNC_STATE, *also):
        docs = [
            {k: v for k, v in doc.items() if k not in VOLATILE}
            async for doc in db.get_collection(name).find({})
        ]
        out[name] = sorted(docs, key=lambda d: d["_id"])
    return out
