"""DropBars: delete some bars of one series, named by their open times.

Used by ``realign`` before a re-sync, for bars stored under an old alignment. Deleted by exact
``_id`` (the one lookup the embedded server answers from its ``_id`` index), so the rest of the
series, and every other series, is untouched.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from tui_market.infrastructure import schema
from tui_market.infrastructure.database import Database
from tui_market.models import Interval, SymbolRef

log = logging.getLogger(__name__)
_BATCH = 1000  # ids per delete (a long series' whole history fits a few)


@dataclass(frozen=True, slots=True)
class DropBars:
    symbol: str
    interval: Interval
    times: tuple[int, ...]  # open epochs


class DropBarsHandler:
    def __init__(self, db: Database) -> None:
        self._ohlcv = db.get_collection(schema.OHLCV)

    async def __call__(self, msg: DropBars) -> int:
        """Returns how many bars were deleted."""
        symbol = SymbolRef.parse(msg.symbol).full
        ids = [schema.bar_id(symbol, msg.interval, t) for t in sorted(set(msg.times))]
        deleted = 0
        for first in range(0, len(ids), _BATCH):
            batch = ids[first : first + _BATCH]
            deleted += (await self._ohlcv.delete_many({"_id": {"$in": batch}})).deleted_count
        log.info("%s %s: %d bars deleted", symbol, msg.interval.value, deleted)
        return deleted
