"""MarketApp: the three modes, the keys, the runtime, and the one place requests are routed.

State flows down: the app's reactives (watchlist, interval, symbol, health, live snapshot,
schedule, indicators, alerts) are bound to the mode screens with ``data_bind`` when each screen
is made, and the screens bind their widgets in turn. Requests come up as messages
(``messages.Request``); the app runs each one's handler from ``routes.ROUTES`` in a worker and
sends the answer back to the widget that asked. The live feed, the database watch and the
scheduled syncs are in ``status``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import partial

from textual import on
from textual.app import App
from textual.binding import Binding
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.reactive import reactive, var
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from tui_market.models import Interval
from tui_market.models.alert import Alert
from tui_market.models.indicator import IndicatorSpec, specs_text
from tui_market.models.live import EMPTY_SNAPSHOT, LiveSnapshot
from tui_market.queries.list_symbols import SymbolRow
from tui_market.queries.old_layout import OLD_LAYOUT
from tui_market.runtime import Runtime
from tui_market.settings import Settings
from tui_market.tui import heap
from tui_market.tui.health import HealthState
from tui_market.tui.messages import (
    AlertsChanged,
    AlertsStale,
    AlertTriggered,
    DatabasePinged,
    FeedStateChanged,
    IndicatorsChanged,
    IndicatorsChosen,
    IndicatorsStale,
    IntervalChosen,
    JobRan,
    LiveNotice,
    MissedAlertsRequested,
    ModeRequested,
    OpenHistory,
    Request,
    RuntimeReady,
    SymbolAdded,
    SymbolAddRequested,
    SyncFailed,
    SyncFinished,
    SyncRequested,
    WatchlistChanged,
    WatchlistStale,
)
from tui_market.tui.modes import MODES, make_mode_screen
from tui_market.tui.palette import MarketCommands
from tui_market.tui.routes import ROUTES, Notice, Route, added_notice, sync_notice
from tui_market.tui.schedule import ScheduleInfo
from tui_market.tui.screens.add_symbol import AddSymbolScreen
from tui_market.tui.screens.help import HelpScreen, help_sections
from tui_market.tui.screens.indicators import IndicatorPicker
from tui_market.tui.status import Status
from tui_market.tui.theme_state import save_theme
from tui_market.tui.themes import VARIABLE_DEFAULTS, install_themes

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


class MarketApp(App[None]):
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

    watchlist: reactive[list[SymbolRow]] = reactive(list, always_update=True, init=False)
    interval: reactive[Interval] = reactive(Interval.H1, init=False)
    current_symbol: reactive[str | None] = reactive(None, init=False)
    health: reactive[HealthState] = reactive(HealthState, init=False)
    snapshot: var[LiveSnapshot] = var(EMPTY_SNAPSHOT, always_update=True, init=False)
    schedule: reactive[dict[str, ScheduleInfo]] = reactive(dict, always_update=True, init=False)
    connecting: reactive[bool] = reactive(True, init=False)
    # chart ("history", "ticker") -> its indicators, as remembered in the database
    indicators: reactive[dict[str, tuple[IndicatorSpec, ...]]] = reactive(
        dict, always_update=True, init=False
    )
    alerts: reactive[tuple[Alert, ...]] = reactive(tuple, init=False)  # can still fire

    def __init__(
        self,
        settings: Settings,
        runtime: Runtime | None,
        *,
        clock: Clock | None = None,
        sync_period: float | None = None,
        live: bool = True,
    ) -> None:
        """``runtime=None``: it arrives later as ``RuntimeReady`` (``run_tui`` paints the first
        screen while the database starts)."""
        super().__init__()
        self.settings = settings
        self.clock: Clock = clock or (lambda: datetime.now(UTC))
        self.set_reactive(MarketApp.interval, settings.interval)
        self.mode_screens: dict[str, Screen[None]] = {}
        for mode in MODES:
            self.add_mode(mode, partial(make_mode_screen, self, mode))
        self.theme_problems, theme = install_themes(self, settings.theme)
        self.set_reactive(App.theme, theme)  # before the first CSS parse (one parse, not two)
        self._theme_saved = theme
        self.runtime: Runtime | None = None
        self.mounted = False
        self.status = Status(self, live=live, sync_period=sync_period)
        if runtime is not None:
            self._use_runtime(runtime)

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(VARIABLE_DEFAULTS)

    async def on_mount(self) -> None:
        self.mounted = True
        await self.switch_mode("symbols")
        if self.theme_problems:
            self.notify(
                "\n".join(self.theme_problems),
                title="Theme files skipped",
                severity="warning",
                timeout=15,
            )
        if self.runtime is not None:
            self._go_live()
        else:
            self.health = HealthState(database="connecting", provider=self.status.provider)
        self.call_after_refresh(_settle)

    def _use_runtime(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.status.attach(runtime, self.interval)

    @on(RuntimeReady)
    def _runtime_ready(self, fact: RuntimeReady) -> None:
        self._use_runtime(fact.runtime)
        if self.mounted:
            self._go_live()

    def _go_live(self) -> None:
        self.connecting = False
        self.health = self.status.start()
        if self.runtime is not None and self.runtime.old_bars:  # counted when it opened
            text = OLD_LAYOUT.format(self.runtime.old_bars)
            self.notify(text, title="Stored bars", severity="warning", timeout=15)
        self.post_message(WatchlistStale(self.interval))
        self.post_message(MissedAlertsRequested())
        self.post_message(IndicatorsStale())
        self.post_message(AlertsStale())

    # ---- requests: one router -------------------------------------------------------------------
    @on(Request)
    def _route(self, request: Request) -> None:
        route = ROUTES[type(request)]
        if self.runtime is None:
            log.info("%s: the database is not connected yet", type(request).__name__)
            if not isinstance(request, WatchlistStale):
                self.notify("still connecting to the database…", severity="warning")
            return
        name = type(request).__name__
        work: Callable[[], Awaitable[Notice | None]] = partial(
            self._answer, self.runtime, route, request
        )
        self.run_worker(
            work,
            name=name,
            group=route.group(request),
            exclusive=route.exclusive,
            description=route.what,
            exit_on_error=False,
        )

    async def _answer(self, runtime: Runtime, route: Route, request: Request) -> Notice | None:
        answer = await route.handler(runtime, request)
        if route.reload_watchlist:
            self.post_message(WatchlistStale(self.interval))
        if route.reload_alerts:
            self.post_message(AlertsStale())
        if isinstance(answer, Message) and not request.reply(answer):
            self.post_message(answer)
        return answer if isinstance(answer, Notice) else None

    @on(Worker.StateChanged)
    def _worker_state(self, event: Worker.StateChanged) -> None:
        """The one place a worker's outcome reaches the user."""
        worker = event.worker
        if event.state is WorkerState.SUCCESS and isinstance(worker.result, Notice):
            notice = worker.result
            self.notify(notice.text, title=notice.title, severity=notice.severity)
        elif event.state is WorkerState.ERROR:
            error = worker.error
            log.error("%s failed: %r", worker.description or worker.name, error, exc_info=error)
            self.notify(
                f"{worker.description or worker.name} failed: {error}",
                title="Error",
                severity="error",
                timeout=8,
            )

    # ---- answers nobody asked for: the app's own ---------------------------------------------
    @on(WatchlistChanged)
    def _watchlist_changed(self, fact: WatchlistChanged) -> None:
        self.watchlist = list(fact.rows)
        if self.current_symbol is None and fact.rows:
            self.current_symbol = fact.rows[0].symbol
        for request in self.status.watchlist_changed(fact.rows, self.interval):
            self.post_message(request)

    @on(IndicatorsChanged)
    def _indicators_changed(self, fact: IndicatorsChanged) -> None:
        self.indicators = {**self.indicators, **fact.choices}

    @on(AlertsChanged)
    def _alerts_changed(self, fact: AlertsChanged) -> None:
        self.alerts = fact.alerts

    @on(SymbolAdded)
    def _symbol_added(self, fact: SymbolAdded) -> None:
        notice = added_notice(fact)
        self.notify(notice.text, title=notice.title, severity=notice.severity)
        if fact.created:
            self.post_message(SyncRequested(fact.symbol, self.interval))

    @on(SyncFinished)
    @on(SyncFailed)
    def _sync_ended(self, fact: SyncFinished | SyncFailed) -> None:
        notice = sync_notice(fact)
        self.notify(notice.text, title=notice.title, severity=notice.severity)

    @on(FeedStateChanged)
    @on(DatabasePinged)
    @on(JobRan)
    @on(LiveNotice)
    def _status_fact(self, fact: Message) -> None:
        """Facts from the live worker, the database watch and the jobs: ``status`` follows."""
        notice = self.status.follow(fact)
        if notice is not None:
            self.notify(notice.text, title=notice.title, severity=notice.severity)

    @on(AlertTriggered)
    def _alert_fired(self, fact: AlertTriggered) -> None:
        """A notification and the bell (the live worker also sends a desktop notice)."""
        self.bell()
        title = f"Alert {fact.fired.alert.id}"
        self.notify(fact.fired.text, title=title, severity="warning", timeout=15)
        spent = fact.fired.alert
        if not spent.rearm:  # its line leaves the charts (its store write may still be queued)
            self.alerts = tuple(a for a in self.alerts if a.id != spent.id)

    # ---- navigation -----------------------------------------------------------------------------
    @on(ModeRequested)
    async def _mode_requested(self, request: ModeRequested) -> None:
        await self.action_mode(request.mode)

    @on(OpenHistory)
    async def _open_history(self, request: OpenHistory) -> None:
        self.current_symbol = request.symbol
        await self.action_mode("history")

    @on(IntervalChosen)
    def _interval_chosen(self, request: IntervalChosen) -> None:
        self.interval = request.interval

    def watch_interval(self, interval: Interval) -> None:
        self.status.interval_changed(interval)
        self.post_message(WatchlistStale(interval))

    def watch_theme(self, name: str) -> None:
        if self.mounted and name != self._theme_saved:
            self._theme_saved = name
            save_theme(name)

    # ---- actions --------------------------------------------------------------------------------
    async def action_mode(self, mode: str) -> None:
        if mode in MODES:
            await self.switch_mode(mode)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(help_sections(self.BINDINGS)))

    def action_add_symbol(self) -> None:
        self.push_screen(AddSymbolScreen(search=self.status.can_search), self._add_dismissed)

    def _add_dismissed(self, result: tuple[str, str] | None) -> None:
        if result is not None:
            self.post_message(SymbolAddRequested(*result))

    def action_indicators(self, chart: str) -> None:
        """The indicator picker for ``chart``; what it returns is saved, then shown."""
        current = specs_text(self.indicators.get(chart, ()))

        def chosen(text: str | None) -> None:
            if text is not None:
                self.post_message(IndicatorsChosen(chart, text))

        self.push_screen(IndicatorPicker(chart, current), chosen)

    def action_toggle_schedule(self) -> None:
        notice = self.status.toggle_schedule()
        self.notify(notice.text, title=notice.title, severity=notice.severity)

    async def action_quit(self) -> None:
        await self.status.stop()
        self.exit()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Always plain text: notices quote config values, file names and server messages
        (a theme named ``[/]`` ended the app; ``[@click=app.quit]`` became a live link)."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)


def _settle() -> None:
    """After the first paint (maybe while the database starts): import the other screens, then
    take the start-up heap out of the garbage collector's scans (``heap.freeze_heap``)."""
    import tui_market.tui.screens.history
    import tui_market.tui.screens.ticker  # noqa: F401

    heap.freeze_heap()


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
