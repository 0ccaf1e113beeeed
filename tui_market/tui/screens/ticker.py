"""Ticker: the watchlist live. One row per symbol, and a live candle chart for the selected one.

The app sets its ``snapshot`` (``QuoteService.snapshot()``) on a steady ~10 Hz timer and binds
it down, with ``rows`` (the watchlist) and ``interval``; this screen paints from the snapshot
and never per tick. The chart shows stored bars (asked for with
``BarsRequested``), then the bars the live service closed, then the forming candle.

The table repaints every frame; the chart at most every ``chart_every`` seconds of wall time
while only the forming candle moves. A new symbol, interval, stored load or closed bar redraws
it at once.
"""

from __future__ import annotations

import time

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import reactive, var
from textual.widgets import Label

from tui_market.managers.indicators import SeriesStudies
from tui_market.models import Bar, Interval
from tui_market.models.alert import Alert, chart_levels
from tui_market.models.indicator import IndicatorSpec
from tui_market.models.live import EMPTY_SNAPSHOT, LiveSnapshot
from tui_market.queries.list_symbols import SymbolRow
from tui_market.tui.messages import BarsLoaded, BarsRequested, IntervalChosen
from tui_market.tui.routes import HISTORY_BARS
from tui_market.tui.screens.alert_dialog import last_price, open_alert_dialog
from tui_market.tui.screens.mode import Clock, ModeScreen
from tui_market.tui.widgets.chart_lines import overlay_layers
from tui_market.tui.widgets.chart_window import ZOOM_LEVELS
from tui_market.tui.widgets.indicator_panel import IndicatorPanel
from tui_market.tui.widgets.live_chart import LiveChart
from tui_market.tui.widgets.panel_canvas import Oscillator
from tui_market.tui.widgets.ticker_table import TickerTable

INTERVALS = tuple(Interval)
CHART_HISTORY = HISTORY_BARS  # same request as History's: one load serves both screens
COLS_PER_BAR = ZOOM_LEVELS[1]
MAX_CHART_BARS = 400  # more than any terminal shows at 2 columns per candle
CHART_EVERY = 0.3  # seconds between redraws for a forming candle that moved (~3 Hz)


def live_series(stored: list[Bar], closed: tuple[Bar, ...], forming: Bar | None) -> list[Bar]:
    """Stored bars, then live-closed bars newer than them, then the forming bar (if newer)."""
    bars = list(stored)
    newest = bars[-1].epoch if bars else -1
    for bar in closed:
        if bar.epoch > newest:
            bars.append(bar)
            newest = bar.epoch
        elif bar.epoch == newest:
            bars[-1] = bar
    if forming is not None and forming.epoch > newest:
        bars.append(forming)
    return bars


