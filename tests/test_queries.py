"""Queries: GetBars (last N, ranges, order), GetSyncState, ListSymbols (join, change %)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.fakes.memory_provider import MemoryProvider, make_bars
from tui_market.commands.add_symbol import AddSymbol, AddSymbolHandler
from tui_market.commands.remove_symbol import RemoveSymbol, RemoveSymbolHandler
from tui_market.commands.save_bars import SaveBars, SaveBarsHandler
from tui_market.commands.sync_history import SyncHistory, SyncHistoryHandler
from tui_market.errors import ProviderUnavailable
from tui_market.infrastructure.database import Database
from tui_market.models import Bar, Interval
from tui_market.queries.get_bars import GetBars, GetBarsHandler
from tui_market.queries.get_sync_state import GetSyncState, GetSyncStateHandler
from tui_market.queries.list_symbols import ListSymbols, ListSymbolsHandler

SYM, D1, H1 = "NASDAQ:AAPL", Interval.D1, Interval.H1


def _weekdays(count: int) -> list[Bar]:
    """Daily bars on weekdays only (gaps at weekends), oldest first."""
    out: list[Bar] = []
    day = 1_704_067_200  # 2024-01-01, a Monday
    while len(out) < count:
        if datetime.fromtimestamp(day, UTC).weekday() < 5:
            close = 50.0 + len(out)
            out.append(Bar.from_epoch(SYM, D1, day, close, close + 1, close - 1, close, 10.0))
        day += 86_400
    return out


async def _synced(database: Database, bars: list[Bar], interval: Interval = D1) -> None:
    provider = MemoryProvider()
    provider.set_bars(SYM, interval, bars)
    await SyncHistoryHandler(database, provider)(SyncHistory(SYM, interval))


async def test_get_bars_all_oldest_first(database: Database) -> None:
    bars = _weekdays(60)
    await _synced(database, bars)
    assert await GetBarsHandler(database)(GetBars("nasdaq:aapl", D1)) == bars


@pytest.mark.parametrize("last", [1, 7, 59, 60, 500])
async def test_get_bars_last_n_across_gaps(database: Database, last: int) -> None:
    bars = _weekdays(60)
    await _synced(database, bars)
    assert await GetBarsHandler(database)(GetBars(SYM, D1, last=last)) == bars[-last:]


@pytest.mark.parametrize("spacing", [10, 1000])
async def test_get_bars_last_n_widens_over_sparse_series(database: Database, spacing: int) -> None:
    # One bar every ``spacing`` hours: the first bounded scans hold too few bars.
    bars = [
        Bar.from_epoch(SYM, H1, 1_704_067_200 + i * spacing * 3600, 5, 6, 4, 5, 1)
        for i in range(40)
    ]
    await _synced(database, bars, H1)
    assert await GetBarsHandler(database)(GetBars(SYM, H1, last=25)) == bars[-25:]


async def test_get_bars_last_n_without_sync_state_and_old_data(database: Database) -> None:
    # Saved live bars from long ago and no sync run: the scan widens until it finds them.
    bars = make_bars(SYM, Interval.M1, 30, start=1_000_000_020)
    await SaveBarsHandler(database)(SaveBars(tuple(bars)))
    got = await GetBarsHandler(database)(GetBars(SYM, Interval.M1, last=10))
    assert got == bars[-10:]


async def test_get_bars_time_range_is_inclusive(database: Database) -> None:
    bars = _weekdays(30)
    await _synced(database, bars)
    get = GetBarsHandler(database)
    got = await get(GetBars(SYM, D1, start=bars[5].time, end=bars[12].time))
    assert got == bars[5:13]
    assert await get(GetBars(SYM, D1, start=bars[5].time, end=bars[12].time, last=3)) == bars[10:13]
    assert await get(GetBars(SYM, D1, end=bars[12].time, last=4)) == bars[9:13]
    assert await get(GetBars(SYM, D1, start=bars[25].time)) == bars[25:]


async def test_get_bars_keeps_series_apart(database: Database) -> None:
    await _synced(database, _weekdays(10))
    hourly = make_bars(SYM, H1, 5)
    await _synced(database, hourly, H1)
    assert await GetBarsHandler(database)(GetBars(SYM, H1, last=100)) == hourly
    assert await GetBarsHandler(database)(GetBars("NASDAQ:MSFT", D1, last=5)) == []
    assert await GetBarsHandler(database)(GetBars(SYM, D1, last=0)) == []


async def test_get_sync_state(database: Database) -> None:
    get = GetSyncStateHandler(database)
    assert await get(GetSyncState(SYM, D1)) is None
    bars = _weekdays(10)
    await _synced(database, bars)
    state = await get(GetSyncState("nasdaq:aapl", D1))
    assert state is not None
    assert (state.symbol, state.interval, state.status, state.error) == (SYM, D1, "ok", None)
    assert (state.new, state.updated, state.unchanged, state.last_bar) == (10, 0, 0, bars[-1].time)
    assert state.synced_at.tzinfo is not None
    assert await get(GetSyncState(SYM, H1)) is None


async def test_get_sync_state_is_none_when_only_live_bars_were_saved(database: Database) -> None:
    await SaveBarsHandler(database)(SaveBars(tuple(make_bars(SYM, Interval.M1, 3))))
    assert await GetSyncStateHandler(database)(GetSyncState(SYM, Interval.M1)) is None


async def test_list_symbols_joins_sync_state_in_watchlist_order(database: Database) -> None:
    add = AddSymbolHandler(database)
    for symbol, text in (
        ("NYSE:IBM", "IBM"),
        (SYM, "Apple"),
        ("NASDAQ:MSFT", ""),
        ("NASDAQ:DOWN", ""),
    ):
        await add(AddSymbol(symbol, text))
    provider = MemoryProvider()
    sync = SyncHistoryHandler(database, provider)
    ibm = [
        Bar.from_epoch("NYSE:IBM", D1, 1_704_067_200 + i * 86_400, c, c, c, c, v)
        for i, (c, v) in enumerate([(90.0, 1.0), (100.0, 2.0), (95.0, 3000.0)])
    ]
    provider.set_bars("NYSE:IBM", D1, ibm)
    provider.set_bars(SYM, D1, _weekdays(5))
    provider.set_bars(SYM, H1, make_bars(SYM, H1, 5, base=2.0))
    for symbol, interval in (("NYSE:IBM", D1), (SYM, D1), (SYM, H1)):
        await sync(SyncHistory(symbol, interval))
    provider.fail("NASDAQ:DOWN", ProviderUnavailable("offline"))
    with pytest.raises(ProviderUnavailable):
        await sync(SyncHistory("NASDAQ:DOWN", D1))

    rows = await ListSymbolsHandler(database)(ListSymbols(D1))
    assert [r.symbol for r in rows] == ["NYSE:IBM", SYM, "NASDAQ:MSFT", "NASDAQ:DOWN"]
    ibm_row, aapl_row, msft_row, down_row = rows
    assert (ibm_row.last_close, ibm_row.change, ibm_row.volume) == (95.0, -5.0, 3000.0)
    assert ibm_row.change_pct == pytest.approx(-5.0)
    assert ibm_row.sync_status == "ok" and ibm_row.last_sync is not None
    assert (aapl_row.description, aapl_row.last_close, aapl_row.change) == ("Apple", 54.0, 1.0)
    assert aapl_row.change_pct == pytest.approx(100 / 53)
    assert (msft_row.last_close, msft_row.change_pct, msft_row.sync_status) == (None, None, None)
    assert (down_row.sync_status, down_row.sync_error, down_row.last_close) == (
        "error",
        "offline",
        None,
    )

    hourly = await ListSymbolsHandler(database)(ListSymbols(H1))
    assert [r.last_close for r in hourly] == [None, 4.0, None, None]


async def test_list_symbols_follows_live_bars(database: Database) -> None:
    await AddSymbolHandler(database)(AddSymbol(SYM))
    bars = _weekdays(3)
    await _synced(database, bars)
    t = bars[-1].epoch + 86_400
    await SaveBarsHandler(database)(SaveBars((Bar.from_epoch(SYM, D1, t, 53, 60, 50, 58.5, 7),)))
    (row,) = await ListSymbolsHandler(database)(ListSymbols(D1))
    assert (row.last_close, row.change, row.volume) == (58.5, 6.5, 7.0)


async def test_live_tails_of_a_dotted_symbol_until_it_is_removed(database: Database) -> None:
    """``NYSE:BRK.B``'s ``.`` must not split its live tail's field; removing the symbol with
    its bars removes the tail too (re-added, it shows nothing until synced)."""
    brk = "NYSE:BRK.B"
    await AddSymbolHandler(database)(AddSymbol(brk))
    await AddSymbolHandler(database)(AddSymbol(SYM))
    save = SaveBarsHandler(database)
    t0 = 1_704_067_200
    for k, close in enumerate((410.0, 412.5)):
        price = [close, close + 1]
        bars = [
            Bar.from_epoch(s, H1, t0 + k * 3600, p, p, p, p, 5.0)
            for s, p in zip((brk, SYM), price, strict=True)
        ]
        await save(SaveBars(tuple(bars)))
    rows = {r.symbol: r for r in await ListSymbolsHandler(database)(ListSymbols(H1))}
    assert (rows[brk].last_close, rows[SYM].last_close) == (412.5, 413.5)
    await RemoveSymbolHandler(database)(RemoveSymbol(brk, drop_bars=True))
    await AddSymbolHandler(database)(AddSymbol(brk))
    rows = {r.symbol: r for r in await ListSymbolsHandler(database)(ListSymbols(H1))}
    assert (rows[brk].last_close, rows[SYM].last_close) == (None, 413.5)
