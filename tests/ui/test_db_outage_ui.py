"""The database dies under the running app (issue 6, fault 2), through the real app.

Embedded: the app's server is killed with SIGKILL on the Ticker screen: the health line says
the database is down and being restarted, a notification says so, the ticker's prices keep
changing, the server comes back and every bar closed meanwhile is stored.
Remote URI: a server we run is killed; the app waits for it (starts none), a watchlist read
that fails meanwhile is an error notification (the app goes on), and when we start the server
again the waiting bars are saved ("database back: N bars saved").
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
from pathlib import Path

import pytest
from textual.message import Message

from tests.procs import server_pids
from tests.ui.conftest import NOW, WATCHLIST, app_for, replay_provider, seed, settle, until
from tui_market.infrastructure.database import Database
from tui_market.infrastructure.embedded import EmbeddedServer
from tui_market.infrastructure.server_process import free_port, spawn, uri_for
from tui_market.models import Bar, Interval
from tui_market.providers.replay import ReplayQuoteStream
from tui_market.queries.get_bars import GetBars
from tui_market.runtime import Runtime, make_bus
from tui_market.settings import load_settings
from tui_market.tui.app import MarketApp
from tui_market.tui.messages import WatchlistStale
from tui_market.tui.widgets.chrome import HealthLine
from tui_market.tui.widgets.ticker_table import TickerTable

pytestmark = pytest.mark.skipif(
    "TUI_MARKET_TEST_MONGODB_URI" in os.environ, reason="outage tests kill their own secantus"
)
SIZE = (160, 36)
SYMBOLS = WATCHLIST[:2]


def kill_9(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def health_text(app: MarketApp) -> str:
    return str(app.screen.query_one(HealthLine).render())


def notes(app: MarketApp) -> list[str]:
    return [n.message for n in app._notifications]


def closed_1m(app: MarketApp) -> set[Bar]:
    """The 1m bars the live service closed, as the Ticker was given them (its snapshot)."""
    recent = app.snapshot.recent
    return {bar for symbol in SYMBOLS for bar in recent.get((symbol, Interval.M1), ())}


async def live_app(db: Database, server: EmbeddedServer | None) -> tuple[MarketApp, Runtime]:
    await seed(db, SYMBOLS)
    settings = load_settings(demo=True, interval="1m")
    provider = replay_provider()
    stream = ReplayQuoteStream(start=NOW.timestamp(), speed=300.0)  # 5 bars a second
    runtime = Runtime(settings, db, provider, stream, make_bus(db, provider), server)
    return app_for(runtime, live=True), runtime


async def check_stored(runtime: Runtime, closed: list[Bar]) -> None:
    """Every 1m bar closed after the kill is stored, with the values the screen had."""
    assert closed
    stored: dict[tuple[str, int], Bar] = {}
    for symbol in SYMBOLS:
        for bar in await runtime.bus.execute(GetBars(symbol, Interval.M1)):
            stored[(bar.symbol, bar.epoch)] = bar
    missing = [b for b in closed if stored.get((b.symbol, b.epoch)) != b]
    assert not missing, f"{len(missing)} of {len(closed)} closed bars were not stored"


async def test_embedded_server_killed_the_app_says_so_stays_live_and_loses_no_bar(
    tmp_path: Path,
) -> None:
    server = EmbeddedServer(tmp_path)
    uri = await asyncio.to_thread(server.acquire)
    db = await Database.connect(uri, "ui_outage", embedded=True)
    app, runtime = await live_app(db, server)
    seen: list[Message] = []
    try:
        async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
            await settle(pilot)
            await pilot.press("3")
            table = app.screen.query_one(TickerTable)
            await until(
                pilot,
                lambda: app.health.database_up is True and app.status.live.service.saved > 0,
                what="bars saved",
            )
            pid = json.loads((tmp_path / "server.json").read_text())["pid"]
            kill_9(pid)
            before = closed_1m(app)
            lines: list[str] = []
            prices: set[str] = set()

            def while_down() -> bool:
                if app.health.database_up is False:
                    lines.append(health_text(app))
                    prices.add(str(table.get_row(SYMBOLS[0])[1]))
                return len(prices) >= 3

            await until(pilot, while_down, what="ticker prices changing while the DB is down")
            assert any("down — restarting" in line for line in lines)
            assert any(n.startswith("Database down (restarting)") for n in notes(app))
            await until(pilot, lambda: app.health.database_up is True, what="the DB back up")
            closed = closed_1m(app) - before
            assert closed, "no bar closed while the database was down"
            assert " up" in health_text(app) and "Database back up." in notes(app)
            assert app.status.supervisor.restarts == 1
            await pilot.press("q")
        await check_stored(runtime, list(closed))
    finally:
        await runtime.stream.close()
        await db.close()
        await asyncio.to_thread(server.release)
    assert server_pids(tmp_path) == []


async def test_remote_database_away_the_app_waits_and_saves_the_backlog(tmp_path: Path) -> None:
    port = free_port()
    pid = await asyncio.to_thread(spawn, tmp_path, port, 20.0)
    db = await Database.connect(uri_for(port), "ui_outage", embedded=False, timeout=1.0)
    app, runtime = await live_app(db, None)
    seen: list[Message] = []
    try:
        async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
            await settle(pilot)
            await pilot.press("3")
            await until(
                pilot,
                lambda: app.health.database_up is True and app.status.live.service.saved > 0,
                what="bars saved",
            )
            kill_9(pid)
            before = closed_1m(app)
            await until(
                pilot,
                lambda: f"down — waiting for 127.0.0.1:{port}" in health_text(app),
                what="the outage on the health line",
            )
            await until(pilot, lambda: "bars waiting" in health_text(app), what="bars waiting")
            app.post_message(WatchlistStale(Interval.M1))  # a read while the database is away
            await until(
                pilot,
                lambda: any(n.startswith("read the watchlist failed") for n in notes(app)),
                what="the failed read said",
            )
            assert app.is_running and server_pids(tmp_path) == []  # the app started none
            pid = await asyncio.to_thread(spawn, tmp_path, port, 20.0)  # back: same port, storage
            await until(
                pilot,
                lambda: any(n.startswith("database back: ") for n in notes(app)),
                what="the backlog saved",
            )
            await until(pilot, lambda: app.health.database_up is True, what="the DB back up")
            assert " up" in health_text(app)
            closed = closed_1m(app) - before
            await pilot.press("q")
        await check_stored(runtime, list(closed))
    finally:
        await runtime.stream.close()
        await db.close()
        with contextlib.suppress(ProcessLookupError):
            kill_9(pid)
