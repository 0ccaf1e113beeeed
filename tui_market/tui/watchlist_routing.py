"""Watchlist edits and symbol search, routed like every other request (see ``routing``)."""

from __future__ import annotations

import logging
from dataclasses import replace
from functools import partial

from textual import on

from tui_market.commands.add_symbol import AddSymbol
from tui_market.commands.remove_symbol import RemoveSymbol
from tui_market.models import InvalidSymbol
from tui_market.queries.list_symbols import ListSymbols
from tui_market.tui.messages import (
    SymbolAddRequested,
    SymbolRemoveRequested,
    SymbolSearchRequested,
    SymbolSearchResults,
    SyncRequested,
    WatchlistChanged,
)
from tui_market.tui.routing import EXPECTED, Notice, WatchlistStale
from tui_market.tui.sync_routing import SyncApp

log = logging.getLogger(__name__)


class WatchlistApp(SyncApp):
    """Adds, removes, searches and re-reads the watchlist in workers."""

    @on(SymbolAddRequested)
    def _add_requested(self, request: SymbolAddRequested) -> None:
        self._spawn(
            partial(self._add, request),
            name="add symbol",
            group="watchlist-edit",
            description=f"add {request.text}",
        )

    async def _add(self, request: SymbolAddRequested) -> Notice:
        try:
            result = await self.runtime.bus.execute(AddSymbol(request.text, request.description))
        except InvalidSymbol as exc:
            log.info("add symbol refused: %s", exc)
            return Notice(f"Not added: {exc}", "error")
        self.post_message(WatchlistStale())
        if not result.created:
            return Notice(f"{result.symbol} is already on the watchlist")
        self.post_message(SyncRequested(result.symbol, self.interval))
        return Notice(f"Added {result.symbol}; fetching its history…")

    @on(SymbolRemoveRequested)
    def _remove_requested(self, request: SymbolRemoveRequested) -> None:
        self._spawn(
            partial(self._remove, request),
            name="remove symbol",
            group="watchlist-edit",
            description=f"remove {request.symbol}",
        )

    async def _remove(self, request: SymbolRemoveRequested) -> Notice:
        result = await self.runtime.bus.execute(RemoveSymbol(request.symbol, request.drop_bars))
        self.post_message(WatchlistStale())
        if not result.removed:
            return Notice(f"{request.symbol} was not on the watchlist", "warning")
        return Notice(f"Removed {result.symbol}")

    @on(SymbolSearchRequested)
    def _search_requested(self, request: SymbolSearchRequested) -> None:
        self._spawn(
            partial(self._search, request.text),
            name="symbol search",
            group="search",
            exclusive=True,
            description="symbol search",
        )

    async def _search(self, text: str) -> None:
        try:
            results = await self.runtime.provider.search(text)
        except EXPECTED as exc:
            log.warning("symbol search for %r failed: %s", text, exc)
            self.post_message(SymbolSearchResults(text, [], str(exc)))
            return
        self.post_message(SymbolSearchResults(text, list(results)))

    @on(WatchlistStale)
    def _watchlist_stale(self) -> None:
        self._spawn(
            self._reload_watchlist,
            name="watchlist",
            group="watchlist",
            exclusive=True,
            description="read the watchlist",
        )

    async def _reload_watchlist(self) -> None:
        rows = await self.runtime.bus.execute(ListSymbols(self.interval))
        self.post_message(WatchlistChanged(rows))

    @on(SymbolSearchResults)
    def _search_results(self, fact: SymbolSearchResults) -> None:
        self.screen.post_message(replace(fact))  # the add dialog, on top
