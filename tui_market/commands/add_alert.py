"""AddAlert: store a new alert after checking it; bad input raises ``InvalidAlert`` (or
``InvalidSymbol``) with one clear line and stores nothing.

Checked: the symbol is well formed and on the watchlist, the level is a positive number, a
close alert has an interval, and no active alert already watches the same rule.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from pymongo import ReturnDocument

from tui_market.commands.add_symbol import utc_now
from tui_market.infrastructure import alert_schema, schema
from tui_market.infrastructure.database import Database
from tui_market.models import Interval, SymbolRef
from tui_market.models.alert import Alert, AlertKind, InvalidAlert, parse_kind, parse_level

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AddAlert:
    symbol: str
    kind: AlertKind | str
    level: float | str
    interval: Interval | None = None  # required for the close kinds
    rearm: bool = False


class AddAlertHandler:
    def __init__(self, db: Database, clock: Callable[[], datetime] = utc_now) -> None:
        self._symbols = db.get_collection(schema.SYMBOLS)
        self._alerts = db.get_collection(alert_schema.ALERTS)
        self._counters = db.get_collection(alert_schema.COUNTERS)
        self._clock = clock

    async def __call__(self, msg: AddAlert) -> Alert:
        symbol = SymbolRef.parse(msg.symbol).full
        kind = msg.kind if isinstance(msg.kind, AlertKind) else parse_kind(msg.kind)
        level = parse_level(msg.level)
        interval = msg.interval if kind.on_close else None
        if kind.on_close and interval is None:
            raise InvalidAlert(f"a {kind.value} alert needs a bar interval (e.g. 1h)")
        if await self._symbols.find_one({"_id": symbol}, {"_id": 1}) is None:
            raise InvalidAlert(
                f"{symbol} is not on the watchlist; add it first (tui-market symbols add {symbol})"
            )
        draft = Alert(0, symbol, kind, level, interval, rearm=msg.rearm, created_at=self._clock())
        same = {
            "symbol": symbol,
            "kind": kind.value,
            "level": level,
            "interval": interval.value if interval is not None else None,
            "active": True,
        }
        existing = await self._alerts.find_one(same, {"_id": 1})
        if existing is not None:
            raise InvalidAlert(f"alert {existing['_id']} already watches {draft.condition}")
        counter = await self._counters.find_one_and_update(
            {"_id": alert_schema.COUNTER_ID},
            {"$inc": {"n": 1, "version": 1}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        if counter is None:  # an upsert returning the document after cannot give None
            raise InvalidAlert("the alert counter could not be read; try again")
        alert = Alert(
            int(counter["n"]), symbol, kind, level, interval, msg.rearm, created_at=draft.created_at
        )
        await self._alerts.insert_one(alert_schema.alert_to_doc(alert))
        log.info("alert %d added: %s (%s)", alert.id, alert.condition, _mode(alert))
        return alert


def _mode(alert: Alert) -> str:
    return "re-arms" if alert.rearm else "once"
