"""SyncHistory: fetch a symbol's history from the provider and store it incrementally.

Only new or changed bars are written (see ``bar_writes``). The outcome goes to
``sync_state`` (``_id`` = ``SYMBOL|interval``) together with the series' tail (last and
previous close, last volume) so that ListSymbols never has to read the ``bars`` collection.

Failures: bad symbol text raises ``InvalidSymbol`` and an unknown symbol ``SymbolNotFound``;
neither stores anything. Other provider failures (``ProviderUnavailable``, ``ProviderError``)
mark the series' sync_state ``status="error"`` (previous bars and tail kept) when the symbol
is on the watchlist or was synced before, then re-raise.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tui_market.commands.bar_writes import series_docs, write_series
from tui_market.commands.journal_writes import unjournal
from tui_market.commands.symbol_info import store_info
from tui_market.errors import ProviderError, SymbolNotFound
from tui_market.infrastructure import bar_buckets, bar_journal, live_tails, schema
from tui_market.infrastructure.database import Database
from tui_market.infrastructure.interfaces import IDataProvider
from tui_market.models import Interval, SymbolRef
from tui_market.models.symbol_info import InvalidSymbolInfo

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    """Now in UTC, truncated to milliseconds (what MongoDB keeps)."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


@dataclass(frozen=True, slots=True)
class SyncHistory:
    symbol: str
    interval: Interval
    n_bars: int = 5000


@dataclass(frozen=True, slots=True)
class SyncResult:
    symbol: str
    interval: Interval
    new: int
    updated: int
    unchanged: int
    rejected: int
    last_bar: datetime | None


class SyncHistoryHandler:
    def __init__(
        self, db: Database, provider: IDataProvider, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self._provider = provider
        self._clock = clock
        self._bars = db.get_collection(bar_buckets.BARS)
        self._state = db.get_collection(schema.SYNC_STATE)
        self._tails = db.get_collection(live_tails.LIVE_TAILS)
        self._journal = db.get_collection(bar_journal.JOURNAL)
        self._symbols = db.get_collection(schema.SYMBOLS)
        self._index = schema.SeriesIndex(self._bars)

    async def __call__(self, msg: SyncHistory) -> SyncResult:
        ref = SymbolRef.parse(msg.symbol)
        symbol, interval = ref.full, msg.interval
        try:
            fetched = await self._provider.fetch_ohlcv(
                ref.ticker, ref.exchange, interval, msg.n_bars
            )
        except SymbolNotFound as exc:
            log.warning("sync %s %s: symbol not found: %s", symbol, interval.value, exc)
            raise
        except ProviderError as exc:
            log.error("sync %s %s failed: %s", symbol, interval.value, exc)
            await self._record_error(symbol, interval, str(exc) or exc.__class__.__name__)
            raise
        await self._keep_info(symbol)
        bars = [bar for bar in fetched if bar.interval is interval]
        docs = series_docs(symbol, interval, bars)
        rejected = len(fetched) - len(docs)
        if rejected:
            log.warning(
                "sync %s %s: rejected %d of %d bars (wrong interval or duplicate time)",
                symbol,
                interval.value,
                rejected,
                len(fetched),
            )
        await self._index.ensure()
        counts = await write_series(self._bars, symbol, interval, docs)
        await unjournal(self._journal, symbol, interval, docs)
        key = schema.sync_id(symbol, interval)
        state, entry = await asyncio.gather(
            self._state.find_one({"_id": key}),
            self._tails.find_one({"_id": interval.value}, {live_tails.path(symbol): 1}),
        )
        # The live saves' tail joins the state's here, and leaves live_tails once stored.
        live = live_tails.entries(entry).get(symbol)
        state = live_tails.merged(state, live)
        tail = live_tails.advance_tail(state, docs) or live_tails.tail_of(state if live else None)
        last_bar: datetime | None = tail.get("last_bar") or (state or {}).get("last_bar")
        update: dict[str, Any] = {
            "symbol": symbol,
            "interval": interval.value,
            "synced_at": self._clock(),
            "status": "ok",
            "error": None,
            "new": counts.new,
            "updated": counts.updated,
            "unchanged": counts.unchanged,
            "rejected": rejected,
            **tail,
        }
        await self._state.update_one({"_id": key}, {"$set": update}, upsert=True)
        if live is not None:
            unset = {"$unset": {live_tails.path(symbol): ""}}
            await self._tails.update_one({"_id": interval.value}, unset)
        log.info(
            "synced %s %s: %d new, %d updated, %d unchanged, %d rejected",
            symbol,
            interval.value,
            counts.new,
            counts.updated,
            counts.unchanged,
            rejected,
        )
        return SyncResult(
            symbol,
            interval,
            counts.new,
            counts.updated,
            counts.unchanged,
            rejected,
            _utc(last_bar),
        )

    async def _keep_info(self, symbol: str) -> None:
        """The metadata that came with the fetch, kept on the watchlist document; unusable
        metadata is logged and skipped (the bars are still good)."""
        try:
            await store_info(self._symbols, symbol, await self._provider.symbol_metadata(symbol))
        except InvalidSymbolInfo as exc:
            log.warning("sync %s: %s", symbol, exc)
        except ProviderError as exc:
            log.warning("sync %s: no metadata: %s", symbol, exc)

    async def _record_error(self, symbol: str, interval: Interval, message: str) -> None:
        watched = await self._symbols.find_one({"_id": symbol}, {"_id": 1}) is not None
        update = {
            "symbol": symbol,
            "interval": interval.value,
            "synced_at": self._clock(),
            "status": "error",
            "error": message,
            "new": 0,
            "updated": 0,
            "unchanged": 0,
            "rejected": 0,
        }
        await self._state.update_one(
            {"_id": schema.sync_id(symbol, interval)}, {"$set": update}, upsert=watched
        )


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
