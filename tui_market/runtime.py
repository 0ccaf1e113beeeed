"""Runtime wiring shared by the CLI and the TUI: database, providers, bus; all released on exit.

``async with open_runtime(settings) as rt:`` starts (or reuses) the embedded server when no URI
is set, connects, builds the history provider and quote stream for ``settings.provider``, and the
bus. Everything opened is closed in reverse order on exit, even after a failure half-way.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pymongo.errors import PyMongoError

from tui_market.errors import DatabaseUnavailable, ProviderUnavailable
from tui_market.infrastructure.database import Database
from tui_market.infrastructure.early_server import EarlyServer
from tui_market.infrastructure.embedded import EmbeddedServer
from tui_market.infrastructure.interfaces import (
    FeedState,
    FeedStatus,
    IDataProvider,
    IQuoteStream,
    QuoteEvent,
)
from tui_market.models import Bar, Interval
from tui_market.queries.old_layout import OLD_LAYOUT, OldLayoutBars
from tui_market.settings import Settings

if TYPE_CHECKING:
    from tui_market.services.bus import Bus

log = logging.getLogger(__name__)

ProviderFactory = Callable[[Settings], tuple[IDataProvider, IQuoteStream]]


@dataclass
class Runtime:
    settings: Settings
    db: Database
    provider: IDataProvider
    stream: IQuoteStream
    bus: Bus
    embedded: EmbeddedServer | None
    old_bars: int = 0  # bars still in the layout before buckets (``tui-market migrate``)


def make_providers(settings: Settings) -> tuple[IDataProvider, IQuoteStream]:
    """The history provider and live stream for ``settings.provider`` (imported when used:
    the demo never loads tvDatafeed or websockets). A desk follower (``feed = "database"``)
    opens no connection at all: its quotes come from the ingester through the database."""
    if settings.feed == "database":
        return offline_providers(settings)
    if settings.provider == "replay":
        from tui_market.providers.replay import ReplayProvider, ReplayQuoteStream

        return ReplayProvider(), ReplayQuoteStream()
    from tui_market.providers.tradingview import WS_URL
    from tui_market.providers.tradingview.history import TradingViewProvider
    from tui_market.providers.tradingview.quotes import TradingViewQuoteStream

    username, password = settings.tv_username, settings.tv_password
    url = settings.tv_ws_url or WS_URL
    provider = TradingViewProvider(
        username=username.get_secret_value() if username else None,
        password=password.get_secret_value() if password else None,
        ws_url=url,
        signin_url=settings.tv_signin_url,
        timeout=settings.history_timeout_seconds,
    )
    return provider, TradingViewQuoteStream(url=url)


class _OfflineProvider(IDataProvider):
    """For commands that only read the store: never touches the network."""

    name = "offline"

    async def fetch_ohlcv(
        self, symbol: str, exchange: str, interval: Interval, n_bars: int
    ) -> list[Bar]:
        raise ProviderUnavailable("this command does not fetch data")

    async def close(self) -> None:
        return None


class _OfflineStream(IQuoteStream):
    name = "offline"

    async def set_symbols(self, symbols: set[str]) -> None:
        return None

    async def events(self) -> AsyncIterator[QuoteEvent]:
        yield FeedState(FeedStatus.STOPPED, detail="offline")

    async def close(self) -> None:
        return None


def offline_providers(settings: Settings) -> tuple[IDataProvider, IQuoteStream]:
    """Provider factory for read-only commands (``bars``, ``symbols``)."""
    return _OfflineProvider(), _OfflineStream()


def make_bus(db: Database, provider: IDataProvider) -> Bus:
    from tui_market.services.bus import Bus

    return Bus(db, provider)


async def connect_database(
    settings: Settings, stack: AsyncExitStack, early: EarlyServer | None = None
) -> tuple[Database, EmbeddedServer | None]:
    """Connect to ``settings.mongodb_uri``, or to the embedded server for the data dir
    (``early``: one already starting for this data dir)."""
    if settings.mongodb_uri is not None:
        db = await Database.connect(settings.mongodb_uri, settings.database)
        stack.push_async_callback(db.close)
        return db, None
    if early is not None and early.data_dir != settings.data_dir:
        await asyncio.to_thread(early.abandon)
        early = None
    server = early.server if early is not None else EmbeddedServer(settings.data_dir)
    try:
        if early is not None:
            uri = await asyncio.wrap_future(early.uri)
        else:
            uri = await asyncio.to_thread(server.acquire)
    except OSError as exc:
        log.error("embedded server in %s failed: %s", settings.data_dir, exc)
        raise DatabaseUnavailable(
            f"cannot use data dir {settings.data_dir}: {exc.strerror or exc}"
        ) from exc
    stack.push_async_callback(_release, server)
    db = await Database.connect(uri, settings.database, embedded=True)
    stack.push_async_callback(db.close)
    return db, server


async def _release(server: EmbeddedServer) -> None:
    stopped = await asyncio.to_thread(server.release)
    log.info("released embedded server (%s)", "stopped" if stopped else "still in use")


async def _seed(bus: Bus, symbols: list[str]) -> None:
    """The watchlist from the settings, on the very first run only (``SeedWatchlist``)."""
    from tui_market.commands.seed_watchlist import SeedWatchlist

    try:
        await bus.execute(SeedWatchlist(tuple(symbols)))
    except PyMongoError as exc:
        log.error("seeding the watchlist failed: %s", exc)
        raise DatabaseUnavailable(f"cannot write the watchlist: {exc.__class__.__name__}") from exc


@asynccontextmanager
async def open_runtime(
    settings: Settings,
    *,
    seed: bool = True,
    providers: ProviderFactory = make_providers,
    early: EarlyServer | None = None,
) -> AsyncIterator[Runtime]:
    """Everything the app and the CLI need, released on exit (the embedded server last)."""
    log.info("opening runtime: %s", settings.describe())
    async with AsyncExitStack() as stack:
        db, server = await connect_database(settings, stack, early)
        provider, stream = providers(settings)
        stack.push_async_callback(provider.close)
        stack.push_async_callback(stream.close)
        bus = make_bus(db, provider)
        if settings.feed == "database":  # syncs run once, by the desk's ingester (jobs)
            from tui_market.commands.queued_sync import QueuedSyncHandler
            from tui_market.commands.sync_history import SyncHistory

            bus.register(SyncHistory, QueuedSyncHandler(db))
        if seed:
            await _seed(bus, settings.watchlist)
        old_bars = await bus.execute(OldLayoutBars())
        if old_bars:
            log.warning(OLD_LAYOUT.format(old_bars))
        yield Runtime(settings, db, provider, stream, bus, server, old_bars)
        log.info("closing runtime")
