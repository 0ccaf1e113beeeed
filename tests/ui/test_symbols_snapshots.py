"""Snapshots of the Symbols screen, the help screen and the add-symbol error state, in the
default (dark) and the light theme. Deterministic: fixed clock, UTC, seeded database, replay
data at a fixed "now", no cursor blink, no live worker (the feed state is posted the way the
live worker posts it).

``snap_compare`` runs the app in its own event loop, so these tests are synchronous and open
their own database on the session's server (seeded, then dropped).
"""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import pytest
from pymongo import AsyncMongoClient
from textual.pilot import Pilot

from tests.ui.conftest import (
    WATCHLIST,
    app_for,
    demo_settings,
    runtime_for,
    seed,
    settle,
    until,
)
from tui_market.infrastructure.database import Database
from tui_market.infrastructure.interfaces import FeedState, FeedStatus
from tui_market.models import Interval
from tui_market.providers.tradingview.quotes import TradingViewQuoteStream
from tui_market.settings import load_settings
from tui_market.tui.app import MarketApp
from tui_market.tui.live import LiveBridge
from tui_market.tui.messages import DatabasePinged, FeedStateChanged
from tui_market.tui.screens.confirm import ConfirmScreen

SIZE = (120, 36)
THEMES = ["market-dark", "market-light"]
SHOWN_DB = "embedded 127.0.0.1:27017"  # the session server's port changes from run to run


def _database(uri: str, name: str) -> Database:
    client: AsyncMongoClient = AsyncMongoClient(uri, tz_aware=True)
    return Database(client, name, embedded=True, uri=uri)


@contextmanager
def seeded_database(mongo_uri: str, interval: Interval = Interval.D1) -> Iterator[tuple[str, str]]:
    """A database on the session server holding the watchlist synced at ``interval``; dropped
    afterwards. Its own event loops: ``snap_compare`` runs the app in another one."""
    name = f"snap_{uuid.uuid4().hex[:10]}"

    async def prepare() -> None:
        db = _database(mongo_uri, name)
        try:
            await db.ensure_indexes()
            await seed(db, WATCHLIST, interval)
        finally:
            await db.close()

    async def drop() -> None:
        db = _database(mongo_uri, name)
        try:
            await db.drop()
        finally:
            await db.close()

    asyncio.run(prepare())
    try:
        yield mongo_uri, name
    finally:
        asyncio.run(drop())


@pytest.fixture
def seeded(mongo_uri: str) -> Iterator[tuple[str, str]]:
    with seeded_database(mongo_uri) as where:
        yield where


def snapshot_app(seeded: tuple[str, str], theme: str) -> MarketApp:
    uri, name = seeded
    settings = demo_settings(theme=theme)
    return app_for(runtime_for(settings, _database(uri, name)), live=False)


async def ready(pilot: Pilot[None]) -> None:
    app = pilot.app
    assert isinstance(app, MarketApp)
    await settle(pilot)
    app.post_message(FeedStateChanged(FeedState(FeedStatus.LIVE)))
    await pilot.pause()
    app.health = replace(app.health, database=SHOWN_DB, database_up=True)
    await pilot.pause()


@pytest.mark.parametrize("theme", THEMES)
def test_symbols_screen(snap_compare, seeded, theme: str) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(snapshot_app(seeded, theme), terminal_size=SIZE, run_before=ready)


@pytest.mark.parametrize("theme", THEMES)
def test_help_screen(snap_compare, seeded, theme: str) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(
        snapshot_app(seeded, theme), terminal_size=SIZE, run_before=ready, press=["question_mark"]
    )


@pytest.mark.parametrize("theme", THEMES)
def test_add_symbol_error(snap_compare, seeded, theme: str) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(
        snapshot_app(seeded, theme),
        terminal_size=SIZE,
        run_before=ready,
        press=["a", *"nasdaq:aa$pl"],
    )


# ---- the high-contrast theme, the remove dialog, the health line's bad states -----------------
def test_symbols_screen_contrast_theme(snap_compare, seeded) -> None:  # type: ignore[no-untyped-def]
    app = snapshot_app(seeded, "market-contrast")
    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


def test_confirm_remove_dialog(snap_compare, seeded) -> None:  # type: ignore[no-untyped-def]
    async def asked(pilot: Pilot[None]) -> None:
        await ready(pilot)
        await pilot.press("down", "d")
        await until(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen), what="dialog")
        await pilot.pause()

    app = snapshot_app(seeded, "market-dark")
    assert snap_compare(app, terminal_size=SIZE, run_before=asked)


def test_database_down_health_line(snap_compare, seeded) -> None:  # type: ignore[no-untyped-def]
    async def down(pilot: Pilot[None]) -> None:
        await ready(pilot)
        # what the database watch posts when its ping fails and it restarts the server
        pilot.app.post_message(DatabasePinged(False, "restarting"))
        await until(
            pilot,
            lambda: pilot.app.health.database_up is False,  # type: ignore[attr-defined]
            what="the DB down on the health line",
        )
        pilot.app.clear_notifications()  # the toast said it too; it would cover the line
        await pilot.pause()

    app = snapshot_app(seeded, "market-dark")
    assert snap_compare(app, terminal_size=SIZE, run_before=down)


class FrozenMonotonic:
    def __call__(self) -> float:
        return 500.0


def backing_off_app(seeded: tuple[str, str]) -> MarketApp:
    """The real live path: a TradingView quote stream to a port nobody listens on (refused at
    once), backing off 30 s; the live bridge's countdown clock stands still."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"ws://127.0.0.1:{port}/socket.io/websocket"
    stream = TradingViewQuoteStream(
        url, proxy=None, backoff_initial=30.0, backoff_cap=30.0, backoff_jitter=0.0
    )
    uri, name = seeded
    settings = load_settings(interval="1D", tv_ws_url=url, theme="market-dark")
    app = app_for(runtime_for(settings, _database(uri, name), stream), live=True)
    bridge = app.status.live
    assert bridge is not None
    app.status.live = LiveBridge(app, bridge.service, stream, monotonic=FrozenMonotonic())
    return app


async def backing_off(pilot: Pilot[None]) -> None:
    app = pilot.app
    assert isinstance(app, MarketApp)
    await settle(pilot)
    app.health = replace(app.health, database=SHOWN_DB)
    await until(
        pilot,
        lambda: (
            app.health.feed is not None
            and app.health.feed.status is FeedStatus.BACKING_OFF
            and app.health.retry_left == 30
            and app.health.database_up is True
        ),
        what="the feed backing off",
    )
    await pilot.pause()


def test_backing_off_health_line(snap_compare, seeded) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(backing_off_app(seeded), terminal_size=SIZE, run_before=backing_off)
