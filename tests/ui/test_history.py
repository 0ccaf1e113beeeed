"""History screen, driven through the real app on the real database and replay providers."""

from __future__ import annotations

from textual.message import Message
from textual.widgets import Static

from tests.ui.conftest import WATCHLIST, app_for, seed, settle, until
from tui_market.infrastructure.database import Database
from tui_market.models import Interval
from tui_market.queries.get_bars import GetBars
from tui_market.runtime import Runtime
from tui_market.tui.app import MarketApp
from tui_market.tui.messages import (
    BarsLoaded,
    OpenHistory,
    SyncAllRequested,
    SyncFinished,
    SyncRequested,
)
from tui_market.tui.screens.history import EMPTY_TEXT, HistoryScreen
from tui_market.tui.widgets.bars_table import BarsTable
from tui_market.tui.widgets.candles import CandleChart, VolumeChart
from tui_market.tui.widgets.sync_status import SyncStatus

SIZE = (120, 36)


def history(app: MarketApp) -> HistoryScreen:
    screen = app.mode_screens["history"]
    assert isinstance(screen, HistoryScreen)
    return screen


async def open_history(app: MarketApp, pilot: object, symbol: str) -> HistoryScreen:
    app.post_message(OpenHistory(symbol))
    await until(
        pilot,
        lambda: (
            app.current_mode == "history"  # type: ignore[arg-type]
            and history(app).loaded
        ),
        what="history loaded",
    )
    return history(app)


async def test_s_syncs_the_symbol_and_the_table_shows_the_bars(
    runtime: Runtime, database: Database
) -> None:
    seen: list[Message] = []
    app = app_for(runtime, live=False)
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(pilot)
        screen = await open_history(app, pilot, "NASDAQ:AAPL")
        hint = screen.query_one("#empty-hint", Static)
        assert hint.display and EMPTY_TEXT in str(hint.render())
        assert not screen.query_one("#chart-area").display
        assert screen.query_one(BarsTable).row_count == 0

        await pilot.press("s")
        await until(pilot, lambda: bool(screen.bars), what="bars after the sync")
        await settle(pilot)

        stored = await runtime.bus.execute(GetBars("NASDAQ:AAPL", Interval.D1))
        assert stored and [b.epoch for b in screen.bars] == [b.epoch for b in stored]
        table = screen.query_one(BarsTable)
        assert 0 < table.row_count < len(stored)  # only what fits is drawn
        newest = table.get_row_at(0)
        assert newest[0] == stored[-1].time.strftime("%Y-%m-%d")
        assert str(newest[4]) == f"{stored[-1].close:,.2f}"
        assert screen.query_one("#chart-area").display and not hint.display
        assert not screen.query_one(SyncStatus).running
        request = next(m for m in seen if isinstance(m, SyncRequested))
        assert (request.symbol, request.interval) == ("NASDAQ:AAPL", Interval.D1)
        assert request.asker is screen.query_one(SyncStatus)  # the answer came back to it
        finished = next(m for m in seen if isinstance(m, SyncFinished))
        assert finished.outcomes[0].result is not None
        assert finished.outcomes[0].result.new == len(stored)
        said = [n.message for n in app._notifications if f"{len(stored)} new" in n.message]
        assert len(said) == 1, said  # the result is notified once


async def test_capital_s_syncs_all_and_can_be_cancelled(
    runtime: Runtime, database: Database
) -> None:
    await seed(database, WATCHLIST)
    seen: list[Message] = []
    app = app_for(runtime, live=False)
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(pilot)
        screen = await open_history(app, pilot, WATCHLIST[0])
        await pilot.press("left_square_bracket")  # 1D -> 4h
        assert screen.interval is Interval.H4 and app.interval is Interval.H4
        await pilot.press("S")
        await pilot.press("minus")  # keys stay live while the sync runs
        await until(
            pilot, lambda: any(isinstance(m, SyncFinished) for m in seen), what="the sync-all run"
        )
        await settle(pilot)
        assert next(m for m in seen if isinstance(m, SyncAllRequested)).interval is Interval.H4
        finished = next(m for m in seen if isinstance(m, SyncFinished))
        assert [o.symbol for o in finished.outcomes] == WATCHLIST
        for symbol in WATCHLIST:
            assert await runtime.bus.execute(GetBars(symbol, Interval.H4, last=5))
        assert screen.window.cols_per_bar == 1
        assert any("synced 4 of 4 symbols" in n.message for n in app._notifications)

        seen.clear()
        await pilot.press("S")
        strip = screen.query_one(SyncStatus)
        running = strip.running
        await pilot.press("c")
        await until(
            pilot, lambda: any(isinstance(m, SyncFinished) for m in seen), what="the cancelled run"
        )
        request = next(m for m in seen if isinstance(m, SyncAllRequested))
        assert request.asker is strip and request.cancel.is_set() == running
        assert not screen.query_one(SyncStatus).running


