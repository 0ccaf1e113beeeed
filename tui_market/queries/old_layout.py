"""OldLayoutBars: how many bars a store still holds in the layout before buckets (``ohlcv``),
which ``tui-market migrate`` moves to ``bars``. Read from the collection's own count (no scan),
so every start can ask."""

from __future__ import annotations

from dataclasses import dataclass

from tui_market.infrastructure import schema
from tui_market.infrastructure.database import Database

OLD_LAYOUT = "{:,} bars stored by an earlier version are not shown until `tui-market migrate`"


@dataclass(frozen=True, slots=True)
class OldLayoutBars:
    pass


class OldLayoutBarsHandler:
    def __init__(self, db: Database) -> None:
        self._old = db.get_collection(schema.OHLCV)

    async def __call__(self, msg: OldLayoutBars) -> int:
        return int(await self._old.estimated_document_count())
