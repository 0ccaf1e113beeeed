"""ListSymbols: the watchlist in the order symbols were added, with each one's latest figures.

Two queries whatever the size of the watchlist: all ``symbols``, and the ``sync_state``
documents of the interval (they carry the series' last/previous close and last volume,
kept up to date by SyncHistory and SaveBars). No query touches ``ohlcv``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tui_market.infrastructure import schema
from tui_market.infrastructure.database import Database
from tui_market.models import Interval
from tui_market.queries.get_sync_state import as_utc


@dataclass(frozen=True, slots=True)
class ListSymbols:
    interval: Interval = Interval.D1


@dataclass(frozen=True, slots=True)
class SymbolRow:
    symbol: str
    description: str
    last_close: float | None
    change: float | None
    change_pct: float | None
    volume: float | None
    last_sync: datetime | None
    sync_status: str | None
    sync_error: str | None


def _row(symbol: dict[str, Any], state: dict[str, Any] | None) -> SymbolRow:
    state = state or {}
    last, prev = state.get("last_close"), state.get("prev_close")
    change = last - prev if last is not None and prev is not None else None
    pct = change / prev * 100.0 if change is not None and prev else None
    return SymbolRow(
        symbol=symbol["_id"],
        description=symbol.get("description", ""),
        last_close=last,
        change=change,
        change_pct=pct,
        volume=state.get("last_volume"),
        last_sync=as_utc(state.get("synced_at")),
        sync_status=state.get("status"),
        sync_error=state.get("error"),
    )


class ListSymbolsHandler:
    def __init__(self, db: Database) -> None:
        self._symbols = db.get_collection(schema.SYMBOLS)
        self._state = db.get_collection(schema.SYNC_STATE)

    async def __call__(self, msg: ListSymbols) -> list[SymbolRow]:
        symbols = [doc async for doc in self._symbols.find({})]
        # A watchlist is small: order it here rather than with a server-side sort.
        symbols.sort(key=lambda d: (d.get("position", 0), d["_id"]))
        states = {
            doc["symbol"]: doc async for doc in self._state.find({"interval": msg.interval.value})
        }
        return [_row(doc, states.get(doc["_id"])) for doc in symbols]
