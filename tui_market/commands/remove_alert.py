"""RemoveAlert: delete an alert by id (its fired events stay, as history)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from tui_market.infrastructure import alert_schema
from tui_market.infrastructure.database import Database
from tui_market.models.alert import Alert

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RemoveAlert:
    id: int


class RemoveAlertHandler:
    def __init__(self, db: Database) -> None:
        self._alerts = db.get_collection(alert_schema.ALERTS)
        self._counters = db.get_collection(alert_schema.COUNTERS)

    async def __call__(self, msg: RemoveAlert) -> Alert | None:
        """The removed alert, or None when there was no alert with that id."""
        doc = await self._alerts.find_one_and_delete({"_id": msg.id})
        if doc is None:
            return None
        alert = alert_schema.doc_to_alert(doc)
        await self._counters.update_one({"_id": alert_schema.COUNTER_ID}, alert_schema.BUMP_VERSION)
        log.info("alert %d removed: %s", alert.id, alert.condition)
        return alert