async def test_zoom_pan_and_interval_keys(runtime: Runtime, database: Database) -> None:
    await seed(database, WATCHLIST[:1])
    seen: list[Message] = []
    app = app_for(runtime, live=False)
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(pilot)
        screen = await open_history(app, pilot, WATCHLIST[0])
        total = len(screen.bars)
        chart = screen.query_one(CandleChart)
        shown = len(chart.bars)
        assert screen.window.following and 0 < shown < total
        await pilot.press("plus")
        assert len(chart.bars) < shown
        await pilot.press("minus", "minus")
        assert len(chart.bars) > shown
        newest = chart.bars[-1].epoch
        await pilot.press("left", "left")
        assert chart.bars[-1].epoch < newest and not screen.window.following
        await pilot.press("home")
        assert chart.bars[0].epoch == screen.bars[0].epoch
        await pilot.press("end")
        assert chart.bars[-1].epoch == screen.bars[-1].epoch
        await pilot.press("right_square_bracket")  # 1D -> 1W: a new load for the new interval
        await until(pilot, lambda: screen.loaded, what="1W bars")
        assert screen.interval is Interval.W1
        loads = [m for m in seen if isinstance(m, BarsLoaded) and m.interval is Interval.W1]
        assert loads and not screen.bars  # nothing stored for 1W yet


async def test_opening_history_builds_no_sync_strip_until_a_sync(
    runtime: Runtime, database: Database
) -> None:
    """The first open of History builds no hidden sync strip (a progress bar nobody sees): the
    strip appears with the first sync, under the title line."""
    await seed(database, WATCHLIST[:1])
    app = app_for(runtime, live=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_history(app, pilot, WATCHLIST[0])
        assert screen.bars and not screen.query(SyncStatus)
        await pilot.press("s")
        await until(pilot, lambda: bool(screen.query(SyncStatus)), what="the sync strip")
        strip = screen.query_one(SyncStatus)
        bar = screen.query_one("#history-bar")
        assert strip.parent is screen  # under the title line:
        assert screen.children.index(strip) == screen.children.index(bar) + 1
        await settle(pilot)
        assert not strip.running


async def test_first_paint_of_a_series_draws_candles_then_volume_and_table(
    runtime: Runtime, database: Database
) -> None:
    """A staged paint draws the candles in its frame and the volume and table in the next;
    a newer paint before that frame wins (its window is not overwritten by the older one)."""
    await seed(database, WATCHLIST[:1])
    app = app_for(runtime, live=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_history(app, pilot, WATCHLIST[0])
        await settle(pilot)
        candles, volume = screen.query_one(CandleChart), screen.query_one(VolumeChart)
        table = screen.query_one(BarsTable)
        before = list(volume.bars)
        screen.window.zoom(2)
        screen._paint(then=lambda: None)  # staged: only the candles so far
        assert len(candles.bars) < len(before) and list(volume.bars) == before
        await pilot.pause()
        await pilot.pause()
        assert list(volume.bars) == list(candles.bars) and table.row_count == len(candles.bars)

        screen.window.zoom(-3)
        screen._paint(then=lambda: None)
        screen.window.zoom(1)
        screen._paint()  # newer, before the staged one's second frame
        await pilot.pause()
        await pilot.pause()
        assert list(volume.bars) == list(candles.bars) and table.row_count == len(candles.bars)
