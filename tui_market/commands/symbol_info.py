"""RefreshSymbolInfo: ask the provider what a watchlist symbol is and keep it on its document.

The metadata (``SymbolInfo``: description, type, exchange time zone, session, holidays, price
scale, min move, currency, update mode) lives under ``info`` in the ``symbols`` document, so
the live service aligns bars to the session and the screens format prices and mark delayed
data without asking the provider again. SyncHistory refreshes it after every fetch.

Garbage from the provider raises ``InvalidSymbolInfo`` with the field it is about; nothing is
stored then (the previous metadata stays).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from tui_market.infrastructure import schema
from tui_market.infrastructure.database import Database
from tui_market.infrastructure.interfaces import IDataProvider
from tui_market.models import SymbolRef
from tui_market.models.symbol_info import InvalidSymbolInfo, SymbolInfo

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RefreshSymbolInfo:
    symbol: str


async def store_info(
    symbols: AsyncCollection[dict[str, Any]], symbol: str, raw: Mapping[str, Any] | None
) -> SymbolInfo | None:
    """Check ``raw`` and keep it on ``symbol``'s watchlist document (if it is listed)."""
    if raw is None:
        return None
    try:
        info = SymbolInfo.from_provider(raw)
    except InvalidSymbolInfo as exc:
        log.warning("%s: provider metadata refused, nothing stored: %s", symbol, exc)
        raise InvalidSymbolInfo(f"{symbol}: the provider's metadata is unusable: {exc}") from exc
    doc: dict[str, Any] = {"info": info.to_doc()}
    if info.description:
        doc["description"] = info.description
    await symbols.update_one({"_id": symbol}, {"$set": doc})
    log.info("%s: metadata kept (%s %s, %s)", symbol, info.timezone, info.session, info.type)
    return info


class RefreshSymbolInfoHandler:
    def __init__(self, db: Database, provider: IDataProvider) -> None:
        self._symbols = db.get_collection(schema.SYMBOLS)
        self._provider = provider

    async def __call__(self, msg: RefreshSymbolInfo) -> SymbolInfo | None:
        symbol = SymbolRef.parse(msg.symbol).full
        raw = await self._provider.symbol_metadata(symbol)
        return await store_info(self._symbols, symbol, raw)
