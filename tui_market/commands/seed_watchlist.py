"""SeedWatchlist: on the very first run, the watchlist from the settings, with descriptions.

"First run" means the ``symbols`` collection is empty and the ``app_meta`` document
``{_id: "watchlist_seeded"}`` is missing; the document is written afterwards, so removing every
symbol later never brings the seed list back. Descriptions come from the provider's search,
best effort, within ``DESCRIBE_TIMEOUT``: a slow or offline provider seeds without them.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from tui_market.commands.add_symbol import AddSymbol, AddSymbolHandler
from tui_market.errors import ProviderError
from tui_market.infrastructure import schema
from tui_market.infrastructure.database import Database
from tui_market.infrastructure.interfaces import IDataProvider

log = logging.getLogger(__name__)
META = "app_meta"  # small bookkeeping docs
_SEEDED = "watchlist_seeded"
DESCRIBE_TIMEOUT = 1.5  # seconds for the first run's symbol descriptions


@dataclass(frozen=True, slots=True)
class SeedWatchlist:
    symbols: tuple[str, ...]


class SeedWatchlistHandler:
    """Returns how many symbols were added (0 on every run after the first)."""

    def __init__(self, db: Database, provider: IDataProvider | None) -> None:
        self._meta = db.get_collection(META)
        self._symbols = db.get_collection(schema.SYMBOLS)
        self._add = AddSymbolHandler(db)
        self._provider = provider

    async def __call__(self, msg: SeedWatchlist) -> int:
        if await self._meta.find_one({"_id": _SEEDED}) is not None:
            return 0
        added = 0
        if await self._symbols.find_one({}, {"_id": 1}) is None:
            names = await self._descriptions(list(msg.symbols))
            for symbol in msg.symbols:
                result = await self._add(AddSymbol(symbol, names.get(symbol, "")))
                added += int(result.created)
        await self._meta.update_one(
            {"_id": _SEEDED}, {"$set": {"at": datetime.now(UTC), "added": added}}, upsert=True
        )
        if added:
            log.info("first run: seeded the watchlist with %d symbols", added)
        return added

    async def _descriptions(self, symbols: list[str]) -> dict[str, str]:
        provider = self._provider
        if provider is None:
            return {}

        async def one(symbol: str) -> list[tuple[str, str]]:
            try:
                return await provider.search(symbol)
            except ProviderError as exc:
                log.warning("no description for %s: %s", symbol, exc)
                return []

        try:
            async with asyncio.timeout(DESCRIBE_TIMEOUT):
                found = await asyncio.gather(*(one(symbol) for symbol in symbols))
        except TimeoutError:
            log.warning(
                "symbol search took over %.1f s; seeding without descriptions", DESCRIBE_TIMEOUT
            )
            return {}
        wanted = set(symbols)
        return {name: text for hits in found for name, text in hits if name in wanted and text}
