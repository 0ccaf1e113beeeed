"""MarketApp: the three modes, keys, themes and the wiring of the runtime's parts.

Requests are routed in ``ui/routing.py`` and ``ui/watchlist_routing.py``; the live worker, the
scheduled syncs and the health line are wired in ``ui/status_app.py``. This module adds the
screens and keys (themes: ``ui/themed_app.py``) and the factory ``make_app``; ``run_tui``
is in ``tui_run.py``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from textual import on
from textual.app import App
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen

from tui_market.infrastructure.interfaces import IDataProvider
from tui_market.models import Interval
from tui_market.runtime import Runtime
from tui_market.settings import Settings
from tui_market.tui.commands import MarketCommands
from tui_market.tui.messages import IntervalChosen, OpenHistory, SymbolAddRequested
from tui_market.tui.routing import RoutedApp, WatchlistStale
from tui_market.tui.screens.add_symbol import AddSymbolScreen
from tui_market.tui.screens.help import HelpScreen, help_sections
from tui_market.tui.screens.symbols import SymbolsScreen
from tui_market.tui.status_app import StatusApp
from tui_market.tui.themed_app import ThemedApp
from tui_market.tui.widgets.chrome import ensure_chrome
from tui_market.tui.widgets.health import HealthState

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


@dataclass
class RuntimeReady(Message, bubble=False):
    """``run_tui``: the runtime is open (the database answered); the app goes live."""

    runtime: Runtime


class MarketApp(StatusApp, ThemedApp):
    TITLE = "tui-market"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {MarketCommands}
    BINDINGS = [
        Binding("1", "mode('symbols')", "Symbols", id="app.symbols"),
        Binding("2", "mode('history')", "History", id="app.history"),
        Binding("3", "mode('ticker')", "Ticker", id="app.ticker"),
        Binding("question_mark", "help", "Keys", id="app.help"),
        Binding("t", "change_theme", "Theme", show=False, id="app.theme"),
        Binding("q", "quit", "Quit", id="app.quit"),
    ]

    def __init__(
        self,
        settings: Settings,
        runtime: Runtime | None,
        *,
        clock: Clock | None = None,
        sync_period: float | None = None,
        live: bool = True,
    ) -> None:
        """``runtime=None``: it arrives later through ``runtime_ready`` (``run_tui`` mounts
        the first screen while the database starts)."""
        super().__init__()
        self.settings = settings
        self.clock: Clock = clock or (lambda: datetime.now(UTC))
        self.set_reactive(RoutedApp.interval, settings.interval)
        self.mode_screens: dict[str, Screen[None]] = {}
        for mode in ("symbols", "history", "ticker"):
            self.add_mode(mode, lambda mode=mode: self._make_screen(mode))  # type: ignore[misc]
        self._started = False
        self.setup_themes(settings.theme)
        self._live_wanted, self._sync_period = live, sync_period
        self.can_search = False
        self.connecting = runtime is None
        if runtime is not None:
            self._use_runtime(runtime)

    def _use_runtime(self, runtime: Runtime) -> None:
        from tui_market.services.quote_service import QuoteService
        from tui_market.tui.live_bridge import LiveBridge

        settings = self.settings
        self.runtime = runtime
        self.can_search = type(runtime.provider).search is not IDataProvider.search
        self.service = QuoteService(  # every interval shown live; the chosen one saved
            runtime.stream,
            runtime.bus,
            runtime.provider,
            tuple(Interval),
            persist=(settings.interval,),
            backfill_on_start=True,
        )
        self.live = LiveBridge(self, self.service, runtime.stream) if self._live_wanted else None
        minutes = settings.sync_every_minutes
        period = self._sync_period or (minutes * 60.0 if minutes else None)
        if period:
            from tui_market.jobs.sync_jobs import SyncJobs  # APScheduler: only when used

            self.jobs = SyncJobs(runtime.bus, self.interval, period, on_run=self.job_ran)

    @on(RuntimeReady)
    def _runtime_ready(self, fact: RuntimeReady) -> None:
        self._use_runtime(fact.runtime)
        self.connecting = False
        if self._started:  # else on_mount goes live
            self._go_live()

    def _go_live(self) -> None:
        self.start_status(_provider_label(self.settings))
        self.post_message(WatchlistStale())

    def _make_screen(self, mode: str) -> Screen[None]:
        # History and Ticker (plotext) are imported when first shown (start-up time).
        from tui_market.tui.screens.history import HistoryScreen
        from tui_market.tui.screens.ticker import TickerScreen

        screen: Screen[None]
        if mode == "symbols":
            screen = SymbolsScreen()
        elif mode == "history":
            screen = HistoryScreen(self.current_symbol, self.interval)
        else:
            screen = TickerScreen([r.symbol for r in self.watchlist], self.interval)
        self.mode_screens[mode] = screen
        return screen

    async def on_mount(self) -> None:
        self.theme = self._chosen_theme
        live = not self.connecting
        if live:
            self.start_status(_provider_label(self.settings))
        else:
            self.health = HealthState(
                database="connecting", provider=_provider_label(self.settings)
            )
        await self.action_mode("symbols")
        if live:
            self.post_message(WatchlistStale())
        self.themes_started()
        self._started = True
        if not live and not self.connecting:  # the runtime came during the mount
            self._go_live()
        elif not live:  # the database is still starting: load the other screens meanwhile
            self.call_after_refresh(_import_screens)

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
        from tui_market.tui.screens.history import HistoryScreen

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


def _import_screens() -> None:
    import tui_market.tui.screens.history
    import tui_market.tui.screens.ticker  # noqa: F401


def _provider_label(settings: Settings) -> str:
    return "TradingView" if settings.provider == "tradingview" else "demo (replay data)"


def make_app(
    settings: Settings,
    runtime: Runtime | None,
    *,
    clock: Clock | None = None,
    sync_period: float | None = None,
    live: bool = True,
) -> MarketApp:
    """The one factory, used by ``run_tui`` and the tests."""
    return MarketApp(settings, runtime, clock=clock, sync_period=sync_period, live=live)
