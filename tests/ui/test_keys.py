"""Keys not covered elsewhere, through the real app on the real database and replay providers:
``t`` (Textual's theme picker; the choice is saved), Symbols ``s`` / ``S`` (sync the selected
symbol / all, seen in MongoDB and on the screen), ``d`` / ``delete`` (confirm, then removed;
"no" keeps it), Ticker ``[`` / ``]`` (the interval, and the "Closes in" column follows) and the
arrows (the selected symbol, and the chart shows it), and ``sync_every_minutes`` from the
settings reaching the scheduler.
"""

from __future__ import annotations

from dataclasses import replace

from textual.command import CommandPalette

from tests.ui.conftest import (
    NOW,
    SYNCED_AT,
    WATCHLIST,
    app_for,
    demo_settings,
    runtime_for,
    seed,
    settle,
    until,
)
from tui_market.infrastructure import schema
from tui_market.infrastructure.database import Database
from tui_market.models import Interval
from tui_market.models.live import EMPTY_SNAPSHOT
from tui_market.runtime import Runtime
from tui_market.settings import load_settings
from tui_market.tui.app import MarketApp
from tui_market.tui.screens.confirm import ConfirmScreen
from tui_market.tui.screens.symbols import SymbolsScreen
from tui_market.tui.screens.ticker import TickerScreen
from tui_market.tui.theme_state import saved_theme
from tui_market.tui.widgets.live_chart import LiveChart
from tui_market.tui.widgets.ticker_table import COLUMNS, TickerTable, countdown

SIZE = (120, 36)
CLOSES_IN = COLUMNS.index("Closes in")


def last_syncs(app: MarketApp) -> dict[str, object]:
    return {row.symbol: row.last_sync for row in app.watchlist}


async def stored_symbols(db: Database) -> list[str]:
    return sorted([doc["_id"] async for doc in db.get_collection(schema.SYMBOLS).find()])


# ---- t: the theme picker --------------------------------------------------------------------
async def test_t_opens_the_theme_picker_and_the_choice_is_applied_and_saved(
    runtime: Runtime,
) -> None:
    app = app_for(runtime, live=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "market-dark" and saved_theme() is None
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette), what="the picker")
        await pilot.press(*"market-contrast")
        await pilot.pause()
        await pilot.press("enter")
        await until(pilot, lambda: app.theme == "market-contrast", what="the new theme")
        await until(pilot, lambda: not isinstance(app.screen, CommandPalette), what="closed")
        assert saved_theme() == "market-contrast"
        await pilot.press("q")
    again = app_for(runtime, live=False)  # the next start uses it
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert again.theme == "market-contrast"


