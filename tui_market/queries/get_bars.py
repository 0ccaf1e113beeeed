"""GetBars: a series' bars, oldest first: all, a time range, and/or the last N.

Every read is a ``bar_buckets.bucket_filter`` range over the series' buckets (symbol,
interval, ``t``) on the series index, which the handler creates on first use; the buckets'
bars come back cut to the range and sorted by time.
``start`` and ``end`` are inclusive bounds on the bars' open times.

The series' live bars not yet folded into their buckets are read from ``bar_journal`` with
every read and win over the buckets' (``bar_journal`` says why they are newer).

``last=N`` without a start: the newest bar's time is known from ``sync_state.last_bar``
(kept by SyncHistory and SaveBars; ``end`` or now when missing). The scan starts
``N * interval * factor`` before it, with factor 2, then 8, 32, 128 when that range holds
fewer than N bars (market closures, gaps), and finally the whole series. A full series with
fewer than N bars therefore costs a few scans of that small series. Each scan reads the
range's buckets newest first and stops once it holds N bars, so a long range's older buckets
never cross the wire.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import datetime

from pymongo import DESCENDING

from tui_market.infrastructure import bar_buckets as buckets
from tui_market.infrastructure import bar_journal, schema
from tui_market.infrastructure.database import Database
from tui_market.models import Bar, Interval, SymbolRef

_FACTORS = (2, 8, 32, 128)


@dataclass(frozen=True, slots=True)
class GetBars:
    symbol: str
    interval: Interval
    last: int | None = None
    start: datetime | None = None
    end: datetime | None = None


class GetBarsHandler:
    def __init__(self, db: Database) -> None:
        self._bars = db.get_collection(buckets.BARS)
        self._state = db.get_collection(schema.SYNC_STATE)
        self._journal = db.get_collection(bar_journal.JOURNAL)
        self._index = schema.SeriesIndex(self._bars)

    async def __call__(self, msg: GetBars) -> list[Bar]:
        symbol = SymbolRef.parse(msg.symbol).full
        start = int(msg.start.timestamp()) if msg.start is not None else None
        stop = int(msg.end.timestamp()) + 1 if msg.end is not None else None
        if msg.last is None:
            await self._index.ensure()
            stored, journaled = await asyncio.gather(
                self._stored(symbol, msg.interval, start, stop),
                self._journaled(symbol, msg.interval, start, stop),
            )
            return bar_journal.over(stored, journaled)
        if msg.last <= 0:
            return []
        # The first call's index check (a round trip) goes with the anchor's and the journal's
        # read (once: each widened scan below takes its part), not before them.
        _, anchor, journaled = await asyncio.gather(
            self._index.ensure(),
            self._anchor(symbol, msg.interval, stop),
            self._journaled(symbol, msg.interval, start, stop),
        )
        span = msg.last * msg.interval.seconds
        for factor in _FACTORS:
            low = anchor - span * factor
            if start is not None and low <= start:
                break
            bars = await self._scan(symbol, msg.interval, low, stop, msg.last, journaled)
            if len(bars) >= msg.last:
                return bars
        return await self._scan(symbol, msg.interval, start, stop, msg.last, journaled)

    async def _anchor(self, symbol: str, interval: Interval, stop: int | None) -> int:
        """An epoch at or after the newest bar wanted (the scan's upper end stays open)."""
        state = await self._state.find_one(
            {"_id": schema.sync_id(symbol, interval)}, {"last_bar": 1}
        )
        newest = state.get("last_bar") if state else None
        anchor = int(newest.timestamp()) if newest is not None else int(time.time())
        return min(anchor, stop) if stop is not None else anchor

    async def _scan(
        self,
        symbol: str,
        interval: Interval,
        start: int | None,
        stop: int | None,
        last: int,
        journaled: list[Bar],
    ) -> list[Bar]:
        """The newest ``last`` bars in ``start <= t < stop``, oldest first: the buckets' with
        the series' journaled live bars of that range (``journaled``, read for the whole
        request) over them."""
        stored = await self._stored(symbol, interval, start, stop, last)
        mine = [bar for bar in journaled if start is None or bar.epoch >= start]
        return bar_journal.over(stored, mine)[-last:]

    async def _stored(
        self,
        symbol: str,
        interval: Interval,
        start: int | None,
        stop: int | None,
        last: int | None = None,
    ) -> list[Bar]:
        cursor = self._bars.find(buckets.bucket_filter(symbol, interval, start, stop))
        if last is None:
            return buckets.unpack([d async for d in cursor], start, stop)
        cursor = cursor.sort("t", DESCENDING).batch_size(buckets.batch_for(last))
        docs = await buckets.newest(cursor, last)
        await cursor.close()
        return buckets.unpack(docs, start, stop)[-last:]

    async def _journaled(
        self, symbol: str, interval: Interval, start: int | None, stop: int | None
    ) -> list[Bar]:
        query = bar_journal.series_query(interval, start, stop)
        docs = [d async for d in self._journal.find(query, bar_journal.series_fields(symbol))]
        return bar_journal.series_bars(docs, symbol, interval)
