"""MigrateBars: move a store's bars from the one-document-per-bar layout (``ohlcv``) to the
buckets of ``bar_buckets`` (``bars``), then drop ``ohlcv``.

Series by series (those ``sync_state`` names, read on the old series index, which earlier
versions created and this ensures): the embedded server materialises a whole query's result,
so one read of all of ``ohlcv`` held 1M bars in its memory at once (RSS 370 MB -> 1.4 GB); a
series at a time holds one series. Bars of a series ``sync_state`` does not name are caught by
a last full pass, run only when the per-series reads came short of the collection's count.
Written through ``write_series`` in batches, so running it again after an interruption redoes
nothing that is already in ``bars`` (its bars count as unchanged). A document that is not a
readable bar is logged and counted, and then ``ohlcv`` is kept (nothing the user stored is
dropped unread). ``sync_state`` (the series' tails) is the same in both layouts.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import AsyncIterable, Callable
from dataclasses import dataclass
from typing import Any

from tui_market.commands.bar_writes import series_docs, write_series
from tui_market.infrastructure import bar_buckets, schema
from tui_market.infrastructure.database import Database
from tui_market.models import Bar, Interval

log = logging.getLogger(__name__)
Doc = dict[str, Any]


@dataclass(frozen=True, slots=True)
class MigrateBars:
    batch: int = 20_000  # old documents per write
    progress: Callable[[int], None] | None = None  # told the documents read, per batch


@dataclass(frozen=True, slots=True)
class MigrateResult:
    read: int
    written: int  # new or changed in ``bars``
    unreadable: int
    dropped: bool  # ``ohlcv`` dropped (every document was moved)


@dataclass
class _Tally:
    msg: MigrateBars
    read: int = 0
    written: int = 0
    unreadable: int = 0
    told: int = 0

    def tell(self) -> None:
        """Progress: the bars read, each ``batch`` of them."""
        if self.msg.progress is not None and self.read - self.told >= self.msg.batch:
            self.told = self.read
            self.msg.progress(self.read)


class MigrateBarsHandler:
    def __init__(self, db: Database) -> None:
        self._old = db.get_collection(schema.OHLCV)
        self._state = db.get_collection(schema.SYNC_STATE)
        self._bars = db.get_collection(bar_buckets.BARS)
        self._index = schema.SeriesIndex(self._bars)

    async def __call__(self, msg: MigrateBars) -> MigrateResult:
        await asyncio.gather(self._index.ensure(), self._old.create_index(schema.SERIES_INDEX))
        total = await self._old.estimated_document_count()
        tally = _Tally(msg)
        series = [d async for d in self._state.find({}, {"symbol": 1, "interval": 1})]
        for doc in series:
            query = {"symbol": doc.get("symbol"), "interval": doc.get("interval")}
            await self._move(self._old.find(query), tally)
        if tally.read < total:  # bars of series sync_state does not name
            log.warning("migrate: %d bars outside known series; reading all", total - tally.read)
            tally.read = tally.unreadable = 0
            await self._move(self._old.find({}), tally)
        dropped = tally.unreadable == 0
        if dropped:
            await self._old.drop()
        log.info(
            "migrate: %d bars read, %d written, %d unreadable",
            tally.read,
            tally.written,
            tally.unreadable,
        )
        return MigrateResult(tally.read, tally.written, tally.unreadable, dropped)

    async def _move(self, docs: AsyncIterable[Doc], tally: _Tally) -> None:
        pending: list[Bar] = []
        async for doc in docs:
            try:
                pending.append(schema.doc_to_bar(doc))
            except (KeyError, ValueError, TypeError) as exc:
                log.warning("migrate: unreadable bar %r kept in ohlcv: %s", doc.get("_id"), exc)
                tally.unreadable += 1
            tally.read += 1
            if len(pending) >= tally.msg.batch:
                tally.written += await self._write(pending)
                pending = []
                tally.tell()
        tally.written += await self._write(pending)
        tally.tell()

    async def _write(self, bars: list[Bar]) -> int:
        groups: dict[tuple[str, Interval], list[Bar]] = defaultdict(list)
        for bar in bars:
            groups[(bar.symbol, bar.interval)].append(bar)
        written = 0
        for (symbol, interval), series in groups.items():
            counts = await write_series(
                self._bars, symbol, interval, series_docs(symbol, interval, series)
            )
            written += counts.new + counts.updated
        return written
