"""History: one symbol's stored bars as candles + volume, with the OHLCV table below.

``symbol`` and ``interval`` are the app's state, bound down; so is ``rows`` (the watchlist),
whose ``last_sync`` tells the screen that its series changed in the store. The screen asks for
bars (``BarsRequested``, itself the asker) and draws what comes back (``BarsLoaded``); its sync
strip (``SyncStatus``) asks for syncs and shows their progress. Only the bars that fit are
drawn; the first request is only what the widest zoom shows, the whole series is asked for once
that has been painted.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.reactive import reactive
from textual.widgets import Label, Select, Static

from tui_market.managers.indicators import IndicatorSet
from tui_market.models import Bar, Interval
from tui_market.models.alert import Alert
from tui_market.models.indicator import IndicatorSpec
from tui_market.models.symbol_info import SymbolInfo
from tui_market.queries.list_symbols import SymbolRow
from tui_market.tui.messages import (
    BarsLoaded,
    BarsRequested,
    IntervalChosen,
    SyncAllRequested,
    SyncRequested,
)
from tui_market.tui.routes import HISTORY_BARS
from tui_market.tui.screens.history_studies import HistoryStudies, StudiesComputed
from tui_market.tui.screens.history_view import EMPTY_TEXT, HistoryPainter, columns
from tui_market.tui.screens.mode import Clock, ModeScreen
from tui_market.tui.widgets.bars_table import BarsTable
from tui_market.tui.widgets.candles import CandleChart, VolumeChart
from tui_market.tui.widgets.chart_window import ChartWindow, plot_columns
from tui_market.tui.widgets.indicator_panel import IndicatorPanel
from tui_market.tui.widgets.sync_status import SyncStatus

__all__ = ["EMPTY_TEXT", "HISTORY_BARS", "HistoryScreen"]
# Asked first: what the widest zoom shows at the terminal's width (one candle a column), at
# least FIRST_BARS_MIN; the whole series follows after the first paint, for panning.
FIRST_BARS_MIN = 30
INTERVALS = tuple(Interval)


class HistoryScreen(ModeScreen):
    MODE = "history"
    # Default CSS, not CSS_PATH: a screen's CSS_PATH makes Textual re-parse the app's whole
    # stylesheet when the screen is first installed; default CSS is parsed on its own.
    DEFAULT_CSS = (Path(__file__).parent / "history.tcss").read_text(encoding="utf-8")
    BINDINGS = [
        Binding("s", "sync", "Sync", id="history.sync"),
        Binding("S", "sync_all", "Sync all", id="history.sync_all"),
        Binding("c,escape", "cancel_sync", "Cancel sync", show=False, id="history.cancel"),
        Binding("left_square_bracket", "interval(-1)", "Interval -", id="history.interval_prev"),
        Binding("right_square_bracket", "interval(1)", "Interval +", id="history.interval_next"),
        Binding("plus,equals_sign", "zoom(1)", "Zoom in", id="history.zoom_in"),
        Binding("minus", "zoom(-1)", "Zoom out", id="history.zoom_out"),
        Binding("left", "pan(-1)", "Older", id="history.pan_left", priority=True),
        Binding("right", "pan(1)", "Newer", id="history.pan_right", priority=True),
        Binding("home", "edge(0)", "Oldest", show=False, id="history.oldest"),
        Binding("end", "edge(1)", "Newest", show=False, id="history.newest"),
        Binding("r", "reload", "Reload", show=False, id="history.reload"),
        Binding("i", "app.indicators('history')", "Indicators", id="history.indicators"),
    ]

    symbol: reactive[str | None] = reactive(None, init=False)
    rows: reactive[list[SymbolRow]] = reactive(list, always_update=True, init=False)
    indicators: reactive[dict[str, tuple[IndicatorSpec, ...]]] = reactive(
        dict, always_update=True, init=False
    )
    alerts: reactive[tuple[Alert, ...]] = reactive(tuple, init=False)  # their levels drawn

    def __init__(self, clock: Clock, interval: Interval) -> None:
        super().__init__(clock, interval)
        self.bars: list[Bar] = []
        self.loads = 0  # BarsLoaded taken: the indicators are computed once per load
        self._studies = HistoryStudies()
        self.window = ChartWindow()
        self.loaded = False  # bars for (symbol, interval) have arrived at least once
        self.synced_at: datetime | None = None  # the series' last sync when it was read
        self._ready = False  # mounted: requests may be posted
        self._first_bars = FIRST_BARS_MIN  # the size of the first request (set when posted)
        self._painter = HistoryPainter()

    def compose(self) -> ComposeResult:
        yield from self.frame()
        with Horizontal(id="history-bar"):
            yield Label("", id="history-title")
            yield Select(
                [(i.value, i) for i in INTERVALS],
                value=self.interval,
                allow_blank=False,
                compact=True,
                id="interval-select",
            )
        with Vertical(id="chart-area"):
            yield CandleChart(id="candles")
            yield VolumeChart(id="volume")
            yield IndicatorPanel(id="indicator-panel")
        yield Static(EMPTY_TEXT, id="empty-hint")
        yield BarsTable(id="bars-table")

    def on_mount(self) -> None:
        self._ready = True
        self._request()
        self._paint()

    # ---- state bound from the app ---------------------------------------------------------------
    def watch_symbol(self) -> None:
        if self._ready:
            self._request()

    def watch_interval(self, interval: Interval) -> None:
        if self._ready:
            self.query_one("#interval-select", Select).value = interval
            self._request()

    def watch_indicators(self) -> None:
        self._paint()

    def watch_alerts(self) -> None:
        self._paint()

    @property
    def symbol_info(self) -> SymbolInfo | None:
        """The shown symbol's metadata (session, price decimals), from the watchlist."""
        return next((row.info for row in self.rows if row.symbol == self.symbol), None)

    def studies(self) -> IndicatorSet | None:
        """The chart's indicators over the whole series, once computed (once per load)."""
        specs = self.indicators.get(self.MODE, ())
        info = self.symbol_info
        key = (self.symbol, self.interval, self.loads, specs, info)
        return self._studies.get(self, key, specs, info, self.bars)

    @on(StudiesComputed)
    def _studies_computed(self, fact: StudiesComputed) -> None:
        if self._studies.computed(fact):
            self._paint()

    def watch_rows(self, rows: list[SymbolRow]) -> None:
        """A sync (ours, another screen's, a scheduled job's) changed the series: read it again,
        keeping the window where it is."""
        synced = next((row.last_sync for row in rows if row.symbol == self.symbol), None)
        if synced == self.synced_at:
            return
        self.synced_at = synced
        if self.loaded and self.symbol:
            self._ask(last=HISTORY_BARS)

    @on(SyncStatus.Synced)
    def _synced(self, fact: SyncStatus.Synced) -> None:
        if self.symbol in fact.symbols:
            self._ask(last=HISTORY_BARS)

    @on(Select.Changed, "#interval-select")
    def _select_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, Interval) and event.value != self.interval:
            self.post_message(IntervalChosen(event.value))

    def _request(self) -> None:
        self.loaded = False
        self.bars = []
        self.window.reset(0)
        if self.symbol and self._ready:
            self._first_bars = max(FIRST_BARS_MIN, plot_columns(self.app.size.width))
            self.synced_at = self._row_sync()
            self._ask(last=self._first_bars)
        self._paint()

    def _ask(self, last: int) -> None:
        if self.symbol:
            self.post_message(BarsRequested(self.symbol, self.interval, last=last, asker=self))

    def _row_sync(self) -> datetime | None:
        return next((row.last_sync for row in self.rows if row.symbol == self.symbol), None)

    # ---- facts from the app ---------------------------------------------------------------------
    @on(BarsLoaded)
    def _bars_loaded(self, message: BarsLoaded) -> None:
        if message.symbol != self.symbol or message.interval != self.interval:
            return
        before = len(self.bars)
        self.bars = list(message.bars)
        self.loads += 1
        if self.loaded and not self.window.following:  # older bars came in front: stay put
            self.window.end += len(self.bars) - before
        self.window.reset(len(self.bars), keep_position=self.loaded)
        first = not self.loaded
        self.loaded = True
        if not first:
            self._paint()
        elif len(self.bars) >= self._first_bars and self.symbol:
            # The whole series after the staged paint: decoding 5,000 bars on this loop would
            # hold those frames back.
            self._paint(then=partial(self._request_all, self.symbol, self.interval))
        else:
            self._paint(then=lambda: None)

    def _request_all(self, symbol: str, interval: Interval) -> None:
        if (symbol, interval) == (self.symbol, self.interval):  # still the series shown
            self._ask(last=HISTORY_BARS)

    # ---- actions ------------------------------------------------------------------------------
    async def _sync_strip(self) -> SyncStatus:
        """Mounted the first time a sync runs: opening the screen does not build it."""
        for strip in self.query(SyncStatus):
            return strip
        strip = SyncStatus(id="sync-status")
        await self.mount(strip, after="#history-bar")
        return strip

    async def action_sync(self) -> None:
        if not self.symbol:
            self.notify("no symbol selected: open one from the Symbols screen", severity="warning")
            return
        (await self._sync_strip()).sync(SyncRequested(self.symbol, self.interval))

    async def action_sync_all(self) -> None:
        (await self._sync_strip()).sync_all(SyncAllRequested(self.interval))

    def action_cancel_sync(self) -> None:
        if any(strip.cancel() for strip in self.query(SyncStatus)):
            self.notify("cancelling sync after the current symbol…", title="Sync")

    def action_interval(self, step: int) -> None:
        index = (INTERVALS.index(self.interval) + step) % len(INTERVALS)
        self.post_message(IntervalChosen(INTERVALS[index]))

    def action_zoom(self, steps: int) -> None:
        if self.window.zoom(steps):
            self._paint()

    def action_pan(self, direction: int) -> None:
        columns = self._columns()
        if self.window.pan(direction * self.window.page(columns), columns):
            self._paint()

    def action_edge(self, newest: int) -> None:
        if newest:
            self.window.latest()
        else:
            self.window.home(self._columns())
        self._paint()

    def action_reload(self) -> None:
        self._request()

    # ---- painting -------------------------------------------------------------------------------
    def on_resize(self, event: Resize) -> None:
        del event
        self.call_after_refresh(self._paint)

    def _columns(self) -> int:
        return columns(self)

    def _paint(self, then: Callable[[], None] | None = None) -> None:
        if self._ready:
            self._painter.paint(self, then)
