"""Bus routing and DataSyncService.sync_many: progress, per-symbol errors, cancellation."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest

from tests.fakes.memory_provider import MemoryProvider, make_bars
from tui_market.commands.add_symbol import AddSymbol, AddSymbolResult
from tui_market.errors import ProviderUnavailable
from tui_market.infrastructure.database import Database
from tui_market.models import Interval
from tui_market.queries.get_bars import GetBars
from tui_market.queries.list_symbols import ListSymbols
from tui_market.services.bus import Bus
from tui_market.services.data_sync_service import DataSyncService

IV = Interval.H1
SYMBOLS = ["NASDAQ:AAPL", "NASDAQ:MSFT", "NYSE:IBM"]


@pytest.fixture
def provider() -> MemoryProvider:
    provider = MemoryProvider()
    for symbol in SYMBOLS:
        provider.set_bars(symbol, IV, make_bars(symbol, IV, 12))
    return provider


async def test_bus_routes_messages(database: Database, provider: MemoryProvider) -> None:
    bus = Bus(database, provider)
    assert await bus.execute(AddSymbol("nasdaq:aapl")) == AddSymbolResult("NASDAQ:AAPL", True)
    rows = await bus.execute(ListSymbols(IV))
    assert [r.symbol for r in rows] == ["NASDAQ:AAPL"]

    @dataclass(frozen=True)
    class Unknown:
        x: int

    with pytest.raises(TypeError, match="Unknown"):
        await bus.execute(Unknown(1))


async def test_sync_many_reports_progress(database: Database, provider: MemoryProvider) -> None:
    bus = Bus(database, provider)
    seen: list[tuple[int, int, str]] = []
    outcomes = await DataSyncService(bus).sync_many(
        SYMBOLS, IV, n_bars=10, on_progress=lambda d, t, s: seen.append((d, t, s))
    )
    assert seen == [(1, 3, SYMBOLS[0]), (2, 3, SYMBOLS[1]), (3, 3, SYMBOLS[2])]
    assert [o.symbol for o in outcomes] == SYMBOLS
    assert all(o.ok and o.result is not None and o.result.new == 10 for o in outcomes)
    assert len(await bus.execute(GetBars("NYSE:IBM", IV))) == 10


async def test_sync_many_goes_on_after_errors(database: Database, provider: MemoryProvider) -> None:
    provider.fail("NASDAQ:MSFT", ProviderUnavailable("NASDAQ:MSFT: no answer within 30 s"))
    symbols = ["NASDAQ:AAPL", "NASDAQ:MSFT", "NASDAQ:NOPE", "NASDAQAAPL", "NYSE:IBM"]
    outcomes = await DataSyncService(Bus(database, provider)).sync_many(symbols, IV)
    assert [o.symbol for o in outcomes] == symbols
    assert [o.ok for o in outcomes] == [True, False, False, False, True]
    # The outcome names the symbol; its error does not again.
    assert outcomes[1].error == "no answer within 30 s" and outcomes[1].result is None
    assert outcomes[2].error == "no such symbol"
    assert outcomes[3].error is not None and "':'" in outcomes[3].error
    assert outcomes[4].result is not None and outcomes[4].result.new == 12


async def test_sync_many_stops_when_cancelled(database: Database, provider: MemoryProvider) -> None:
    cancel = asyncio.Event()
    service = DataSyncService(Bus(database, provider))

    def progress(done: int, total: int, symbol: str) -> None:
        if done == 1:
            cancel.set()

    outcomes = await service.sync_many(SYMBOLS, IV, on_progress=progress, cancel=cancel)
    assert [o.symbol for o in outcomes] == SYMBOLS[:1]
    assert [c[0] for c in provider.calls] == ["AAPL"]
    assert await service.sync_many(SYMBOLS, IV, cancel=cancel) == []
