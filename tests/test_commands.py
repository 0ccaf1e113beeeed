"""Commands against a real MongoDB-wire server: results, stored documents, idempotence."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.dbdump import BARS, dump
from tests.fakes.memory_provider import MemoryProvider, make_bars
from tui_market.commands.add_symbol import AddSymbol, AddSymbolHandler
from tui_market.commands.remove_symbol import RemoveSymbol, RemoveSymbolHandler
from tui_market.commands.save_bars import SaveBars, SaveBarsHandler
from tui_market.commands.sync_history import SyncHistory, SyncHistoryHandler
from tui_market.infrastructure import schema
from tui_market.infrastructure.database import Database
from tui_market.models import Bar, Interval, InvalidSymbol

D1, H1 = Interval.D1, Interval.H1


async def test_add_symbol_normalises_and_stores_fields(database: Database) -> None:
    add = AddSymbolHandler(database)
    result = await add(AddSymbol(" nasdaq:aapl ", "Apple Inc."))
    assert (result.symbol, result.created) == ("NASDAQ:AAPL", True)
    doc = await database.get_collection(schema.SYMBOLS).find_one({"_id": "NASDAQ:AAPL"})
    assert doc is not None
    assert (doc["exchange"], doc["ticker"], doc["description"], doc["position"]) == (
        "NASDAQ",
        "AAPL",
        "Apple Inc.",
        0,
    )
    assert isinstance(doc["added_at"], datetime)


async def test_add_symbol_appends_positions_in_order(database: Database) -> None:
    add = AddSymbolHandler(database)
    for text in ("NASDAQ:AAPL", "BINANCE:BTCUSDT", "CME_MINI:ES1!"):
        await add(AddSymbol(text))
    docs = [d async for d in database.get_collection(schema.SYMBOLS).find({})]
    assert {d["_id"]: d["position"] for d in docs} == {
        "NASDAQ:AAPL": 0,
        "BINANCE:BTCUSDT": 1,
        "CME_MINI:ES1!": 2,
    }


async def test_add_symbol_twice_is_idempotent(database: Database) -> None:
    add = AddSymbolHandler(database)
    await add(AddSymbol("NASDAQ:AAPL", "Apple"))
    await add(AddSymbol("NASDAQ:MSFT"))
    once = await dump(database)
    again = await add(AddSymbol("nasdaq:AAPL"))
    assert again.created is False
    assert await dump(database) == once


async def test_add_existing_symbol_updates_only_a_new_description(database: Database) -> None:
    add = AddSymbolHandler(database)
    await add(AddSymbol("NASDAQ:AAPL", "Apple"))
    await add(AddSymbol("NASDAQ:MSFT"))
    assert (await add(AddSymbol("NASDAQ:AAPL", "Apple Inc."))).created is False
    doc = await database.get_collection(schema.SYMBOLS).find_one({"_id": "NASDAQ:AAPL"})
    assert doc is not None and doc["description"] == "Apple Inc." and doc["position"] == 0


@pytest.mark.parametrize("text", ["", "AAPL", "NASDAQ:", "NAS DAQ:AAPL", "A:B:C", "X:A!B"])
async def test_bad_symbol_text_raises_and_stores_nothing(database: Database, text: str) -> None:
    with pytest.raises(InvalidSymbol):
        await AddSymbolHandler(database)(AddSymbol(text))
    with pytest.raises(InvalidSymbol):
        await SyncHistoryHandler(database, MemoryProvider())(SyncHistory(text, D1))
    assert not any((await dump(database)).values())  # nothing stored anywhere


async def _seed_two_symbols(database: Database) -> MemoryProvider:
    """AAPL (D1 and H1 bars) and AAPLX (a name sharing AAPL's prefix) synced and watched."""
    provider = MemoryProvider()
    sync = SyncHistoryHandler(database, provider)
    for symbol in ("NASDAQ:AAPL", "NASDAQ:AAPLX"):
        await AddSymbolHandler(database)(AddSymbol(symbol))
        for interval in (D1, H1):
            provider.set_bars(symbol, interval, make_bars(symbol, interval, 20))
            await sync(SyncHistory(symbol, interval))
    return provider


async def test_remove_symbol_keeps_bars_unless_asked(database: Database) -> None:
    await _seed_two_symbols(database)
    before = await dump(database)
    result = await RemoveSymbolHandler(database)(RemoveSymbol("nasdaq:aapl"))
    assert (result.symbol, result.removed, result.bars_deleted) == ("NASDAQ:AAPL", True, 0)
    after = await dump(database)
    assert [d["_id"] for d in after[schema.SYMBOLS]] == ["NASDAQ:AAPLX"]
    assert after[BARS] == before[BARS]
    assert after[schema.SYNC_STATE] == before[schema.SYNC_STATE]
    again = await RemoveSymbolHandler(database)(RemoveSymbol("NASDAQ:AAPL"))
    assert again.removed is False
    assert await dump(database) == after


async def test_remove_symbol_with_drop_bars_deletes_only_that_symbol(database: Database) -> None:
    await _seed_two_symbols(database)
    result = await RemoveSymbolHandler(database)(RemoveSymbol("NASDAQ:AAPL", drop_bars=True))
    assert (result.removed, result.bars_deleted) == (True, 40)
    after = await dump(database)
    assert {d["symbol"] for d in after[BARS]} == {"NASDAQ:AAPLX"}
    assert len(after[BARS]) == 40
    assert {d["symbol"] for d in after[schema.SYNC_STATE]} == {"NASDAQ:AAPLX"}
    again = await RemoveSymbolHandler(database)(RemoveSymbol("NASDAQ:AAPL", drop_bars=True))
    assert (again.removed, again.bars_deleted) == (False, 0)
    assert await dump(database) == after


def _bar(symbol: str, interval: Interval, epoch: int, close: float, volume: float = 5.0) -> Bar:
    return Bar.from_epoch(symbol, interval, epoch, close, close + 1, close - 1, close, volume)


async def test_save_bars_inserts_then_is_idempotent(database: Database) -> None:
    save = SaveBarsHandler(database)
    start = 1_700_006_700  # no fold slot among these bars: they stay journaled
    bars = tuple(make_bars("NASDAQ:AAPL", Interval.M1, 5, start)) + tuple(
        make_bars("BINANCE:BTCUSDT", Interval.M5, 3, start)
    )
    first = await save(SaveBars(bars))
    assert (first.new, first.updated, first.unchanged) == (8, 0, 0)
    once = await dump(database)
    second = await save(SaveBars(bars))
    assert (second.new, second.updated, second.unchanged) == (0, 0, 8)
    assert await dump(database) == once
    stored = {d["_id"]: d for d in once[BARS]}
    for bar in bars:
        assert schema.doc_to_bar(stored[schema.bar_id(bar.symbol, bar.interval, bar.epoch)]) == bar


async def test_save_bars_replaces_a_changed_bar(database: Database) -> None:
    save = SaveBarsHandler(database)
    t0 = 1_700_000_040
    await save(SaveBars((_bar("NASDAQ:AAPL", Interval.M1, t0, 10.0),)))
    result = await save(
        SaveBars(
            (
                _bar("NASDAQ:AAPL", Interval.M1, t0, 11.0),
                _bar("NASDAQ:AAPL", Interval.M1, t0 + 60, 12.0),
            )
        )
    )
    assert (result.new, result.updated, result.unchanged) == (1, 1, 0)
    stored = {d["_id"]: d for d in (await dump(database))[BARS]}
    assert stored[schema.bar_id("NASDAQ:AAPL", Interval.M1, t0)]["c"] == 11.0


async def test_save_bars_advances_the_tail_but_not_the_sync_status(database: Database) -> None:
    provider = MemoryProvider()
    history = make_bars("NASDAQ:AAPL", Interval.M1, 10)
    provider.set_bars("NASDAQ:AAPL", Interval.M1, history)
    await SyncHistoryHandler(database, provider)(SyncHistory("NASDAQ:AAPL", Interval.M1))
    state_col = database.get_collection(schema.SYNC_STATE)
    before = await state_col.find_one({})
    assert before is not None
    t_next = history[-1].epoch + 60
    await SaveBarsHandler(database)(SaveBars((_bar("NASDAQ:AAPL", Interval.M1, t_next, 200.0),)))
    # The sync's document is left as it was; the live tail is the interval's entry.
    assert await state_col.find_one({}) == before
    after = (await live_entries(database, Interval.M1))["NASDAQ:AAPL"]
    assert after["last_bar"] == datetime.fromtimestamp(t_next, UTC)
    assert (after["last_close"], after["prev_close"]) == (200.0, history[-1].close)
    assert after["prev_bar"] == history[-1].time
    # An older bar (a late correction) is stored but does not move the tail back.
    late = _bar("NASDAQ:AAPL", Interval.M1, history[2].epoch, 1.5)
    await SaveBarsHandler(database)(SaveBars((late,)))
    assert (await live_entries(database, Interval.M1))["NASDAQ:AAPL"] == after
    # The next sync takes the live tail into its own and removes the entry.
    provider.set_bars("NASDAQ:AAPL", Interval.M1, history[:-1])
    await SyncHistoryHandler(database, provider)(SyncHistory("NASDAQ:AAPL", Interval.M1))
    assert await live_entries(database, Interval.M1) == {}
    synced = await state_col.find_one({})
    assert synced is not None
    assert (synced["last_bar"], synced["last_close"]) == (after["last_bar"], 200.0)
    assert synced["prev_close"] == history[-1].close


async def test_save_bars_skips_bars_with_bad_symbols(database: Database) -> None:
    bars = (
        _bar("not a symbol", Interval.M1, 1_700_000_040, 5.0),
        _bar("nasdaq:aapl", Interval.M1, 1_700_000_040, 5.0),
    )
    result = await SaveBarsHandler(database)(SaveBars(bars))
    assert (result.new, result.updated, result.unchanged) == (1, 0, 0)
    docs = (await dump(database))[BARS]
    assert [d["symbol"] for d in docs] == ["NASDAQ:AAPL"]


async def test_save_bars_of_many_series_in_one_call(database: Database) -> None:
    """A live minute: one bar per symbol and interval; each series' bars and tail stored."""
    symbols = [f"NASDAQ:S{i:02d}" for i in range(12)]
    t0 = 1_700_000_040
    first = tuple(
        _bar(s, iv, t0 + k * iv.seconds, 10.0 + n + k)
        for n, s in enumerate(symbols)
        for iv in (Interval.M1, Interval.M5)
        for k in range(2)
    )
    save = SaveBarsHandler(database)
    assert (await save(SaveBars(first))).new == 48
    # Next minute: a new bar for every M1 series, one M1 close corrected, the M5 bars again.
    t1 = t0 + 2 * Interval.M1.seconds
    nxt = tuple(_bar(s, Interval.M1, t1, 50.0 + n) for n, s in enumerate(symbols))
    fix = _bar(symbols[3], Interval.M1, t0 + 60, 99.0)
    same = tuple(b for b in first if b.interval is Interval.M5)
    result = await save(SaveBars((*nxt, fix, *same)))
    assert (result.new, result.updated, result.unchanged) == (12, 1, 24)
    stored = await dump(database)
    assert len(stored[BARS]) == 60
    assert stored[schema.SYNC_STATE] == []  # live saves never write the sync's documents
    tails = {
        schema.sync_id(s, iv): entry
        for iv in (Interval.M1, Interval.M5)
        for s, entry in (await live_entries(database, iv)).items()
    }
    assert len(tails) == 24
    for n, s in enumerate(symbols):
        m1 = tails[schema.sync_id(s, Interval.M1)]
        assert m1["last_bar"] == datetime.fromtimestamp(t1, UTC) and m1["last_close"] == 50.0 + n
        assert m1["prev_close"] == (99.0 if n == 3 else 11.0 + n)
        m5 = tails[schema.sync_id(s, Interval.M5)]
        assert m5["last_bar"] == datetime.fromtimestamp(t0 + Interval.M5.seconds, UTC)


async def live_entries(database: Database, interval: Interval) -> dict[str, Any]:
    """The live tails SaveBars left for ``interval``, by symbol (read as stored)."""
    doc = await database.get_collection("live_tails").find_one({"_id": interval.value})
    return {name.replace("~", "."): entry for name, entry in ((doc or {}).get("s") or {}).items()}
