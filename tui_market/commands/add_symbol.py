"""AddSymbol: put ``EXCHANGE:TICKER`` on the watchlist (idempotent).

``symbols`` documents: ``_id`` = normalised ``EXCHANGE:TICKER``, ``exchange``, ``ticker``,
``description``, ``added_at`` and ``position`` (watchlist order: one past the largest).
Adding a symbol that is already there changes nothing, except that a new non-empty
description replaces a different stored one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from pymongo.errors import DuplicateKeyError

from tui_market.infrastructure import schema
from tui_market.infrastructure.database import Database
from tui_market.models import SymbolRef

log = logging.getLogger(__name__)
DESCRIPTION_MAX = 200  # characters kept of a description (search results are not ours)


def utc_now() -> datetime:
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def clean_description(text: str) -> str:
    """Stripped, at most ``DESCRIPTION_MAX`` characters, storable: a lone surrogate (JSON can
    carry one) has no UTF-8 form and would fail the insert, so it becomes '?'."""
    return text.encode("utf-8", "replace").decode("utf-8").strip()[:DESCRIPTION_MAX]


@dataclass(frozen=True, slots=True)
class AddSymbol:
    symbol: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class AddSymbolResult:
    symbol: str
    created: bool


class AddSymbolHandler:
    def __init__(self, db: Database, clock: Callable[[], datetime] = utc_now) -> None:
        self._symbols = db.get_collection(schema.SYMBOLS)
        self._clock = clock

    async def __call__(self, msg: AddSymbol) -> AddSymbolResult:
        ref = SymbolRef.parse(msg.symbol)  # InvalidSymbol: nothing stored
        description = clean_description(msg.description)
        if await self._symbols.find_one({"_id": ref.full}, {"_id": 1}) is None:
            position = await self._next_position()
            doc = {
                "_id": ref.full,
                "exchange": ref.exchange,
                "ticker": ref.ticker,
                "description": description,
                "added_at": self._clock(),
                "position": position,
            }
            try:
                await self._symbols.insert_one(doc)
                log.info("watchlist: added %s at position %d", ref.full, position)
                return AddSymbolResult(ref.full, created=True)
            except DuplicateKeyError as exc:
                log.info("watchlist: %s was added concurrently (%s)", ref.full, exc)
        if description:
            await self._symbols.update_one(
                {"_id": ref.full, "description": {"$ne": description}},
                {"$set": {"description": description}},
            )
        return AddSymbolResult(ref.full, created=False)

    async def _next_position(self) -> int:
        """One past the largest position (a watchlist is small: read them, no server sort)."""
        cursor = self._symbols.find({}, {"position": 1})
        positions = [doc.get("position", 0) async for doc in cursor]
        return max(positions, default=-1) + 1
