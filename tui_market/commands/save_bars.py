"""SaveBars: batched, idempotent save of closed bars (the live feed's write path).

A live minute closes one bar per symbol. The batch is journaled (``journal_writes``, one
document per interval and open time in ``bar_journal``: one read, one write, whatever the
number of series), and when a bar of the batch opens a fold slot the interval's journal goes
into the buckets (one bucket update per series for all its journaled bars). A series with
more bars than that in the batch (a backlog) goes straight to its buckets. Bars already
journaled the same cost no write. The series' tails (the watchlist's last and previous
close) move forward in ``live_tails``: one update per interval, not one per series
(``infrastructure/live_tails.py`` says why); ``sync_state`` is read only for a series
without an entry yet.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from dataclasses import dataclass

from tui_market.commands.bar_writes import Doc, WriteCounts, series_docs, write_series
from tui_market.commands.journal_writes import fold, fold_due, journal_bars, unjournal
from tui_market.infrastructure import bar_buckets, bar_journal, live_tails, schema
from tui_market.infrastructure.database import Database
from tui_market.models import Bar, Interval, InvalidSymbol, SymbolRef

log = logging.getLogger(__name__)
Series = tuple[str, Interval]
_LIVE = bar_journal.FOLD_EVERY  # a series' bars in one batch that go to the journal; more: a
# backlog (after an outage) or a bulk load, written straight to the buckets


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
        self._journal = db.get_collection(bar_journal.JOURNAL)
        self._state = db.get_collection(schema.SYNC_STATE)
        self._tails = db.get_collection(live_tails.LIVE_TAILS)

    async def __call__(self, msg: SaveBars) -> SaveBarsResult:
        groups: dict[Series, list[Bar]] = defaultdict(list)
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
        live = [doc for batch in series.values() if len(batch) <= _LIVE for doc in batch]
        backlog = {key: batch for key, batch in series.items() if len(batch) > _LIVE}
        # The tails are read while the bars are written; they move only once the bars are in.
        counts, tails, stored = await asyncio.gather(
            journal_bars(self._journal, live), self._read_tails(list(series)), self._store(backlog)
        )
        await self._advance_tails(series, tails)
        for interval in sorted(fold_due(live), key=lambda i: i.seconds):
            await fold(self._journal, self._bars, interval)
        every = [counts, *stored]
        return SaveBarsResult(
            sum(c.new for c in every),
            sum(c.updated for c in every),
            sum(c.unchanged for c in every),
        )

    async def _store(self, backlog: dict[Series, list[Doc]]) -> list[WriteCounts]:
        """Series with more bars than a fold holds (a backlog) straight into their buckets."""
        out = []
        for key, docs in backlog.items():
            out.append(await write_series(self._bars, *key, docs))
            await unjournal(self._journal, *key, docs)
        return out

    async def _read_tails(self, keys: list[Series]) -> dict[Series, Doc | None]:
        """Each series' tail as it stands: its live entry over its ``sync_state`` tail (the
        state is read only for series without an entry: a first save after a sync)."""
        ids = sorted({interval.value for _, interval in keys})
        found = live_tails.by_interval(
            [doc async for doc in self._tails.find({"_id": {"$in": ids}})]
        )
        entries = {(s, i): found.get(i.value, {}).get(s) for s, i in keys}
        missing = [schema.sync_id(s, i) for (s, i), entry in entries.items() if entry is None]
        states: dict[str, Doc] = {}
        if missing:
            states = {d["_id"]: d async for d in self._state.find({"_id": {"$in": missing}})}
        return {
            key: live_tails.merged(states.get(schema.sync_id(*key)), entry)
            for key, entry in entries.items()
        }

    async def _advance_tails(
        self, series: dict[Series, list[Doc]], tails: dict[Series, Doc | None]
    ) -> None:
        """Move each series' tail forward: one update per interval."""
        sets: dict[str, Doc] = defaultdict(dict)
        for (symbol, interval), docs in series.items():
            tail = live_tails.advance_tail(tails.get((symbol, interval)), docs)
            if tail is not None:
                sets[interval.value][live_tails.path(symbol)] = tail
        for name, fields in sets.items():
            await self._tails.update_one({"_id": name}, {"$set": fields}, upsert=True)
