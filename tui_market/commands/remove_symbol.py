"""RemoveSymbol: take a symbol off the watchlist; with ``drop_bars`` also delete its stored
bars and sync state for every interval. Removing twice is the same as removing once.

Bars are deleted by ``symbol`` (the first field of the series index, which the handler ensures),
not by an ``_id`` range: the embedded server answers an ``_id`` range with a scan of the whole
collection (see ``schema``). ``sync_state`` is small; its ``_id`` range is fine.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from tui_market.infrastructure import schema
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


def symbol_id_range(symbol: str) -> dict[str, str]:
    """Every ``_id`` of ``symbol`` in ``ohlcv`` and ``sync_state``, all intervals."""
    return {"$gte": f"{symbol}|", "$lt": f"{symbol}|~"}


class RemoveSymbolHandler:
    def __init__(self, db: Database) -> None:
        self._symbols = db.get_collection(schema.SYMBOLS)
        self._ohlcv = db.get_collection(schema.OHLCV)
        self._state = db.get_collection(schema.SYNC_STATE)
        self._index = schema.SeriesIndex(self._ohlcv)

    async def __call__(self, msg: RemoveSymbol) -> RemoveSymbolResult:
        symbol = SymbolRef.parse(msg.symbol).full
        removed = (await self._symbols.delete_one({"_id": symbol})).deleted_count > 0
        bars_deleted = 0
        if msg.drop_bars:
            await self._index.ensure()
            bars_deleted = (await self._ohlcv.delete_many({"symbol": symbol})).deleted_count
            await self._state.delete_many({"_id": symbol_id_range(symbol)})
        log.info("watchlist: removed %s (%s), %d bars deleted", symbol, removed, bars_deleted)
        return RemoveSymbolResult(symbol, removed, bars_deleted)