# ---- Symbols: s, S, d/delete ----------------------------------------------------------------
async def test_s_syncs_the_selected_symbol_only(runtime: Runtime, database: Database) -> None:
    await seed(database, WATCHLIST[:3])
    app = app_for(runtime, live=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert set(last_syncs(app).values()) == {SYNCED_AT}
        await pilot.press("down", "s")
        await until(
            pilot, lambda: last_syncs(app)[WATCHLIST[1]] != SYNCED_AT, what="the sync of row 2"
        )
        await settle(pilot)
        syncs = last_syncs(app)
        assert syncs[WATCHLIST[0]] == syncs[WATCHLIST[2]] == SYNCED_AT  # the others untouched
    state = database.get_collection(schema.SYNC_STATE)
    doc = await state.find_one({"_id": schema.sync_id(WATCHLIST[1], Interval.D1)})
    assert doc is not None and doc["status"] == "ok"


async def test_shift_s_syncs_every_symbol(runtime: Runtime, database: Database) -> None:
    await seed(database, WATCHLIST[:3])
    app = app_for(runtime, live=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await until(
            pilot,
            lambda: SYNCED_AT not in last_syncs(app).values(),
            what="every row synced again",
        )
        assert list(last_syncs(app)) == WATCHLIST[:3]


async def test_delete_asks_and_no_keeps_the_symbol_yes_removes_it(
    runtime: Runtime, database: Database
) -> None:
    await seed(database, WATCHLIST[:3])
    app = app_for(runtime, live=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SymbolsScreen)
        await pilot.press("down", "delete")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        await pilot.press("n")  # no
        await until(pilot, lambda: app.screen is screen, what="the dialog to close")
        await settle(pilot)
        assert await stored_symbols(database) == sorted(WATCHLIST[:3])
        assert [row.symbol for row in app.watchlist] == WATCHLIST[:3]

        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        assert WATCHLIST[1] in str(app.screen.question)  # type: ignore[attr-defined]
        await pilot.press("y")
        await until(
            pilot,
            lambda: [row.symbol for row in app.watchlist] == [WATCHLIST[0], WATCHLIST[2]],
            what="the removal on screen",
        )
    assert await stored_symbols(database) == sorted([WATCHLIST[0], WATCHLIST[2]])


# ---- Ticker: [ ], arrows ----------------------------------------------------------------------
async def open_ticker(app: MarketApp, pilot: object) -> TickerScreen:
    await settle(pilot)  # type: ignore[arg-type]
    await pilot.press("3")  # type: ignore[attr-defined]
    screen = app.mode_screens["ticker"]
    assert isinstance(screen, TickerScreen)
    await until(pilot, lambda: app.screen is screen, what="the Ticker")  # type: ignore[arg-type]
    return screen


async def test_brackets_change_the_interval_and_the_closes_in_column_follows(
    database: Database,
) -> None:
    await seed(database, WATCHLIST[:2])
    runtime = runtime_for(load_settings(demo=True, interval="5m"), database)
    app = app_for(runtime, live=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_ticker(app, pilot)
        table = screen.query_one(TickerTable)
        # A frame at 15:30:17 of the stream's clock, as the live frame timer sets it.
        clock = NOW.timestamp() + 17
        app.snapshot = replace(EMPTY_SNAPSHOT, version=1, clock=clock)
        symbol = WATCHLIST[0]

        def closes_in() -> str:
            return table.get_row(symbol)[CLOSES_IN]

        await until(pilot, lambda: closes_in() == "04:43", what="5m closes at 15:35")
        steps = [
            ("right_square_bracket", Interval.M15, "14:43"),  # 15:45
            ("right_square_bracket", Interval.M30, "29:43"),  # 16:00
            ("left_square_bracket", Interval.M15, "14:43"),
            ("left_square_bracket", Interval.M5, "04:43"),
            ("left_square_bracket", Interval.M3, "02:43"),  # 15:33
        ]
        for key, interval, left in steps:
            await pilot.press(key)
            await until(pilot, lambda i=interval: app.interval is i, what=f"{key}: {interval}")
            assert screen.interval is interval
            assert countdown(app.snapshot.seconds_to_close(interval)) == left
            await until(pilot, lambda s=left: closes_in() == s, what=f"Closes in {left}")
            assert f"live {interval.value} bars" in str(screen.query_one("#ticker-title").render())


async def test_arrows_select_another_symbol_and_the_chart_shows_it(
    runtime: Runtime, database: Database
) -> None:
    await seed(database, WATCHLIST)
    app = app_for(runtime, live=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_ticker(app, pilot)
        table = screen.query_one(TickerTable)
        chart = screen.query_one(LiveChart)

        def charted(symbol: str) -> bool:
            return (
                chart.title == f"{symbol} 1D"
                and bool(chart.bars)
                and {bar.symbol for bar in chart.bars} == {symbol}
            )

        await until(pilot, lambda: charted(WATCHLIST[0]), what="the first symbol's chart")
        for key, row in [("down", 1), ("down", 2), ("down", 3), ("down", 3), ("up", 2)]:
            await pilot.press(key)
            assert table.cursor_row == row
            assert table.selected_symbol == WATCHLIST[row]
            await until(pilot, lambda r=row: charted(WATCHLIST[r]), what=f"{key}: chart")


# ---- sync_every_minutes --------------------------------------------------------------------
async def test_sync_every_minutes_from_the_settings_sets_the_schedule_period(
    database: Database,
) -> None:
    await seed(database, WATCHLIST[:2])
    settings = demo_settings(sync_every_minutes=7)
    app = app_for(runtime_for(settings, database), live=False)  # no sync_period given
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        jobs = app.status.jobs
        assert jobs is not None and jobs.period == 7 * 60
        await until(
            pilot,
            lambda: all(jobs.next_run(s) is not None for s in WATCHLIST[:2]),
            what="a job per symbol",
        )
        assert set(app.schedule) == set(WATCHLIST[:2])
    off = app_for(runtime_for(demo_settings(sync_every_minutes=0), database), live=False)
    async with off.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert off.status.jobs is None
