"""ListAlertEvents: fired alerts, newest first (only those not yet seen in the TUI, or all)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pymongo import DESCENDING

from tui_market.infrastructure import alert_schema
from tui_market.infrastructure.database import Database


@dataclass(frozen=True, slots=True)
class ListAlertEvents:
    unseen_only: bool = False
    limit: int = 50


@dataclass(frozen=True, slots=True)
class AlertEvent:
    id: str
    alert_id: int
    symbol: str
    text: str
    price: float
    ts: datetime  # stream time of the tick or bar that fired it
    source: str


class ListAlertEventsHandler:
    def __init__(self, db: Database) -> None:
        self._events = db.get_collection(alert_schema.ALERT_EVENTS)

    async def __call__(self, msg: ListAlertEvents) -> list[AlertEvent]:
        query = {"seen": False} if msg.unseen_only else {}
        cursor = self._events.find(query).sort("stored_at", DESCENDING).limit(msg.limit)
        return [
            AlertEvent(
                id=doc["_id"],
                alert_id=int(doc["alert_id"]),
                symbol=doc["symbol"],
                text=doc["text"],
                price=float(doc["price"]),
                ts=alert_schema.as_utc(doc["ts"]) or doc["ts"],
                source=doc.get("source", ""),
            )
            async for doc in cursor
        ]
