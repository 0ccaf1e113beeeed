"""The very first run: the watchlist seeded from the settings, with the provider's descriptions."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

from pymongo.errors import PyMongoError

from tui_market.errors import DatabaseUnavailable, ProviderError
from tui_market.infrastructure import schema
from tui_market.infrastructure.database import Database
from tui_market.infrastructure.interfaces import IDataProvider

log = logging.getLogger(__name__)
META = "app_meta"  # small bookkeeping docs; {_id: "watchlist_seeded"} marks the first run done
_SEEDED = "watchlist_seeded"
DESCRIBE_TIMEOUT = 1.5  # seconds for the first run's symbol descriptions


async def _descriptions(provider: IDataProvider, symbols: list[str]) -> dict[str, str]:
    """Symbol descriptions from the provider's search, best effort (a short overall timeout)."""

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
        log.warning("symbol search took over %.1f s; seeding without descriptions",
                    DESCRIBE_TIMEOUT)
        return {}
    wanted = set(symbols)
    return {name: text for hits in found for name, text in hits if name in wanted and text}


async def seed_watchlist(
    bus: Any, db: Database, symbols: list[str], provider: IDataProvider | None = None
) -> int:
    """Add ``symbols`` on the very first run (no symbols stored, never seeded). Returns count."""
    from tui_market.commands.add_symbol import AddSymbol

    meta = db.get_collection(META)
    try:
        if await meta.find_one({"_id": _SEEDED}) is not None:
            return 0
        fresh = await db.get_collection(schema.SYMBOLS).find_one({}, {"_id": 1}) is None
        added = 0
        if fresh:
            names = await _descriptions(provider, symbols) if provider is not None else {}
            for symbol in symbols:
                result = await bus.execute(AddSymbol(symbol, names.get(symbol, "")))
                added += int(result.created)
        await meta.update_one(
            {"_id": _SEEDED}, {"$set": {"at": datetime.now(UTC), "added": added}}, upsert=True
        )
    except PyMongoError as exc:
        log.error("seeding the watchlist failed: %s", exc)
        raise DatabaseUnavailable(f"cannot write the watchlist: {exc.__class__.__name__}") from exc
    if added:
        log.info("first run: seeded the watchlist with %d symbols", added)
    return added
