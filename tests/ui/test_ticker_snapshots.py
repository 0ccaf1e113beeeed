"""Snapshots of the Ticker screen in the default (dark) and the light theme.

The live feed is driven the way the app receives it: the app's frame timer sets
``TickerScreen.snapshot``; here the snapshots come from a ``QuoteManager`` fed with the replay
stream's first ticks after the fixed "now" (deterministic), set twice so the price flash shows.
No live worker; fixed clock; seeded database (1m history up to "now").
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.pilot import Pilot

from tests.ui.conftest import NOW, WATCHLIST, app_for, runtime_for, settle, until
from tests.ui.test_symbols_snapshots import SIZE, THEMES, _database, ready, seeded_database
from tui_market.infrastructure.interfaces import FeedState, FeedStatus
from tui_market.managers.quote_manager import QuoteManager
from tui_market.models import Interval, Tick
from tui_market.models.live import LiveSnapshot
from tui_market.providers.replay import ReplayQuoteStream
from tui_market.settings import load_settings
from tui_market.tui.app import MarketApp
from tui_market.tui.screens.ticker import TickerScreen
from tui_market.tui.widgets.candles import CandleChart
from tui_market.tui.widgets.ticker_table import TickerTable

TICKS = 4 * 6 * 3 + 8  # three 1m bars of four symbols, and a bit of the fourth


async def replay_ticks(count: int) -> list[Tick]:
    stream = ReplayQuoteStream(speed=None, start=NOW.timestamp())
    await stream.set_symbols(set(WATCHLIST))
    ticks: list[Tick] = []
    async for event in stream.events():
        if isinstance(event, Tick):
            ticks.append(event)
            if len(ticks) == count:
                break
    await stream.close()
    return ticks


def snapshots(ticks: list[Tick]) -> list[LiveSnapshot]:
    book = QuoteManager((Interval.M1,))
    live = FeedState(FeedStatus.LIVE, detail="demo replay")
    out = []
    for part in (ticks[:-4], ticks[-4:]):
        for tick in part:
            book.on_tick(tick)
        out.append(book.snapshot(part[-1].ts + 5, live, saved=12, pending=0))
    return out


@pytest.fixture
def seeded_1m(mongo_uri: str) -> Iterator[tuple[str, str]]:
    with seeded_database(mongo_uri, Interval.M1) as where:
        yield where


def ticker_app(seeded: tuple[str, str], theme: str) -> MarketApp:
    uri, name = seeded
    settings = load_settings(demo=True, interval="1m", theme=theme)
    return app_for(runtime_for(settings, _database(uri, name)), live=False)


async def live_ticker(pilot: Pilot[None]) -> None:
    app = pilot.app
    assert isinstance(app, MarketApp)
    await ready(pilot)
    await pilot.press("3")
    screen = app.mode_screens["ticker"]
    assert isinstance(screen, TickerScreen)
    await until(pilot, lambda: bool(screen.query_one(CandleChart).bars), what="stored bars")
    await settle(pilot)
    screen.query_one(TickerTable).wall = lambda: 0.0  # the flash never fades in a snapshot
    screen.chart_every = 0.0  # every snapshot's forming candle drawn (no 3 Hz cap)
    for snapshot in snapshots(await replay_ticks(TICKS)):
        screen.snapshot = snapshot
        await pilot.pause()
    await settle(pilot)


@pytest.mark.parametrize("theme", THEMES)
def test_ticker_screen(snap_compare, seeded_1m, theme: str) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(ticker_app(seeded_1m, theme), terminal_size=SIZE, run_before=live_ticker)
