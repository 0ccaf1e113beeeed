"""GetSyncState: the outcome of the last history sync of one series, or None if never synced."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tui_market.infrastructure import schema
from tui_market.infrastructure.database import Database
from tui_market.models import Interval, SymbolRef


@dataclass(frozen=True, slots=True)
class GetSyncState:
    symbol: str
    interval: Interval


@dataclass(frozen=True, slots=True)
class SyncState:
    symbol: str
    interval: Interval
    synced_at: datetime
    last_bar: datetime | None
    status: str  # "ok" | "error"
    error: str | None
    new: int
    updated: int
    unchanged: int


def as_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def state_from_doc(doc: dict[str, Any]) -> SyncState | None:
    """A stored sync_state document as a SyncState; None when only live bars touched it."""
    synced_at = as_utc(doc.get("synced_at"))
    if synced_at is None or doc.get("status") is None:
        return None
    return SyncState(
        symbol=doc["symbol"],
        interval=Interval(doc["interval"]),
        synced_at=synced_at,
        last_bar=as_utc(doc.get("last_bar")),
        status=doc["status"],
        error=doc.get("error"),
        new=doc.get("new", 0),
        updated=doc.get("updated", 0),
        unchanged=doc.get("unchanged", 0),
    )


class GetSyncStateHandler:
    def __init__(self, db: Database) -> None:
        self._state = db.get_collection(schema.SYNC_STATE)

    async def __call__(self, msg: GetSyncState) -> SyncState | None:
        symbol = SymbolRef.parse(msg.symbol).full
        doc = await self._state.find_one({"_id": schema.sync_id(symbol, msg.interval)})
        return None if doc is None else state_from_doc(doc)
