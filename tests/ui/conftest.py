"""UI fixtures: the real app on the real database and the replay providers, made deterministic
(fixed clock, UTC, no cursor blink). No mocks.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from tui_market.commands.add_symbol import AddSymbol
from tui_market.commands.sync_history import SyncHistory, SyncHistoryHandler
from tui_market.infrastructure.database import Database
from tui_market.infrastructure.interfaces import IQuoteStream
from tui_market.models import Interval
from tui_market.providers.replay import ReplayProvider, ReplayQuoteStream
from tui_market.runtime import Runtime, make_bus
from tui_market.settings import Settings, load_settings
from tui_market.tui.app import MarketApp, make_app

NOW = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
SYNCED_AT = NOW - timedelta(minutes=5)
WATCHLIST = ["NASDAQ:AAPL", "NASDAQ:TSLA", "BITSTAMP:BTCUSD", "SP:SPX"]
DESCRIPTIONS = {
    "NASDAQ:AAPL": "Apple Inc.",
    "NASDAQ:TSLA": "Tesla, Inc.",
    "BITSTAMP:BTCUSD": "Bitcoin / U.S. dollar",
    "SP:SPX": "S&P 500",
}


def fixed_clock() -> datetime:
    return NOW


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Clock text is rendered in local time: make local time UTC."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if old is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = old
    time.tzset()


@pytest.fixture(autouse=True)
def no_cursor_blink(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)


def demo_settings(**overrides: Any) -> Settings:
    return load_settings(demo=True, interval="1D", **overrides)


def replay_provider() -> ReplayProvider:
    return ReplayProvider(now=NOW.timestamp())


def runtime_for(settings: Settings, db: Database, stream: IQuoteStream | None = None) -> Runtime:
    provider = replay_provider()
    stream = stream or ReplayQuoteStream(start=NOW.timestamp())
    return Runtime(settings, db, provider, stream, make_bus(db, provider), None)


async def seed(
    db: Database, symbols: list[str] = WATCHLIST, interval: Interval = Interval.D1
) -> None:
    """Add ``symbols`` and sync their history through the real handlers, at a fixed time."""
    provider = replay_provider()
    bus = make_bus(db, provider)
    bus.register(SyncHistory, SyncHistoryHandler(db, provider, clock=lambda: SYNCED_AT))
    for symbol in symbols:
        await bus.execute(AddSymbol(symbol, DESCRIPTIONS.get(symbol, "")))
        await bus.execute(SyncHistory(symbol, interval, n_bars=300))


@pytest.fixture
async def runtime(database: Database) -> AsyncIterator[Runtime]:
    rt = runtime_for(demo_settings(), database)
    yield rt
    await rt.stream.close()


def app_for(rt: Runtime, **kwargs: object) -> MarketApp:
    return make_app(rt.settings, rt, clock=fixed_clock, **kwargs)  # type: ignore[arg-type]


async def until(
    pilot: Pilot[None],
    predicate: Callable[[], bool],
    timeout: float = 20.0,
    what: str = "condition",
) -> None:
    """Let the app run until ``predicate`` holds (a wait, not a timing assertion)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        await pilot.pause(0.05)


async def settle(pilot: Pilot[None]) -> None:
    """Wait for the app's one-shot workers (not the periodic or live ones) to finish."""
    app = pilot.app
    await until(
        pilot,
        lambda: (
            not [
                w
                for w in app.workers
                if not w.is_finished and w.group not in {"live", "ping", "live-symbols"}
            ]
        ),
        what="workers to finish",
    )
    await pilot.pause()


RunBefore = Callable[[Pilot[None]], Awaitable[None]]
