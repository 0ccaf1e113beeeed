"""Symbols screen, driven through the real app on the real database and replay providers."""

from __future__ import annotations

from textual.message import Message
from textual.notifications import Notify
from textual.widgets import DataTable, Input, Label

from tests.ui.conftest import WATCHLIST, app_for, seed, settle, until
from tui_market.commands.add_alert import AddAlert
from tui_market.infrastructure import schema
from tui_market.infrastructure.database import Database
from tui_market.models import Interval
from tui_market.runtime import Runtime
from tui_market.tui.messages import (
    SymbolAddRequested,
    SyncAllRequested,
    SyncFinished,
    SyncRequested,
    WatchlistChanged,
)
from tui_market.tui.screens.add_symbol import AddSymbolScreen
from tui_market.tui.screens.confirm import ConfirmScreen
from tui_market.tui.screens.symbols import SymbolsScreen


def notices(seen: list[Message]) -> list[str]:
    return [m.notification.message for m in seen if isinstance(m, Notify)]


def table_symbols(app: object) -> list[str]:
    screen = app.mode_screens["symbols"]  # type: ignore[attr-defined]
    table = screen.query_one("#watchlist", DataTable)
    return [str(key.value) for key in table.rows]


async def test_added_symbol_persists_after_restart(runtime: Runtime) -> None:
    seen: list[Message] = []
    app = app_for(runtime, live=False)
    async with app.run_test(size=(120, 36), message_hook=seen.append) as pilot:
        await settle(pilot)
        assert table_symbols(app) == []
        await pilot.press("a")
        assert isinstance(app.screen, AddSymbolScreen)
        await pilot.press(*"tvc:dxy")
        assert "enter: add TVC:DXY" in str(app.screen.query_one("#add-reason", Label).content)
        await pilot.press("enter")
        await until(pilot, lambda: "TVC:DXY" in table_symbols(app), what="TVC:DXY in the table")
        await settle(pilot)
        assert any(isinstance(m, SymbolAddRequested) and m.text == "TVC:DXY" for m in seen)
        assert any(isinstance(m, WatchlistChanged) for m in seen)
        row = next(r for r in app.watchlist if r.symbol == "TVC:DXY")
        assert row.last_sync is not None  # a new symbol's history is fetched at once
        await pilot.press("q")

    again = app_for(runtime, live=False)
    async with again.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert table_symbols(again) == ["TVC:DXY"]
        await pilot.press("q")


async def test_adding_a_listed_symbol_says_so_and_syncs_nothing(runtime: Runtime) -> None:
    seen: list[Message] = []
    app = app_for(runtime, live=False)
    async with app.run_test(size=(120, 36), message_hook=seen.append) as pilot:
        await settle(pilot)
        app.post_message(SymbolAddRequested("tvc:dxy"))
        await until(pilot, lambda: "TVC:DXY" in table_symbols(app), what="TVC:DXY in the table")
        await settle(pilot)
        assert "Added TVC:DXY; fetching its history…" in notices(seen)
        syncs = sum(isinstance(m, SyncRequested) for m in seen)
        assert syncs == 1
        app.post_message(SymbolAddRequested("TVC:DXY"))
        await until(
            pilot,
            lambda: "TVC:DXY is already on the watchlist" in notices(seen),
            what="the notice",
        )
        await settle(pilot)
        assert sum(isinstance(m, SyncRequested) for m in seen) == syncs  # no second sync
        await pilot.press("q")


async def test_an_added_symbol_has_its_metadata_before_its_first_sync(runtime: Runtime) -> None:
    """Resolved on add (not only by the sync that follows): the watchlist read right after the
    add already carries DJ:DJI's session and delay, so live bars follow its session at once."""
    seen: list[Message] = []
    app = app_for(runtime, live=False)
    async with app.run_test(size=(120, 36), message_hook=seen.append) as pilot:
        await settle(pilot)
        app.post_message(SymbolAddRequested("dj:dji"))
        await until(pilot, lambda: "DJ:DJI" in table_symbols(app), what="DJ:DJI in the table")
        await settle(pilot)
        first = next(
            m
            for m in seen
            if isinstance(m, WatchlistChanged) and any(r.symbol == "DJ:DJI" for r in m.rows)
        )
        (row,) = [r for r in first.rows if r.symbol == "DJ:DJI"]
        assert row.last_sync is None  # read before its history was fetched
        assert row.info is not None
        assert (row.info.timezone, row.info.session) == ("America/New_York", "0930-1600")
        assert row.info.delay_seconds == 900
        await pilot.press("q")


