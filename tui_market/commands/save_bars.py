"""SaveBars: batched, idempotent upsert of closed bars (the live feed's write path).

All series of the batch are written together (``bar_writes.write_bars``): one read of their
buckets by ``_id``, one bulk write, whatever the number of series (a live minute closes one
bar per symbol). Unchanged bars cost no write. The series' tails in
``sync_state`` move forward in one bulk write, without touching their sync status.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from dataclasses import dataclass

from pymongo import UpdateOne

from tui_market.commands.bar_writes import Doc, advance_tail, series_docs, write_bars
from tui_market.infrastructure import bar_buckets, schema
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
        self._bars = db.get_collection(bar_buckets.BARS)
        self._state = db.get_collection(schema.SYNC_STATE)

    async def __call__(self, msg: SaveBars) -> SaveBarsResult:
        groups: dict[tuple[str, Interval], list[Bar]] = defaultdict(list)
        for bar in msg.bars:
            try:
                symbol = SymbolRef.parse(bar.symbol).full
            except InvalidSymbol as exc:
                log.error("SaveBars: skipping bar with bad symbol: %s", exc)
                continue
            groups[(symbol, bar.interval)].append(bar)
        if not groups:
            return SaveBarsResult(0, 0, 0)
        series = {key: series_docs(*key, bars) for key, bars in groups.items()}
        docs = [doc for batch in series.values() for doc in batch]
        # The tails are read while the bars are written; they move only once the bars are in.
        counts, states = await asyncio.gather(
            write_bars(self._bars, docs), self._read_states(list(series))
        )
        await self._advance_states(series, states)
        return SaveBarsResult(counts.new, counts.updated, counts.unchanged)

    async def _read_states(self, keys: list[tuple[str, Interval]]) -> dict[str, Doc]:
        ids = [schema.sync_id(symbol, interval) for symbol, interval in keys]
        return {doc["_id"]: doc async for doc in self._state.find({"_id": {"$in": ids}})}

    async def _advance_states(
        self, series: dict[tuple[str, Interval], list[Doc]], states: dict[str, Doc]
    ) -> None:
        """Move each series' tail forward without touching synced_at/status: one bulk write."""
        updates = []
        for (symbol, interval), docs in series.items():
            key = schema.sync_id(symbol, interval)
            tail = advance_tail(states.get(key), docs)
            if tail is not None:
                tail |= {"symbol": symbol, "interval": interval.value}
                updates.append(UpdateOne({"_id": key}, {"$set": tail}, upsert=True))
        if updates:
            await self._state.bulk_write(updates, ordered=False)
