"""RecordAlertFired: store that alerts fired (a batch: a burst of firings is one round trip per
collection), and spend the once-only ones.

A once-only alert is spent (``active`` False) only if it is still active: one spent by another
live worker, or removed, gets no event here. Each event's ``_id`` (alert id and stream time)
makes a repeated write of the same firing a no-op: the TUI and a ``watch`` that see the same
tick store one event. A restart reads a spent alert as inactive: it never fires again.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pymongo import UpdateOne
from pymongo.errors import BulkWriteError

from tui_market.commands.add_symbol import utc_now
from tui_market.infrastructure import alert_schema
from tui_market.infrastructure.database import Database
from tui_market.models.alert import AlertFired

log = logging.getLogger(__name__)
Source = Literal["tui", "watch"]
_DUPLICATE_KEY = 11000


@dataclass(frozen=True, slots=True)
class RecordAlertFired:
    fired: tuple[AlertFired, ...]
    source: Source


class RecordAlertFiredHandler:
    def __init__(self, db: Database, clock: Callable[[], datetime] = utc_now) -> None:
        self._alerts = db.get_collection(alert_schema.ALERTS)
        self._events = db.get_collection(alert_schema.ALERT_EVENTS)
        self._counters = db.get_collection(alert_schema.COUNTERS)
        self._clock = clock

    async def __call__(self, msg: RecordAlertFired) -> int:
        """How many events this call stored (repeats and spent alerts store none)."""
        now = self._clock()
        once = {f.alert.id for f in msg.fired if not f.alert.rearm}
        live: set[int] = set()
        if once:
            cursor = self._alerts.find({"_id": {"$in": sorted(once)}, "active": True}, {"_id": 1})
            live = {doc["_id"] async for doc in cursor}
        kept = [f for f in msg.fired if f.alert.rearm or f.alert.id in live]
        if len(kept) < len(msg.fired):
            log.info("alerts %s were spent or removed already", sorted(once - live))
        if not kept:
            return 0
        counts = Counter(f.alert.id for f in kept)
        await self._alerts.bulk_write(
            [
                UpdateOne(
                    {"_id": alert_id},
                    {
                        "$set": {
                            "fired_at": now,
                            **({"active": False} if alert_id in live else {}),
                        },
                        "$inc": {"fired_count": n},
                    },
                )
                for alert_id, n in counts.items()
            ],
            ordered=False,
        )
        if live:  # the active set changed: other live workers read it again
            await self._counters.update_one(
                {"_id": alert_schema.COUNTER_ID}, alert_schema.BUMP_VERSION
            )
        docs = [alert_schema.event_to_doc(f, msg.source, now) for f in kept]
        try:
            await self._events.insert_many(docs, ordered=False)
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors", [])
            if any(e.get("code") != _DUPLICATE_KEY for e in errors):
                log.error("storing %d alert events failed: %s", len(docs), exc.details)
                raise
            log.info("%d alert events were stored already", len(errors))
            return len(docs) - len(errors)
        return len(docs)
