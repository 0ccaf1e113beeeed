"""How alerts and their fired events look in MongoDB; shared by the alert handlers.

``alerts``: ``_id`` = a small integer (``alerts remove 3``), from the ``counters`` document
``alerts`` (so an id is never reused), ``symbol``, ``kind``, ``level``, ``interval`` (close kinds
only), ``rearm``, ``active`` (False once a once-only alert fired), ``created_at``, ``fired_at``,
``fired_count``.

The ``counters`` document ``alerts`` also holds ``version``, raised whenever the set of active
alerts changes (added, removed, spent): a live worker reads that one number to know whether to
read the alerts again.

``alert_events``: one per firing, ``_id`` = ``<alert id>|<stream time>``: two processes that
see the same tick (the TUI and a ``watch``) store one event, not two. ``seen`` is False for an
event stored by ``watch``: the TUI lists those at start, then marks them seen.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tui_market.models import Interval
from tui_market.models.alert import Alert, AlertFired, AlertKind

ALERTS = "alerts"
ALERT_EVENTS = "alert_events"
COUNTERS = "counters"
COUNTER_ID = "alerts"  # the counters document: ``n`` (last id) and ``version``
BUMP_VERSION = {"$inc": {"version": 1}}


def as_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def alert_to_doc(alert: Alert) -> dict[str, Any]:
    return {
        "_id": alert.id,
        "symbol": alert.symbol,
        "kind": alert.kind.value,
        "level": alert.level,
        "interval": alert.interval.value if alert.interval is not None else None,
        "rearm": alert.rearm,
        "active": alert.active,
        "created_at": alert.created_at,
        "fired_at": alert.fired_at,
        "fired_count": alert.fired_count,
    }


def doc_to_alert(doc: dict[str, Any]) -> Alert:
    interval = doc.get("interval")
    return Alert(
        id=int(doc["_id"]),
        symbol=doc["symbol"],
        kind=AlertKind(doc["kind"]),
        level=float(doc["level"]),
        interval=Interval(interval) if interval else None,
        rearm=bool(doc.get("rearm", False)),
        active=bool(doc.get("active", True)),
        created_at=as_utc(doc.get("created_at")),
        fired_at=as_utc(doc.get("fired_at")),
        fired_count=int(doc.get("fired_count", 0)),
    )


def event_id(fired: AlertFired) -> str:
    return f"{fired.alert.id}|{fired.ts:.3f}"


def event_to_doc(fired: AlertFired, source: str, at: datetime) -> dict[str, Any]:
    alert = fired.alert
    return {
        "_id": event_id(fired),
        "alert_id": alert.id,
        "symbol": alert.symbol,
        "text": fired.text,
        "price": fired.price,
        "ts": datetime.fromtimestamp(fired.ts, UTC),
        "stored_at": at,
        "source": source,
        "seen": source == "tui",
    }
