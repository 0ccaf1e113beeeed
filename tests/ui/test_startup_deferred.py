"""The first screen is up before the database: "connecting…", then the runtime arrives."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from tests.ui.conftest import WATCHLIST, fixed_clock, seed, settle, until
from tui_market.infrastructure.database import Database
from tui_market.runtime import Runtime
from tui_market.tui.app import RuntimeReady, make_app
from tui_market.tui.screens.symbols import CONNECTING_TEXT


async def test_symbols_screen_waits_for_the_runtime_then_fills(
    runtime: Runtime, database: Database
) -> None:
    await seed(database)
    app = make_app(runtime.settings, None, clock=fixed_clock, live=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        screen = app.mode_screens["symbols"]
        hint = screen.query_one("#watchlist-empty", Static)
        assert app.connecting and hint.display
        assert CONNECTING_TEXT in str(hint.render())
        await pilot.press("S")  # a request before the database: told, not crashed
        await pilot.pause()
        assert app.return_code is None and not app.workers

        app.post_message(RuntimeReady(runtime))
        table = screen.query_one("#watchlist", DataTable)
        await until(pilot, lambda: table.row_count == len(WATCHLIST), what="the watchlist")
        await settle(pilot)
        assert [str(k.value) for k in table.rows] == WATCHLIST
        assert not app.connecting and not hint.display
        await pilot.press("q")
