"""RecordAlertFired: store that an alert fired, and spend a once-only alert.

A once-only alert is spent with a conditional update (``active: True`` -> False), and its
event stored only when that update matched: a second process that saw the same firing stores
nothing more. The event's ``_id`` (alert id and stream time) makes a repeated write of the same
firing a no-op for re-arming alerts too. A restart reads the alert as inactive: never again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pymongo.errors import DuplicateKeyError

from tui_market.commands.add_symbol import utc_now
from tui_market.infrastructure import alert_schema
from tui_market.infrastructure.database import Database
from tui_market.models.alert import AlertFired

log = logging.getLogger(__name__)
Source = Literal["tui", "watch"]


@dataclass(frozen=True, slots=True)
class RecordAlertFired:
    fired: AlertFired
    source: Source


class RecordAlertFiredHandler:
    def __init__(self, db: Database, clock: Callable[[], datetime] = utc_now) -> None:
        self._alerts = db.get_collection(alert_schema.ALERTS)
        self._events = db.get_collection(alert_schema.ALERT_EVENTS)
        self._clock = clock

    async def __call__(self, msg: RecordAlertFired) -> bool:
        """True when this call stored the event (False: stored before, or spent elsewhere)."""
        alert, now = msg.fired.alert, self._clock()
        match: dict[str, object] = {"_id": alert.id}
        change: dict[str, object] = {"fired_at": now}
        if not alert.rearm:
            match["active"] = True
            change["active"] = False
        result = await self._alerts.update_one(match, {"$set": change, "$inc": {"fired_count": 1}})
        if not alert.rearm and result.matched_count == 0:
            log.info("alert %d was spent or removed already; event not stored again", alert.id)
            return False
        try:
            await self._events.insert_one(alert_schema.event_to_doc(msg.fired, msg.source, now))
        except DuplicateKeyError:
            log.info(
                "alert %d: event %s stored already", alert.id, alert_schema.event_id(msg.fired)
            )
            return False
        return True
