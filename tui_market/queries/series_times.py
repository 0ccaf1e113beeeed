"""SeriesTimes: the open times of every stored series of one symbol, by interval.

Only ``interval`` and ``t`` are read (a projection), on the series index the handler ensures:
what the alignment check (``bar_align.check_alignment``) needs, without the prices.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from tui_market.infrastructure import schema
from tui_market.infrastructure.database import Database
from tui_market.models import Interval, SymbolRef

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SeriesTimes:
    symbol: str


class SeriesTimesHandler:
    def __init__(self, db: Database) -> None:
        self._ohlcv = db.get_collection(schema.OHLCV)
        self._index = schema.SeriesIndex(self._ohlcv)

    async def __call__(self, msg: SeriesTimes) -> dict[Interval, list[int]]:
        symbol = SymbolRef.parse(msg.symbol).full
        await self._index.ensure()
        out: dict[Interval, list[int]] = {}
        cursor = self._ohlcv.find({"symbol": symbol}, {"_id": 0, "interval": 1, "t": 1})
        async for doc in cursor:
            try:
                interval = Interval(doc["interval"])
            except (KeyError, ValueError) as exc:
                log.warning("%s: a stored bar with an unknown interval skipped: %s", symbol, exc)
                continue
            opened: datetime = doc["t"]
            if opened.tzinfo is None:  # a client without tz_aware: stored times are UTC
                opened = opened.replace(tzinfo=UTC)
            out.setdefault(interval, []).append(int(opened.timestamp()))
        for times in out.values():
            times.sort()
        return dict(sorted(out.items(), key=lambda item: item[0].seconds))
