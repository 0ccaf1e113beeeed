"""open_runtime: wiring, first-run watchlist seed, and release of everything it opened."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pymongo import AsyncMongoClient

from tests.fakes.memory_provider import MemoryProvider
from tests.procs import server_pids
from tui_market.commands.remove_symbol import RemoveSymbol
from tui_market.errors import ProviderUnavailable
from tui_market.infrastructure.interfaces import IDataProvider, IQuoteStream
from tui_market.queries.list_symbols import ListSymbols
from tui_market.runtime import make_providers, offline_providers, open_runtime
from tui_market.settings import Settings, load_settings


class Providers:
    """A provider factory that remembers what it built."""

    def __init__(self) -> None:
        self.built: list[MemoryProvider] = []

    def __call__(self, settings: Settings) -> tuple[IDataProvider, IQuoteStream]:
        provider = MemoryProvider()
        self.built.append(provider)
        return provider, offline_providers(settings)[1]


@pytest.fixture
async def db_name(mongo_uri: str) -> AsyncIterator[str]:
    name = f"test_rt_{uuid.uuid4().hex[:10]}"
    yield name
    client: AsyncMongoClient = AsyncMongoClient(mongo_uri)
    await client.drop_database(name)
    await client.close()


async def test_first_run_seeds_the_watchlist_once(mongo_uri: str, db_name: str) -> None:
    settings = load_settings(
        mongodb_uri=mongo_uri, database=db_name, watchlist="nasdaq:aapl,NYSE:IBM"
    )
    providers = Providers()
    async with open_runtime(settings, providers=providers) as rt:
        assert rt.embedded is None and not rt.db.embedded
        assert rt.provider is providers.built[0] and rt.bus.provider is rt.provider
        rows = await rt.bus.execute(ListSymbols())
        assert [r.symbol for r in rows] == ["NASDAQ:AAPL", "NYSE:IBM"]
        for row in rows:
            await rt.bus.execute(RemoveSymbol(row.symbol))
    assert providers.built[0].closed
    # The user emptied the watchlist on purpose: the next start does not refill it.
    async with open_runtime(settings, providers=providers) as rt:
        assert await rt.bus.execute(ListSymbols()) == []


async def test_headless_runs_do_not_seed(mongo_uri: str, db_name: str) -> None:
    settings = load_settings(mongodb_uri=mongo_uri, database=db_name)
    async with open_runtime(settings, seed=False, providers=Providers()) as rt:
        assert await rt.bus.execute(ListSymbols()) == []
    async with open_runtime(settings, providers=Providers()) as rt:  # then the TUI starts
        assert len(await rt.bus.execute(ListSymbols())) == len(settings.watchlist)


@pytest.mark.skipif("TUI_MARKET_TEST_MONGODB_URI" in os.environ, reason="embedded server")
async def test_embedded_runtime_releases_the_server_even_on_failure(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path, watchlist="NASDAQ:AAPL")

    def broken(settings: Settings) -> tuple[IDataProvider, IQuoteStream]:
        raise ProviderUnavailable("no provider today")

    with pytest.raises(ProviderUnavailable):
        async with open_runtime(settings, providers=broken):
            pass
    assert server_pids(tmp_path) == []  # started, then stopped again by the failure
    async with open_runtime(settings, providers=Providers()) as rt:
        assert rt.embedded is not None and rt.db.embedded
        assert len(server_pids(tmp_path)) == 1
        assert [r.symbol for r in await rt.bus.execute(ListSymbols())] == ["NASDAQ:AAPL"]
    assert server_pids(tmp_path) == []


async def test_provider_factory_follows_the_settings() -> None:
    from tui_market.providers.replay import ReplayProvider, ReplayQuoteStream
    from tui_market.providers.tradingview.history import TradingViewProvider
    from tui_market.providers.tradingview.quotes import TradingViewQuoteStream

    settings = load_settings(
        tv_ws_url="ws://127.0.0.1:9/socket", tv_username="trader", tv_password="hunter2"
    )
    provider, stream = make_providers(settings)
    try:
        assert isinstance(provider, TradingViewProvider)
        assert isinstance(stream, TradingViewQuoteStream)
        assert provider.ws_url == "ws://127.0.0.1:9/socket"
        assert "hunter2" not in repr(provider)
    finally:
        await provider.close()
        await stream.close()
    demo_provider, demo_stream = make_providers(load_settings(demo=True))
    assert isinstance(demo_provider, ReplayProvider)
    assert isinstance(demo_stream, ReplayQuoteStream)
    await demo_provider.close()
    await demo_stream.close()


async def test_first_run_seed_takes_descriptions_from_the_provider(
    mongo_uri: str, db_name: str
) -> None:
    settings = load_settings(
        mongodb_uri=mongo_uri, database=db_name, demo=True, watchlist="NASDAQ:AAPL,SP:SPX,NYSE:IBM"
    )
    async with open_runtime(settings) as rt:
        rows = {r.symbol: r.description for r in await rt.bus.execute(ListSymbols())}
    assert rows["NASDAQ:AAPL"] and "apple" in rows["NASDAQ:AAPL"].lower()
    assert rows["SP:SPX"]
    assert rows["NYSE:IBM"] == ""  # the demo data does not know it: added without one
