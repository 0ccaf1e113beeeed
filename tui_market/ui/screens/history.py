"""History: one symbol's stored bars as candles + volume, with the OHLCV table below.

The screen asks for bars (``BarsRequested``) and draws what arrives (``BarsLoaded``); syncs are
requests too (``SyncRequested``, ``SyncAllRequested``, ``SyncCancelRequested``) that the app
runs in workers, so keys stay live while a sync runs. Only the bars that fit are drawn.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Label, Select, Static

from tui_market.models import Bar, Interval
from tui_market.ui.messages import (
    BarsLoaded,
    BarsRequested,
    IntervalChosen,
    SyncAllRequested,
    SyncCancelRequested,
    SyncFailed,
    SyncFinished,
    SyncProgress,
    SyncRequested,
    SyncStarted,
)
from tui_market.ui.screens.history_text import finished_text, window_text
from tui_market.ui.widgets.bars_table import BarsTable
from tui_market.ui.widgets.candles import CandleChart, VolumeChart
from tui_market.ui.widgets.chart_window import ChartWindow, plot_columns
from tui_market.ui.widgets.sync_status import SyncStatus

HISTORY_BARS = 5000
FIRST_BARS = 300  # asked first: more than the widest view; the rest follows for panning
INTERVALS = tuple(Interval)
EMPTY_TEXT = "no bars yet: press s to sync"
NO_SYMBOL_TEXT = "no symbol chosen: press 1, pick one and press enter"


class HistoryScreen(Screen[None]):
    CSS_PATH = "history.tcss"
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
    ]

    symbol: reactive[str | None] = reactive(None, init=False)
    interval: reactive[Interval] = reactive(Interval.D1, init=False)

    def __init__(self, symbol: str | None = None, interval: Interval = Interval.D1) -> None:
        super().__init__()
        self.set_reactive(HistoryScreen.symbol, symbol)
        self.set_reactive(HistoryScreen.interval, interval)
        self.bars: list[Bar] = []
        self.window = ChartWindow()
        self.loaded = False  # bars for (symbol, interval) have arrived at least once
        self._sync_all = False  # the running sync is a sync-all (progress over symbols)
        self._sync_total = 0
        self._ready = False  # mounted: requests may be posted

    def compose(self) -> ComposeResult:
        with Horizontal(id="history-bar"):
            yield Label("", id="history-title")
            yield Select(
                [(i.value, i) for i in INTERVALS], value=self.interval, allow_blank=False,
                compact=True, id="interval-select",
            )
        yield SyncStatus(id="sync-status")
        with Vertical(id="chart-area"):
            yield CandleChart(id="candles")
            yield VolumeChart(id="volume")
        yield Static(EMPTY_TEXT, id="empty-hint")
        yield BarsTable(id="bars-table")
        yield Footer()

    def on_mount(self) -> None:
        self._ready = True
        self._request()
        self._paint()

    # ---- attributes set from above ------------------------------------------------------------
    def watch_symbol(self) -> None:
        self._request()

    def watch_interval(self, interval: Interval) -> None:
        self.query_one("#interval-select", Select).value = interval
        self._request()

    @on(Select.Changed, "#interval-select")
    def _select_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, Interval) and event.value != self.interval:
            self.interval = event.value
            self.post_message(IntervalChosen(event.value))

    def _request(self) -> None:
        self.loaded = False
        self.bars = []
        self.window.reset(0)
        if self.symbol and self._ready:
            self.post_message(BarsRequested(self.symbol, self.interval, last=FIRST_BARS))
        self._paint()

    # ---- facts from the app ---------------------------------------------------------------------
    @on(BarsLoaded)
    def _bars_loaded(self, message: BarsLoaded) -> None:
        if message.symbol != self.symbol or message.interval != self.interval:
            return
        before = len(self.bars)
        self.bars = list(message.bars)
        if self.loaded and not self.window.following:  # older bars came in front: stay put
            self.window.end += len(self.bars) - before
        self.window.reset(len(self.bars), keep_position=self.loaded)
        first = not self.loaded
        self.loaded = True
        self._paint()
        if first and len(self.bars) >= FIRST_BARS and self.symbol:
            self.post_message(BarsRequested(self.symbol, self.interval, last=HISTORY_BARS))

    @on(SyncStarted)
    def _sync_started(self, message: SyncStarted) -> None:
        if not self._sync_all:
            label = f"syncing {message.symbol} {message.interval.value}…  (esc/c: cancel)"
            self.query_one(SyncStatus).start(label)

    @on(SyncProgress)
    def _sync_progress(self, message: SyncProgress) -> None:
        self._sync_total = message.total
        if message.total <= 1 and not self._sync_all:
            return
        self._sync_all = True
        text = f"sync all: {message.done}/{message.total} ({message.symbol})  (esc/c: cancel)"
        self.query_one(SyncStatus).advance(message.done, message.total, text)

    @on(SyncFinished)
    def _sync_finished(self, message: SyncFinished) -> None:
        total = self._sync_total if self._sync_all else len(message.outcomes)
        self._sync_all, self._sync_total = False, 0
        self.query_one(SyncStatus).stop()
        text, severity = finished_text(message.outcomes, total)
        self.notify(text, title="Sync", severity=severity)
        if self.symbol and any(o.symbol == self.symbol for o in message.outcomes):
            self.post_message(BarsRequested(self.symbol, self.interval, last=HISTORY_BARS))

    @on(SyncFailed)
    def _sync_failed(self, message: SyncFailed) -> None:
        self._sync_all, self._sync_total = False, 0
        self.query_one(SyncStatus).stop()
        self.notify(
            f"{message.symbol} {message.interval.value}: {message.message}",
            title="Sync failed", severity="error",
        )

    # ---- actions --------------------------------------------------------------------------------
    def action_sync(self) -> None:
        if not self.symbol:
            self.notify("no symbol selected: open one from the Symbols screen", severity="warning")
            return
        self._sync_all = False
        self.query_one(SyncStatus).start(f"syncing {self.symbol} {self.interval.value}…")
        self.post_message(SyncRequested(self.symbol, self.interval))

    def action_sync_all(self) -> None:
        self._sync_all, self._sync_total = True, 0
        self.query_one(SyncStatus).start(f"sync all {self.interval.value}…  (esc/c: cancel)")
        self.post_message(SyncAllRequested(self.interval))

    def action_cancel_sync(self) -> None:
        self.post_message(SyncCancelRequested())  # harmless when the run has just ended
        if self.query_one(SyncStatus).running:
            self.notify("cancelling sync after the current symbol…", title="Sync")

    def action_interval(self, step: int) -> None:
        index = (INTERVALS.index(self.interval) + step) % len(INTERVALS)
        self.interval = INTERVALS[index]
        self.post_message(IntervalChosen(self.interval))

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
        width = self.query_one(CandleChart).size.width or self.size.width
        return plot_columns(width)

    def _paint(self) -> None:
        if not self._ready:
            return
        empty = (self.loaded and not self.bars) or not self.symbol
        self.query_one("#chart-area").display = not empty
        self.query_one(BarsTable).display = not empty
        hint = self.query_one("#empty-hint", Static)
        hint.display = empty
        hint.update(EMPTY_TEXT if self.symbol else NO_SYMBOL_TEXT)
        start, end = self.window.span(self._columns())
        shown = self.bars[start:end]
        title = f"{self.symbol or 'no symbol'}  {self.interval.value}"
        self.query_one("#history-title", Label).update(
            window_text(title, self.bars, start, end, self.loaded or not self.symbol,
                        self.window.cols_per_bar)
        )
        self.query_one(CandleChart).show(shown, self.interval)
        self.query_one(VolumeChart).show(shown)
        previous = self.bars[start - 1] if start > 0 else None
        self.query_one(BarsTable).show(shown, self.interval, previous)
