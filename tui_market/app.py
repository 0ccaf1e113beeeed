"""MarketApp: the three modes, keys, themes and the wiring of the runtime's parts.

Requests are routed in ``ui/routing.py`` and ``ui/watchlist_routing.py``; the live worker, the
scheduled syncs and the health line are wired in ``ui/status_app.py``. This module adds the
screens, keys and themes, and the two entry points ``make_app`` and ``run_tui``.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable
from datetime import UTC, datetime

from textual import on
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from tui_market.errors import MarketError
from tui_market.infrastructure.early_server import EarlyServer
from tui_market.infrastructure.interfaces import IDataProvider
from tui_market.jobs.sync_jobs import SyncJobs
from tui_market.models import Interval
from tui_market.runtime import Runtime, open_runtime
from tui_market.services.quote_service import QuoteService
from tui_market.settings import Settings
from tui_market.ui.commands import MarketCommands
from tui_market.ui.live_bridge import LiveBridge
from tui_market.ui.messages import IntervalChosen, OpenHistory, SymbolAddRequested
from tui_market.ui.routing import RoutedApp, WatchlistStale
from tui_market.ui.screens.add_symbol import AddSymbolScreen
from tui_market.ui.screens.help import HelpScreen, help_sections
from tui_market.ui.screens.history import HistoryScreen
from tui_market.ui.screens.symbols import SymbolsScreen
from tui_market.ui.screens.ticker import TickerScreen
from tui_market.ui.status_app import StatusApp
from tui_market.ui.themes import VARIABLE_DEFAULTS, install_themes, save_theme
from tui_market.ui.widgets.chrome import ensure_chrome

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


class MarketApp(StatusApp):
    TITLE = "tui-market"
    CSS_PATH = "ui/app.tcss"
    COMMANDS = App.COMMANDS | {MarketCommands}
    BINDINGS = [
        Binding("1", "mode('symbols')", "Symbols", id="app.symbols"),
        Binding("2", "mode('history')", "History", id="app.history"),
        Binding("3", "mode('ticker')", "Ticker", id="app.ticker"),
        Binding("question_mark", "help", "Keys", id="app.help"),
        Binding("t", "change_theme", "Theme", show=False, id="app.theme"),
        Binding("q", "quit", "Quit", id="app.quit"),
    ]

    def __init__(self, settings: Settings, runtime: Runtime, *, clock: Clock | None = None,
                 sync_period: float | None = None, live: bool = True) -> None:
        super().__init__()
        self.settings, self.runtime = settings, runtime
        self.clock: Clock = clock or (lambda: datetime.now(UTC))
        self.set_reactive(RoutedApp.interval, settings.interval)
        self.mode_screens: dict[str, Screen[None]] = {}
        for mode in ("symbols", "history", "ticker"):
            self.add_mode(mode, lambda mode=mode: self._make_screen(mode))  # type: ignore[misc]
        self._started = False
        self.theme_problems, self._chosen_theme = install_themes(self, settings.theme)
        self.can_search = type(runtime.provider).search is not IDataProvider.search
        self.service = QuoteService(  # every interval shown live; the chosen one saved
            runtime.stream, runtime.bus, runtime.provider, tuple(Interval),
            persist=(settings.interval,), backfill_on_start=True,
        )
        self.live = LiveBridge(self, self.service, runtime.stream) if live else None
        minutes = settings.sync_every_minutes
        period = sync_period or (minutes * 60.0 if minutes else None)
        self.jobs = (SyncJobs(runtime.bus, self.interval, period, on_run=self.job_ran)
                     if period else None)

    def _make_screen(self, mode: str) -> Screen[None]:
        screen: Screen[None]
        if mode == "symbols":
            screen = SymbolsScreen()
        elif mode == "history":
            screen = HistoryScreen(self.current_symbol, self.interval)
        else:
            screen = TickerScreen([r.symbol for r in self.watchlist], self.interval)
        self.mode_screens[mode] = screen
        return screen

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(VARIABLE_DEFAULTS)

    async def on_mount(self) -> None:
        self.theme = self._chosen_theme
        self.start_status(_provider_label(self.settings))
        await self.action_mode("symbols")
        self.post_message(WatchlistStale())
        if self.theme_problems:
            self.notify("\n".join(self.theme_problems), title="Theme files skipped",
                        severity="warning", timeout=15)
        self._started = True

    def watch_theme(self, name: str) -> None:
        if self._started and name != self._chosen_theme:
            self._chosen_theme = name
            save_theme(name)

    # ---- attributes down ----------------------------------------------------------------------
    def watch_interval(self, interval: Interval) -> None:
        for mode in ("history", "ticker"):
            screen = self.mode_screens.get(mode)
            if screen is not None and getattr(screen, "interval", interval) != interval:
                screen.interval = interval  # type: ignore[attr-defined]
        if self.jobs is not None:
            self.jobs.set_interval(interval)
        self.post_message(WatchlistStale())

    # ---- facts --------------------------------------------------------------------------------
    @on(IntervalChosen)
    def _interval_chosen(self, request: IntervalChosen) -> None:
        self.interval = request.interval

    @on(OpenHistory)
    async def _open_history(self, request: OpenHistory) -> None:
        self.current_symbol = request.symbol
        await self.action_mode("history")
        history = self.mode_screens["history"]
        if isinstance(history, HistoryScreen):
            history.symbol = request.symbol

    # ---- actions ------------------------------------------------------------------------------
    async def action_mode(self, mode: str) -> None:
        await self.switch_mode(mode)
        await ensure_chrome(self.screen, mode)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(help_sections(self.BINDINGS)))

    def action_add_symbol(self) -> None:
        self.push_screen(AddSymbolScreen(search=self.can_search), self._add_dismissed)

    def _add_dismissed(self, result: tuple[str, str] | None) -> None:
        if result is not None:
            self.post_message(SymbolAddRequested(*result))

    def action_toggle_schedule(self) -> None:
        self.toggle_schedule()

    async def action_quit(self) -> None:
        await self.stop_status()
        self.exit()


def _provider_label(settings: Settings) -> str:
    return "TradingView" if settings.provider == "tradingview" else "demo (replay data)"


def make_app(settings: Settings, runtime: Runtime, *, clock: Clock | None = None,
             sync_period: float | None = None, live: bool = True) -> MarketApp:
    """The one factory, used by ``run_tui`` and the tests."""
    return MarketApp(settings, runtime, clock=clock, sync_period=sync_period, live=live)


async def _run(settings: Settings, early: EarlyServer | None) -> None:
    async with open_runtime(settings, early=early) as runtime:
        await make_app(settings, runtime).run_async()


def run_tui(settings: Settings, early: EarlyServer | None = None) -> None:
    """Open the runtime, run the app, release everything (the embedded server too) on quit.

    ``early``: the embedded server already starting (``EarlyServer.start``), to use."""
    try:
        asyncio.run(_run(settings, early))
    except MarketError as exc:
        log.error("tui-market cannot start: %s", exc)
        print(f"tui-market: {exc}", file=sys.stderr)
        raise SystemExit(1) from exc
