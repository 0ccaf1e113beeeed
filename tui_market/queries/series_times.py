"""SeriesTimes: the open times of every stored series of one symbol, by interval.

The buckets' ``interval`` and ``b`` are read (the bars' open times are ``b``'s keys), on the
series index the handler ensures, and the live journal's times of the symbol: what the
alignment check (``bar_align.check_alignment``) needs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from tui_market.infrastructure import bar_buckets, bar_journal, schema
from tui_market.infrastructure.database import Database
from tui_market.models import Interval, SymbolRef

log = logging.getLogger(__name__)
_KNOWN = {interval.value for interval in Interval}


@dataclass(frozen=True, slots=True)
class SeriesTimes:
    symbol: str


class SeriesTimesHandler:
    def __init__(self, db: Database) -> None:
        self._bars = db.get_collection(bar_buckets.BARS)
        self._journal = db.get_collection(bar_journal.JOURNAL)
        self._index = schema.SeriesIndex(self._bars)

    async def __call__(self, msg: SeriesTimes) -> dict[Interval, list[int]]:
        symbol = SymbolRef.parse(msg.symbol).full
        await self._index.ensure()
        out: dict[Interval, list[int]] = {}
        cursor = self._bars.find({"symbol": symbol}, {"_id": 0, "interval": 1, "b": 1})
        async for doc in cursor:
            try:
                interval = Interval(doc["interval"])
            except (KeyError, ValueError) as exc:
                log.warning("%s: a stored bucket with an unknown interval skipped: %s", symbol, exc)
                continue
            out.setdefault(interval, []).extend(bar_buckets.bucket_rows(doc))
        journal = self._journal.find({}, {"i": 1, **bar_journal.series_fields(symbol)})
        async for doc in journal:  # live bars not yet in their buckets
            if bar_journal.key(symbol) in (doc.get("r") or {}) and doc.get("i") in _KNOWN:
                out.setdefault(Interval(doc["i"]), []).append(int(doc["e"]))
        for interval, times in out.items():  # a bar journaled and stored is one bar
            out[interval] = sorted(set(times))
        return dict(sorted(out.items(), key=lambda item: item[0].seconds))
