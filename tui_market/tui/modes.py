"""The three mode screens and what each is bound to: the one place the app's state is wired
down to the screens (``data_bind``), so what a screen shows is read off its constructor here.

Made on the app's own loop (a key, or a message the app handles), so ``data_bind`` binds to
the app. History and Ticker are imported when first shown (start-up time).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen

from tui_market.tui.screens.symbols import SymbolsScreen

if TYPE_CHECKING:
    from tui_market.tui.app import MarketApp

MODES = ("symbols", "history", "ticker")


def make_mode_screen(app: MarketApp, mode: str) -> Screen[None]:
    from tui_market.tui.screens.history import HistoryScreen
    from tui_market.tui.screens.ticker import TickerScreen

    state = type(app)  # the reactives, for data_bind
    screen: Screen[None]
    if mode == "symbols":
        screen = SymbolsScreen(app.clock, app.interval).data_bind(
            state.health,
            state.snapshot,
            state.interval,
            state.connecting,
            rows=state.watchlist,
            schedule=state.schedule,
        )
    elif mode == "history":
        screen = HistoryScreen(app.clock, app.interval).data_bind(
            state.health,
            state.interval,
            state.indicators,
            state.alerts,
            symbol=state.current_symbol,
            rows=state.watchlist,
        )
    else:
        screen = TickerScreen(app.clock, app.interval).data_bind(
            state.health,
            state.interval,
            state.snapshot,
            state.indicators,
            state.alerts,
            rows=state.watchlist,
        )
    app.mode_screens[mode] = screen
    return screen
