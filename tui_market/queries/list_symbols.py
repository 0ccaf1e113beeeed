"""ListSymbols: the watchlist in the order symbols were added, with each one's latest figures.

Three queries whatever the size of the watchlist: all ``symbols`` (with their provider
metadata, ``info``), the ``sync_state`` documents of the interval and of ``1D`` (each series'
last/previous close and last volume as SyncHistory left them) and the ``live_tails`` of the
same intervals (where SaveBars moves them on). No query touches ``bars``.

Change is measured as a trader reads it: from the previous session's close (the daily series:
its previous close when its last bar is the same trading date as the last price, else its last
close), never from the bar before the last one. Without daily bars the change is unknown.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tui_market.infrastructure import live_tails, schema
from tui_market.infrastructure.database import Database
from tui_market.managers.session_clock import clock_for
from tui_market.models import Interval
from tui_market.models.symbol_info import SymbolInfo
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
    prev_close: float | None = None  # the previous session's close the change is from
    info: SymbolInfo | None = None


def previous_close(
    last_bar: datetime | None, daily: dict[str, Any] | None, info: SymbolInfo | None
) -> float | None:
    """The previous session's close for a last price in the bar opening at ``last_bar``."""
    if daily is None or last_bar is None:
        return None
    day_bar = as_utc(daily.get("last_bar"))
    if day_bar is None:
        return None
    trading_day = clock_for(info).floor(Interval.D1, last_bar.timestamp())
    if trading_day == int(day_bar.timestamp()):
        return daily.get("prev_close")  # the daily series holds today: the one before it
    if trading_day > day_bar.timestamp():
        return daily.get("last_close")  # today has no daily bar yet: the last one is it
    return None  # the daily series is ahead of this one: nothing sound to compare with


def _row(
    symbol: dict[str, Any], state: dict[str, Any] | None, daily: dict[str, Any] | None
) -> SymbolRow:
    state = state or {}
    info = SymbolInfo.from_doc(symbol.get("info"))
    last = state.get("last_close")
    prev = previous_close(as_utc(state.get("last_bar")), daily, info)
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
        prev_close=prev,
        info=info,
    )


class ListSymbolsHandler:
    def __init__(self, db: Database) -> None:
        self._symbols = db.get_collection(schema.SYMBOLS)
        self._state = db.get_collection(schema.SYNC_STATE)
        self._tails = db.get_collection(live_tails.LIVE_TAILS)

    async def __call__(self, msg: ListSymbols) -> list[SymbolRow]:
        wanted = sorted({msg.interval.value, Interval.D1.value})
        symbols, found, live = await asyncio.gather(
            self._symbols.find({}).to_list(),
            self._state.find({"interval": {"$in": wanted}}).to_list(),
            self._tails.find({"_id": {"$in": wanted}}).to_list(),
        )
        # A watchlist is small: order it here rather than with a server-side sort.
        symbols.sort(key=lambda d: (d.get("position", 0), d["_id"]))
        states: dict[tuple[str, str], dict[str, Any] | None] = {
            (doc["symbol"], doc["interval"]): doc for doc in found
        }
        for interval, held in live_tails.by_interval(live).items():
            for symbol, entry in held.items():
                states[(symbol, interval)] = live_tails.merged(
                    states.get((symbol, interval)), entry
                )
        return [
            _row(
                doc,
                states.get((doc["_id"], msg.interval.value)),
                states.get((doc["_id"], Interval.D1.value)),
            )
            for doc in symbols
        ]
