"""SaveBars: batched, idempotent upsert of closed bars (the live feed's write path).

Each series of the batch is written incrementally (``bar_writes``): unchanged bars cost no
write, and the series' tail in ``sync_state`` moves forward without touching its sync status.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass

from tui_market.commands.bar_writes import Doc, advance_tail, series_docs, write_series
from tui_market.infrastructure import schema
from tui_market.infrastructure.database import Database
from tui_market.models import Bar, Interval, InvalidSymbol, SymbolRef

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SaveBars:
    bars: tuple[Bar, ...]


@dataclass(frozen=True, slots=True)
class SaveBarsResult:
    new: int
    updated: int
    unchanged: int


class SaveBarsHandler:
    def __init__(self, db: Database) -> None:
        self._ohlcv = db.get_collection(schema.OHLCV)
        self._state = db.get_collection(schema.SYNC_STATE)
        self._index = schema.SeriesIndex(self._ohlcv)

    async def __call__(self, msg: SaveBars) -> SaveBarsResult:
        await self._index.ensure()
        groups: dict[tuple[str, Interval], list[Bar]] = defaultdict(list)
        for bar in msg.bars:
            try:
                symbol = SymbolRef.parse(bar.symbol).full
            except InvalidSymbol as exc:
                log.error("SaveBars: skipping bar with bad symbol: %s", exc)
                continue
            groups[(symbol, bar.interval)].append(bar)
        new = updated = unchanged = 0
        for (symbol, interval), bars in groups.items():
            docs = series_docs(symbol, interval, bars)
            counts = await write_series(self._ohlcv, symbol, interval, docs)
            new, updated = new + counts.new, updated + counts.updated
            unchanged += counts.unchanged
            await self._advance_state(symbol, interval, docs)
        return SaveBarsResult(new, updated, unchanged)

    async def _advance_state(self, symbol: str, interval: Interval, docs: list[Doc]) -> None:
        """Move the series' tail forward without touching synced_at/status."""
        key = schema.sync_id(symbol, interval)
        state = await self._state.find_one({"_id": key})
        tail = advance_tail(state, docs)
        if tail is not None:
            tail |= {"symbol": symbol, "interval": interval.value}
            await self._state.update_one({"_id": key}, {"$set": tail}, upsert=True)
