"""AlertsVersion: a number that changes whenever the active alerts do (cheap to poll)."""

from __future__ import annotations

from dataclasses import dataclass

from tui_market.infrastructure import alert_schema
from tui_market.infrastructure.database import Database


@dataclass(frozen=True, slots=True)
class AlertsVersion:
    pass


class AlertsVersionHandler:
    def __init__(self, db: Database) -> None:
        self._counters = db.get_collection(alert_schema.COUNTERS)

    async def __call__(self, msg: AlertsVersion) -> int:
        doc = await self._counters.find_one({"_id": alert_schema.COUNTER_ID}, {"version": 1})
        return int(doc.get("version", 0)) if doc is not None else 0
