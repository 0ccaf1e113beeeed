"""History: one symbol's stored bars as candles + volume, with the OHLCV table below.

The screen asks for bars (``BarsRequested``) and draws what arrives (``BarsLoaded``); syncs are
requests too (``SyncRequested``, ``SyncAllRequested``, ``SyncCancelRequested``) that the app
runs in workers, so keys stay live while a sync runs (their handling: history_sync.py). Only
the bars that fit are drawn; the first request is only what the widest zoom shows, the whole
series is asked for once that has been painted.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.widgets import Label, Select, Static

from tui_market.models import Bar, Interval
from tui_market.tui.messages import BarsLoaded, BarsRequested, IntervalChosen
from tui_market.tui.screens.history_sync import HISTORY_BARS, HistorySyncScreen
from tui_market.tui.screens.history_view import EMPTY_TEXT, HistoryPainter, columns
from tui_market.tui.widgets.bars_table import BarsTable
from tui_market.tui.widgets.candles import CandleChart, VolumeChart
from tui_market.tui.widgets.chart_window import ChartWindow, plot_columns
from tui_market.tui.widgets.chrome import MarketHeader, ModeTabs
from tui_market.tui.widgets.footer import BindingsFooter
from tui_market.tui.widgets.health import HealthLine

__all__ = ["EMPTY_TEXT", "HISTORY_BARS", "HistoryScreen"]
# Asked first: what the widest zoom shows at the terminal's width (one candle a column), at
# least FIRST_BARS_MIN; the whole series follows after the first paint, for panning.
FIRST_BARS_MIN = 30
INTERVALS = tuple(Interval)


class HistoryScreen(HistorySyncScreen):
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
    ]

    def __init__(self, symbol: str | None = None, interval: Interval = Interval.D1) -> None:
        super().__init__()
        self.set_reactive(HistoryScreen.symbol, symbol)
        self.set_reactive(HistoryScreen.interval, interval)
        self.bars: list[Bar] = []
        self.window = ChartWindow()
        self.loaded = False  # bars for (symbol, interval) have arrived at least once
        self._ready = False  # mounted: requests may be posted
        self._first_bars = FIRST_BARS_MIN  # the size of the first request (set when posted)
        self._painter = HistoryPainter()

    def compose(self) -> ComposeResult:
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
        yield Static(EMPTY_TEXT, id="empty-hint")
        yield BarsTable(id="bars-table")
        # The frame, in ensure_chrome's order: mounted with the screen, not by the app's
        # OpenHistory handler afterwards (which held the bars request back by ~150 ms).
        yield BindingsFooter()
        yield MarketHeader()
        yield ModeTabs("history")
        yield HealthLine()

    def _post_register(self, app: App[Any]) -> None:
        """Installed as a new mode screen: mark its styles as current. Textual (8.2) starts a
        screen's CSS count at -1, so switching to a new mode re-parsed the app's whole
        stylesheet and re-styled every node twice (~50 ms) for a screen not yet styled at
        all; its nodes get their styles from the current stylesheet when they mount."""
        super()._post_register(app)
        self._css_update_count = app._css_update_count

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
            self._first_bars = max(FIRST_BARS_MIN, plot_columns(self.app.size.width))
            self.post_message(BarsRequested(self.symbol, self.interval, last=self._first_bars))
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
            self.post_message(BarsRequested(symbol, interval, last=HISTORY_BARS))

    # ---- actions (the sync ones are in HistorySyncScreen) --------------------------------------
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
        return columns(self)

    def _paint(self, then: Callable[[], None] | None = None) -> None:
        if self._ready:
            self._painter.paint(self, then)
