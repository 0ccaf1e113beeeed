"""Snapshots of the Ticker screen in the default (dark) and the light theme, driven by the app's
real live worker: the replay stream -> QuoteService -> the app's 10 Hz frames -> the screen.

Deterministic: the replay stream's wall clock is a manual one (``ManualWall``), so replay time
moves only when the test moves it: it is set to 15:33:25 (three 1m bars closed, the fourth
forming, the last tick at 15:33:20) and then stands still, like a paused stream. The live
bridge's age clock is the same manual wall, so the health line says "last tick 0s ago" for
good. Two things are set by hand, both only what time would do: the price flash is let fade
(the table's flash clock jumps ahead: which change flashes last depends on which frames
painted the catch-up, which is not deterministic), and the chart draws every change (no 3 Hz
cap). Fixed app clock, UTC, seeded database (1m history up to "now").
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from textual.pilot import Pilot

from tests.fakes.manual_clock import ManualWall
from tests.ui.conftest import NOW, WATCHLIST, app_for, runtime_for, settle, until
from tests.ui.test_symbols_snapshots import SHOWN_DB, SIZE, THEMES, _database, seeded_database
from tui_market.models import Interval
from tui_market.providers.replay import ReplayQuoteStream
from tui_market.settings import load_settings
from tui_market.tui.app import MarketApp
from tui_market.tui.live import LiveBridge
from tui_market.tui.screens.ticker import TickerScreen
from tui_market.tui.widgets.live_chart import LiveChart
from tui_market.tui.widgets.ticker_table import TickerTable

SPEED = 600.0  # replay seconds per wall second of the manual wall
PLAYED = 205.0  # replay seconds played: to 15:33:25
LAST_TICK = NOW.timestamp() + 200  # the last slot played (ticks every 10 s)


@pytest.fixture
def seeded_1m(mongo_uri: str) -> Iterator[tuple[str, str]]:
    with seeded_database(mongo_uri, Interval.M1) as where:
        yield where


def live_ticker_app(seeded: tuple[str, str], theme: str) -> MarketApp:
    uri, name = seeded
    settings = load_settings(demo=True, interval="1m", theme=theme)
    wall = ManualWall()
    stream = ReplayQuoteStream(start=NOW.timestamp(), speed=SPEED, wall=wall)
    app = app_for(runtime_for(settings, _database(uri, name), stream), live=True)
    bridge = app.status.live
    assert bridge is not None
    app.status.live = LiveBridge(app, bridge.service, stream, monotonic=wall)
    app.wall = wall  # type: ignore[attr-defined]  # for run_before
    return app


async def played_and_paused(pilot: Pilot[None]) -> None:
    app = pilot.app
    assert isinstance(app, MarketApp) and app.status.live is not None
    service, wall = app.status.live.service, app.wall  # type: ignore[attr-defined]
    await settle(pilot)
    app.health = replace(app.health, database=SHOWN_DB)  # the session server's port varies
    await pilot.press("3")
    screen = app.mode_screens["ticker"]
    assert isinstance(screen, TickerScreen)
    chart = screen.query_one(LiveChart)
    await until(pilot, lambda: bool(chart.bars), what="stored bars in the chart")
    screen.chart_every = 0.0  # every change drawn (no 3 Hz cap)
    # a tick of each symbol, not just a quote: the watchlist's previous closes make the quotes
    # before any tick, and a wall moved before the first LIVE plays 15:30-15:33 as history
    await until(
        pilot,
        lambda: all(
            (q := service.quote(s)) is not None and q.last_ts == NOW.timestamp() for s in WATCHLIST
        ),
        what="the first ticks (15:30:00)",
    )
    wall.now += PLAYED / SPEED  # play to 15:33:25, then the stream waits: paused

    def caught_up() -> bool:
        snap = service.snapshot()
        quotes = [service.quote(s) for s in WATCHLIST]
        return snap.pending == 0 and all(q is not None and q.last_ts == LAST_TICK for q in quotes)

    await until(pilot, caught_up, what="the stream played to 15:33:20 and the bars saved")
    await until(pilot, lambda: app.snapshot.version == service.snapshot().version, what="a frame")
    screen.query_one(TickerTable).wall = lambda: 1e12  # the flashes have faded
    app.snapshot = service.snapshot()  # a frame: saved count fresh, flashes gone
    await settle(pilot)
    await pilot.pause()


@pytest.mark.parametrize("theme", THEMES)
def test_ticker_screen(snap_compare, seeded_1m, theme: str) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(
        live_ticker_app(seeded_1m, theme), terminal_size=SIZE, run_before=played_and_paused
    )
