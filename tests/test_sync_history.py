"""SyncHistory: incremental counts, stored state, provider failures."""

from __future__ import annotations

import pytest

from tests.dbdump import BARS, dump
from tests.fakes.memory_provider import MemoryProvider, make_bars
from tui_market.commands.add_symbol import AddSymbol, AddSymbolHandler
from tui_market.commands.sync_history import SyncHistory, SyncHistoryHandler, SyncResult
from tui_market.errors import ProviderError, ProviderUnavailable, SymbolNotFound
from tui_market.infrastructure import schema
from tui_market.infrastructure.database import Database
from tui_market.models import Bar, Interval

SYM, IV = "NASDAQ:AAPL", Interval.H1


def _counts(result: SyncResult) -> tuple[int, int, int, int]:
    return (result.new, result.updated, result.unchanged, result.rejected)


def _revalue(bar: Bar, close: float) -> Bar:
    return Bar.from_epoch(
        bar.symbol, bar.interval, bar.epoch, close, close + 1, close - 1, close, bar.volume
    )


@pytest.fixture
def provider() -> MemoryProvider:
    return MemoryProvider()


async def test_incremental_counts_across_runs(database: Database, provider: MemoryProvider) -> None:
    sync = SyncHistoryHandler(database, provider)
    bars = make_bars(SYM, IV, 200)
    provider.set_bars(SYM, IV, bars)

    first = await sync(SyncHistory("nasdaq:aapl", IV))
    assert _counts(first) == (200, 0, 0, 0)
    assert first.symbol == SYM and first.last_bar == bars[-1].time
    once = await dump(database)
    assert len(once[BARS]) == 200

    second = await sync(SyncHistory(SYM, IV))
    assert _counts(second) == (0, 0, 200, 0)
    assert await dump(database) == once  # idempotent

    changed = list(bars)
    for i in (3, 50, 199):
        changed[i] = _revalue(bars[i], 500.0 + i)
    provider.set_bars(SYM, IV, changed)
    third = await sync(SyncHistory(SYM, IV))
    assert _counts(third) == (0, 3, 197, 0)
    stored = {d["_id"]: d for d in (await dump(database))[BARS]}
    assert stored[schema.bar_id(SYM, IV, bars[50].epoch)]["c"] == 550.0

    more = changed + make_bars(SYM, IV, 7, start=bars[-1].epoch + 3600, base=900.0)
    provider.set_bars(SYM, IV, more)
    fourth = await sync(SyncHistory(SYM, IV, n_bars=100))
    assert _counts(fourth) == (7, 0, 93, 0)
    assert fourth.last_bar == more[-1].time
    assert len((await dump(database))[BARS]) == 207


async def test_sync_state_holds_the_outcome_and_tail(
    database: Database, provider: MemoryProvider
) -> None:
    bars = make_bars(SYM, IV, 30)
    provider.set_bars(SYM, IV, bars)
    await SyncHistoryHandler(database, provider)(SyncHistory(SYM, IV))
    state = await database.get_collection(schema.SYNC_STATE).find_one(
        {"_id": schema.sync_id(SYM, IV)}
    )
    assert state is not None
    assert (state["status"], state["error"]) == ("ok", None)
    assert (state["new"], state["unchanged"]) == (30, 0)
    assert state["last_bar"] == bars[-1].time
    assert (state["last_close"], state["prev_close"], state["last_volume"]) == (
        bars[-1].close,
        bars[-2].close,
        bars[-1].volume,
    )


async def test_rejects_duplicate_times_and_wrong_intervals(
    database: Database, provider: MemoryProvider
) -> None:
    bars = make_bars(SYM, IV, 10)
    stray = make_bars(SYM, Interval.D1, 1)[0]
    provider.set_bars(SYM, IV, [*bars, _revalue(bars[4], 321.0), stray])
    result = await SyncHistoryHandler(database, provider)(SyncHistory(SYM, IV))
    assert _counts(result) == (10, 0, 0, 2)
    assert len((await dump(database))[BARS]) == 10


async def test_unknown_symbol_stores_nothing(database: Database, provider: MemoryProvider) -> None:
    await AddSymbolHandler(database)(AddSymbol("NASDAQ:NOPE"))
    before = await dump(database)
    with pytest.raises(SymbolNotFound):
        await SyncHistoryHandler(database, provider)(SyncHistory("NASDAQ:NOPE", IV))
    assert await dump(database) == before


async def test_provider_down_records_error_and_keeps_last_bar(
    database: Database, provider: MemoryProvider
) -> None:
    sync = SyncHistoryHandler(database, provider)
    await AddSymbolHandler(database)(AddSymbol(SYM))
    bars = make_bars(SYM, IV, 20)
    provider.set_bars(SYM, IV, bars)
    await sync(SyncHistory(SYM, IV))
    bars_before = (await dump(database))[BARS]

    provider.fail(SYM, ProviderUnavailable("TradingView unreachable: timed out"))
    with pytest.raises(ProviderUnavailable):
        await sync(SyncHistory(SYM, IV))
    state = await database.get_collection(schema.SYNC_STATE).find_one({})
    assert state is not None
    assert (state["status"], state["error"]) == ("error", "TradingView unreachable: timed out")
    assert state["last_bar"] == bars[-1].time and state["last_close"] == bars[-1].close
    assert (await dump(database))[BARS] == bars_before

    provider.fail(SYM, None)
    result = await sync(SyncHistory(SYM, IV))
    assert _counts(result) == (0, 0, 20, 0)
    state = await database.get_collection(schema.SYNC_STATE).find_one({})
    assert state is not None and (state["status"], state["error"]) == ("ok", None)


async def test_provider_error_for_watched_never_synced_symbol(
    database: Database, provider: MemoryProvider
) -> None:
    await AddSymbolHandler(database)(AddSymbol(SYM))
    provider.fail(SYM, ProviderError("garbled answer"))
    with pytest.raises(ProviderError):
        await SyncHistoryHandler(database, provider)(SyncHistory(SYM, IV))
    states = (await dump(database))[schema.SYNC_STATE]
    assert len(states) == 1
    assert (states[0]["status"], states[0]["error"]) == ("error", "garbled answer")
    assert states[0].get("last_bar") is None


async def test_provider_error_for_unwatched_unsynced_symbol_stores_nothing(
    database: Database, provider: MemoryProvider
) -> None:
    provider.fail(SYM, ProviderUnavailable("down"))
    with pytest.raises(ProviderUnavailable):
        await SyncHistoryHandler(database, provider)(SyncHistory(SYM, IV))
    assert not any((await dump(database)).values())  # nothing stored anywhere


async def test_provider_is_asked_for_exchange_ticker_and_size(
    database: Database, provider: MemoryProvider
) -> None:
    provider.set_bars("CME_MINI:ES1!", IV, make_bars("CME_MINI:ES1!", IV, 3))
    await SyncHistoryHandler(database, provider)(SyncHistory("cme_mini:es1!", IV, n_bars=42))
    assert provider.calls == [("ES1!", "CME_MINI", IV, 42)]
