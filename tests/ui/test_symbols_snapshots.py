"""Snapshots of the Symbols screen, the help screen and the add-symbol error state, in the
default (dark) and the light theme. Deterministic: fixed clock, UTC, seeded database, replay
data at a fixed "now", no cursor blink, no live worker (the feed state is posted the way the
live worker posts it).

``snap_compare`` runs the app in its own event loop, so these tests are synchronous and open
their own database on the session's server (seeded, then dropped).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import pytest
from pymongo import AsyncMongoClient
from textual.pilot import Pilot

from tests.ui.conftest import WATCHLIST, app_for, demo_settings, runtime_for, seed, settle
from tui_market.infrastructure.database import Database
from tui_market.infrastructure.interfaces import FeedState, FeedStatus
from tui_market.models import Interval
from tui_market.tui.app import MarketApp
from tui_market.tui.messages import FeedStateChanged

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
