"""MarkAlertEventsSeen: the TUI has listed these events (fired while it was closed)."""

from __future__ import annotations

from dataclasses import dataclass

from tui_market.infrastructure import alert_schema
from tui_market.infrastructure.database import Database


@dataclass(frozen=True, slots=True)
class MarkAlertEventsSeen:
    ids: tuple[str, ...]


class MarkAlertEventsSeenHandler:
    def __init__(self, db: Database) -> None:
        self._events = db.get_collection(alert_schema.ALERT_EVENTS)

    async def __call__(self, msg: MarkAlertEventsSeen) -> int:
        if not msg.ids:
            return 0
        result = await self._events.update_many(
            {"_id": {"$in": list(msg.ids)}}, {"$set": {"seen": True}}
        )
        return result.modified_count