class TickerScreen(ModeScreen):
    MODE = "ticker"
    CSS_PATH = "ticker.tcss"
    BINDINGS = [
        Binding("left_square_bracket", "interval(-1)", "Interval -", id="ticker.interval_prev"),
        Binding("right_square_bracket", "interval(1)", "Interval +", id="ticker.interval_next"),
        Binding("A", "alert", "Alert", id="ticker.alert"),
        Binding("i", "app.indicators('ticker')", "Indicators", id="ticker.indicators"),
    ]

    snapshot: var[LiveSnapshot] = var(EMPTY_SNAPSHOT, always_update=True, init=False)
    rows: reactive[list[SymbolRow]] = reactive(list, always_update=True, init=False)
    indicators: reactive[dict[str, tuple[IndicatorSpec, ...]]] = reactive(
        dict, always_update=True, init=False
    )
    alerts: reactive[tuple[Alert, ...]] = reactive(tuple, init=False)  # their levels drawn

    def __init__(self, clock: Clock, interval: Interval) -> None:
        super().__init__(clock, interval)
        self._stored: dict[tuple[str, Interval], list[Bar]] = {}
        self._loads: dict[tuple[str, Interval], int] = {}  # the indicators start again on each
        self.series_studies = SeriesStudies()  # the chart's indicators, fed as bars come
        self._chart_key: tuple[object, ...] | None = None
        self._chart_at = -CHART_EVERY  # wall time of the last chart draw
        self.chart_every = CHART_EVERY  # a snapshot test sets 0: every change drawn
        self.wall = time.monotonic
        self._title = ""
        self._ready = False

    def compose(self) -> ComposeResult:
        yield from self.frame()
        yield Label("", id="ticker-title")
        yield TickerTable(id="ticker-table")
        yield LiveChart(id="live-chart")
        yield IndicatorPanel(id="live-panel")

    def on_mount(self) -> None:
        self._ready = True
        self._symbols_changed()
        self.query_one(TickerTable).focus()

    # ---- state bound from the app -------------------------------------------------------------
    def watch_rows(self) -> None:
        if self._ready:
            self._symbols_changed()

    def _symbols_changed(self) -> None:
        self.query_one(TickerTable).set_symbols(
            [row.symbol for row in self.rows], {row.symbol: row.info for row in self.rows}
        )
        self._request_history()
        self._paint(self.snapshot)

    def watch_snapshot(self, snapshot: LiveSnapshot) -> None:
        self._paint(snapshot)

    def watch_indicators(self) -> None:
        self._chart_key = None
        self._paint(self.snapshot)

    def watch_alerts(self) -> None:
        self._chart_key = None
        self._paint(self.snapshot)

    def watch_interval(self) -> None:
        self._chart_key = None
        self._request_history()
        self._paint(self.snapshot)

    @on(BarsLoaded)
    def _bars_loaded(self, message: BarsLoaded) -> None:
        self._stored[(message.symbol, message.interval)] = list(message.bars)
        series = (message.symbol, message.interval)
        self._loads[series] = self._loads.get(series, 0) + 1
        self._chart_key = None
        self._paint(self.snapshot)

    @on(TickerTable.Highlighted, "#ticker-table")
    def _row_changed(self) -> None:
        self._chart_key = None
        self._request_history()
        # The moved cursor is drawn first, the new symbol's chart on the refresh after: a key
        # press is answered before the chart is laid out again.
        self.call_after_refresh(self._paint_now)

    def _paint_now(self) -> None:
        self._paint(self.snapshot)

    def action_interval(self, step: int) -> None:
        index = (INTERVALS.index(self.interval) + step) % len(INTERVALS)
        self.post_message(IntervalChosen(INTERVALS[index]))

    def action_alert(self) -> None:
        symbol = self.query_one(TickerTable).selected_symbol
        last = last_price(symbol, self.rows, self.snapshot.quotes) if symbol else None
        open_alert_dialog(self, symbol, last)

    def _request_history(self) -> None:
        symbol = self.query_one(TickerTable).selected_symbol
        if self._ready and symbol is not None and (symbol, self.interval) not in self._stored:
            request = BarsRequested(symbol, self.interval, last=CHART_HISTORY, asker=self)
            self.post_message(request)

    # ---- painting ------------------------------------------------------------------------------
    def _paint(self, snapshot: LiveSnapshot) -> None:
        if not self._ready:
            return
        table = self.query_one(TickerTable)
        table.paint(snapshot, self.interval)
        feed = snapshot.feed.status.value if snapshot.feed else "not started"
        title = (
            f"live {self.interval.value} bars  feed: {feed}  "
            f"saved {snapshot.saved} closed bars ({snapshot.pending} pending)"
        )
        if title != self._title:  # one line of fixed height: no layout pass for a new text
            self._title = title
            self.query_one("#ticker-title", Label).update(title, layout=False)
        symbol = table.selected_symbol
        chart = self.query_one(LiveChart)
        if symbol is None:
            chart.show([], self.interval, "no symbols: add some on the Symbols screen (1)")
            self.query_one(IndicatorPanel).show([], 0)
            return
        quote = snapshot.quotes.get(symbol)
        forming = quote.forming.get(self.interval) if quote else None
        closed = snapshot.recent.get((symbol, self.interval), ())
        base = (symbol, self.interval, len(closed), closed[-1:] if closed else None)
        key = (*base, forming)
        if key == self._chart_key:
            return
        now = self.wall()
        if (
            self._chart_key is not None
            and self._chart_key[:-1] == base
            and (now - self._chart_at < self.chart_every)
        ):
            return  # only the forming candle moved: drawn on a later frame
        self._chart_key, self._chart_at = key, now
        stored = self._stored.get((symbol, self.interval), [])
        bars = live_series(stored[-MAX_CHART_BARS:], closed, forming)
        self._draw(chart, symbol, bars)

    def _draw(self, chart: LiveChart, symbol: str, bars: list[Bar]) -> None:
        """The chart and its indicators; these are fed only the bars that are new or moved
        since the last draw (the forming bar updates the last value in place)."""
        specs = self.indicators.get(self.MODE, ())
        info = next((row.info for row in self.rows if row.symbol == symbol), None)
        key = (symbol, self.interval, self._loads.get((symbol, self.interval)), specs, info)
        studies = self.series_studies.over(key, specs, info, bars)
        end = len(studies.epochs) if studies else 0
        start = max(0, end - len(bars))
        overlays, legend = overlay_layers(studies.overlays() if studies else [], start, end)
        title = f"{symbol} {self.interval.value}"
        levels = chart_levels(self.alerts, symbol)
        chart.show(
            bars,
            self.interval,
            title,
            fit=COLS_PER_BAR,
            overlays=overlays,
            legend=legend,
            levels=levels,
        )
        oscillators = [
            Oscillator(spec, [values[start:end] for values in lines])
            for spec, lines in (studies.panels() if studies else [])
        ]
        self.query_one(IndicatorPanel).show(oscillators, len(bars), fit=COLS_PER_BAR)