async def test_bad_symbol_shows_the_reason_and_stores_nothing(
    runtime: Runtime, database: Database
) -> None:
    app = app_for(runtime, live=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("a", *"nasdaqaapl")
        reason = app.screen.query_one("#add-reason", Label)
        assert "missing ':'" in str(reason.content)
        assert reason.has_class("-invalid")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AddSymbolScreen)  # still open: nothing submitted
        app.screen.query_one(Input).value = "NASDAQ:AA PL"
        await pilot.pause()
        assert "no spaces" in str(reason.content)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, SymbolsScreen)
    stored = await database.get_collection(schema.SYMBOLS).count_documents({})
    assert stored == 0


async def test_remove_asks_first_then_removes_it_and_its_alerts(
    runtime: Runtime, database: Database
) -> None:
    await seed(database, WATCHLIST[:2])
    await runtime.bus.execute(AddAlert(WATCHLIST[0], "above", "1"))
    kept = await runtime.bus.execute(AddAlert(WATCHLIST[1], "above", "1"))
    seen: list[Message] = []
    app = app_for(runtime, live=False)
    async with app.run_test(size=(120, 36), message_hook=seen.append) as pilot:
        await settle(pilot)
        assert table_symbols(app) == WATCHLIST[:2]
        await until(pilot, lambda: len(app.alerts) == 2, what="the alerts read")
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")
        assert table_symbols(app) == WATCHLIST[:2]
        await pilot.press("d", "y")
        await until(pilot, lambda: table_symbols(app) == WATCHLIST[1:2], what="removal")
        await until(pilot, lambda: app.alerts == (kept,), what="its alert gone from the charts")
        said = [m.notification.message for m in seen if isinstance(m, Notify)]
        assert f"Removed {WATCHLIST[0]} and its 1 alert" in said
    assert await database.get_collection(schema.SYMBOLS).count_documents({}) == 1


async def test_enter_opens_history_for_the_row(runtime: Runtime, database: Database) -> None:
    await seed(database, WATCHLIST[:2])
    app = app_for(runtime, live=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("down", "enter")
        await until(pilot, lambda: app.current_mode == "history", what="history mode")
        assert app.current_symbol == WATCHLIST[1]
        assert app.mode_screens["history"].symbol == WATCHLIST[1]  # type: ignore[attr-defined]
        await pilot.press("1")
        assert app.current_mode == "symbols"


async def test_palette_posts_the_same_requests_as_the_keys(
    runtime: Runtime, database: Database
) -> None:
    await seed(database, WATCHLIST[:1])
    seen: list[Message] = []
    app = app_for(runtime, live=False)
    async with app.run_test(size=(120, 36), message_hook=seen.append) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"sync all", "enter")
        await until(
            pilot, lambda: any(isinstance(m, SyncFinished) for m in seen), what="the sync-all run"
        )
        request = next(m for m in seen if isinstance(m, SyncAllRequested))
        assert request.interval == app.interval
        finished = next(m for m in seen if isinstance(m, SyncFinished))
        assert [o.symbol for o in finished.outcomes] == WATCHLIST[:1]
        assert finished.outcomes[0].ok
        await settle(pilot)
        await pilot.press("ctrl+p", *"interval 4h", "enter")
        await until(pilot, lambda: app.interval is Interval.H4, what="the interval change")
        await pilot.press("ctrl+p", *"add symbol", "enter")
        await until(pilot, lambda: isinstance(app.screen, AddSymbolScreen), what="the dialog")
