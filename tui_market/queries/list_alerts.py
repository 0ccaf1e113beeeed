"""ListAlerts: the stored alerts by id (only the active ones: what the live worker watches)."""

from __future__ import annotations

from dataclasses import dataclass

from tui_market.infrastructure import alert_schema
from tui_market.infrastructure.database import Database
from tui_market.models.alert import Alert


@dataclass(frozen=True, slots=True)
class ListAlerts:
    active_only: bool = False


class ListAlertsHandler:
    def __init__(self, db: Database) -> None:
        self._alerts = db.get_collection(alert_schema.ALERTS)

    async def __call__(self, msg: ListAlerts) -> list[Alert]:
        query = {"active": True} if msg.active_only else {}
        docs = [doc async for doc in self._alerts.find(query)]
        return sorted((alert_schema.doc_to_alert(d) for d in docs), key=lambda a: a.id)
