"""Symbols' live cells through the real live worker (replay stream -> QuoteService -> frames):
shown while the screen is, left alone behind another screen, caught up when it comes back."""

from __future__ import annotations

from textual.widgets import DataTable

from tests.ui.conftest import NOW, WATCHLIST, app_for, runtime_for, seed, settle, until
from tui_market.infrastructure.database import Database
from tui_market.models.price_format import format_price
from tui_market.providers.replay import ReplayQuoteStream
from tui_market.settings import load_settings
from tui_market.tui.screens.symbols import SymbolsScreen

SIZE = (120, 36)


async def test_last_price_follows_the_feed_and_catches_up_after_the_ticker(
    database: Database,
) -> None:
    symbols = WATCHLIST[:2]
    await seed(database, symbols)
    settings = load_settings(demo=True, interval="1m")
    stream = ReplayQuoteStream(start=NOW.timestamp(), speed=300.0)
    app = app_for(runtime_for(settings, database, stream), live=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.mode_screens["symbols"]
        assert isinstance(screen, SymbolsScreen)
        table = screen.query_one("#watchlist", DataTable)
        symbol = symbols[0]

        def shown() -> str:
            return str(table.get_cell(symbol, "Last"))

        def live() -> str:
            quote = screen.snapshot.quotes.get(symbol)
            info = next(row.info for row in screen.rows if row.symbol == symbol)
            return "—" if quote is None or quote.last is None else format_price(quote.last, info)

        await until(pilot, lambda: live() != "—" and shown() == live(), what="live Last cell")
        await pilot.press("3")
        hidden = shown()
        await until(pilot, lambda: live() != hidden, what="the price to move on the Ticker")
        assert shown() == hidden  # not repainted while another screen is shown
        await pilot.press("1")
        await until(pilot, lambda: shown() == live(), what="Last caught up on return")
