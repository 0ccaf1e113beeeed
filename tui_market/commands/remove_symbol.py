"""RemoveSymbol: take a symbol off the watchlist, and its alerts (an alert is only added on a
watched symbol, and a symbol off the watchlist is not watched: it could never fire); with
``drop_bars`` also delete its stored bars and sync state for every interval. The alerts' fired
events stay, as history. Removing twice is the same as removing once.

Bars are deleted by ``symbol`` (the first field of the series index, which the handler ensures),
not by an ``_id`` range: the embedded server answers an ``_id`` range with a scan of the whole
collection. They go bucket by bucket (``bar_buckets``): ~100 bars a document deleted.
``sync_state`` is small; its ``_id`` range is fine.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from tui_market.infrastructure import alert_schema, bar_buckets, bar_journal, live_tails, schema
from tui_market.infrastructure.database import Database
from tui_market.models import SymbolRef

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RemoveSymbol:
    symbol: str
    drop_bars: bool = False


@dataclass(frozen=True, slots=True)
class RemoveSymbolResult:
    symbol: str
    removed: bool
    bars_deleted: int
    alerts_deleted: int = 0


def alerts_text(count: int, joint: str) -> str:
    """What a removal said of the symbol's alerts: "" for none, else ``joint`` + "its 2 alerts"."""
    if not count:
        return ""
    return f"{joint}its {count} alert{'s' if count > 1 else ''}"


def symbol_id_range(symbol: str) -> dict[str, str]:
    """Every ``_id`` of ``symbol`` in ``ohlcv`` and ``sync_state``, all intervals."""
    return {"$gte": f"{symbol}|", "$lt": f"{symbol}|~"}


class RemoveSymbolHandler:
    def __init__(self, db: Database) -> None:
        self._symbols = db.get_collection(schema.SYMBOLS)
        self._bars = db.get_collection(bar_buckets.BARS)
        self._journal = db.get_collection(bar_journal.JOURNAL)
        self._state = db.get_collection(schema.SYNC_STATE)
        self._tails = db.get_collection(live_tails.LIVE_TAILS)
        self._index = schema.SeriesIndex(self._bars)
        self._alerts = db.get_collection(alert_schema.ALERTS)
        self._counters = db.get_collection(alert_schema.COUNTERS)

    async def __call__(self, msg: RemoveSymbol) -> RemoveSymbolResult:
        symbol = SymbolRef.parse(msg.symbol).full
        removed = (await self._symbols.delete_one({"_id": symbol})).deleted_count > 0
        alerts_deleted = (await self._alerts.delete_many({"symbol": symbol})).deleted_count
        if alerts_deleted:  # the live workers read the active alerts again
            await self._counters.update_one(
                {"_id": alert_schema.COUNTER_ID}, alert_schema.BUMP_VERSION
            )
        bars_deleted = 0
        if msg.drop_bars:
            await self._index.ensure()
            held = self._bars.find({"symbol": symbol}, {"_id": 0, "n": 1})
            bars_deleted = sum([int(doc.get("n", 0)) async for doc in held])
            await self._bars.delete_many({"symbol": symbol})
            path = bar_journal.row_path(symbol)
            journaled = await self._journal.update_many(
                {path: {"$exists": True}}, {"$unset": {path: ""}}
            )
            bars_deleted += journaled.modified_count  # counted twice if also in a bucket
            await self._state.delete_many({"_id": symbol_id_range(symbol)})
            await self._tails.update_many({}, live_tails.unset_all(symbol))
        log.info(
            "watchlist: removed %s (%s), %d bars and %d alerts deleted",
            symbol,
            removed,
            bars_deleted,
            alerts_deleted,
        )
        return RemoveSymbolResult(symbol, removed, bars_deleted, alerts_deleted)
