"""Symbol metadata through the real embedded database: kept on add/sync from the demo
provider (the real captures' fields), refused whole when garbage, and the change measured from
the previous session's daily close in ListSymbols."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from tests.dbdump import dump
from tui_market.commands.add_symbol import AddSymbol, AddSymbolHandler
from tui_market.commands.symbol_info import RefreshSymbolInfo, RefreshSymbolInfoHandler
from tui_market.commands.sync_history import SyncHistory, SyncHistoryHandler
from tui_market.infrastructure.database import Database
from tui_market.models import Interval
from tui_market.models.symbol_info import InvalidSymbolInfo, SymbolInfo
from tui_market.providers.replay import ReplayProvider
from tui_market.queries.list_symbols import ListSymbols, ListSymbolsHandler

NOW = 1_700_000_000.0


class GarbageProvider(ReplayProvider):
    def __init__(self, raw: Mapping[str, Any]) -> None:
        super().__init__(now=NOW)
        self.raw = raw

    async def symbol_metadata(self, symbol: str) -> Mapping[str, Any] | None:
        return self.raw


async def test_refresh_keeps_the_captured_session_on_the_watchlist_document(
    database: Database,
) -> None:
    await AddSymbolHandler(database)(AddSymbol("SP:SPX"))
    info = await RefreshSymbolInfoHandler(database, ReplayProvider(now=NOW))(
        RefreshSymbolInfo("SP:SPX")
    )
    assert info is not None
    doc = await database.get_collection("symbols").find_one({"_id": "SP:SPX"})
    assert doc is not None
    stored = SymbolInfo.from_doc(doc["info"])
    # as in the real symbol_resolved capture of SP:SPX
    assert stored is not None
    assert (stored.session, stored.timezone, stored.type) == (
        "0930-1610",
        "America/New_York",
        "index",
    )
    assert (stored.pricescale, stored.minmov, stored.currency) == (100, 1, "USD")


@pytest.mark.parametrize(
    "raw",
    [
        {"timezone": "Mars/Olympus", "session": "0930-1600"},
        {"timezone": "America/New_York", "session": "open all day"},
        {"timezone": "America/New_York", "session": "0930-1600", "pricescale": "100"},
        {"timezone": "America/New_York", "session": "0930-1600", "pricescale": float("nan")},
        {"session_holidays": "2024-12-25"},
        {"timezone": 5},
    ],
)
async def test_garbage_metadata_is_refused_and_nothing_changes(
    database: Database, raw: dict[str, Any]
) -> None:
    await AddSymbolHandler(database)(AddSymbol("SP:SPX", "mine"))
    before = await dump(database)
    with pytest.raises(InvalidSymbolInfo, match="SP:SPX: the provider's metadata is unusable"):
        await RefreshSymbolInfoHandler(database, GarbageProvider(raw))(RefreshSymbolInfo("SP:SPX"))
    assert await dump(database) == before


async def test_list_symbols_change_is_from_the_previous_daily_close(database: Database) -> None:
    provider = ReplayProvider(now=NOW)
    await AddSymbolHandler(database)(AddSymbol("SP:SPX"))
    sync = SyncHistoryHandler(database, provider)
    await sync(SyncHistory("SP:SPX", Interval.H1, 200))
    await sync(SyncHistory("SP:SPX", Interval.D1, 50))
    (row,) = await ListSymbolsHandler(database)(ListSymbols(Interval.H1))
    daily = await provider.fetch_ohlcv("SP:SPX", "", Interval.D1, 3)
    hourly = await provider.fetch_ohlcv("SP:SPX", "", Interval.H1, 1)
    # the last hour belongs to the last daily bar's trading date: its previous close counts
    assert provider.clock("SP:SPX").floor(Interval.D1, hourly[-1].epoch) == daily[-1].epoch
    assert row.last_close == hourly[-1].close
    assert row.prev_close == daily[-2].close
    assert row.change == pytest.approx(hourly[-1].close - daily[-2].close)
    assert row.info is not None and row.info.session == "0930-1610"
