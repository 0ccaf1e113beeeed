"""Painting the History screen: title, candles, volume and table for the window of bars.

The first paint of a series' bars is staged: the candles in that frame, the volume and the
table in the next one, so the chart the trader opened History for is on screen a frame sooner.
Every other paint (pan, zoom, resize, a reload) draws all of them at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.widgets import Label, Static

from tui_market.models import Bar
from tui_market.models.alert import chart_levels
from tui_market.tui.screens.history_text import window_text
from tui_market.tui.widgets.bars_table import BarsTable
from tui_market.tui.widgets.candles import CandleChart, VolumeChart
from tui_market.tui.widgets.chart_lines import overlay_layers
from tui_market.tui.widgets.chart_window import plot_columns
from tui_market.tui.widgets.indicator_panel import IndicatorPanel
from tui_market.tui.widgets.panel_canvas import Oscillator

if TYPE_CHECKING:
    from tui_market.tui.screens.history import HistoryScreen

EMPTY_TEXT = "no bars yet: press s to sync"
NO_SYMBOL_TEXT = "no symbol chosen: press 1, pick one and press enter"


def columns(screen: HistoryScreen) -> int:
    width = screen.query_one(CandleChart).size.width or screen.size.width
    return plot_columns(width)


class HistoryPainter:
    def __init__(self) -> None:
        self._paints = 0  # a staged rest is skipped when a newer paint came before it

    def paint(self, screen: HistoryScreen, then: Callable[[], None] | None = None) -> None:
        """Draw what ``screen`` holds; with ``then``, staged (see above), ``then`` called
        after the second frame."""
        self._paints += 1
        empty = (screen.loaded and not screen.bars) or not screen.symbol
        screen.query_one("#chart-area").display = not empty
        screen.query_one(BarsTable).display = not empty
        hint = screen.query_one("#empty-hint", Static)
        hint.display = empty
        hint.update(EMPTY_TEXT if screen.symbol else NO_SYMBOL_TEXT)
        start, end = screen.window.span(columns(screen))
        shown = screen.bars[start:end]
        title = f"{screen.symbol or 'no symbol'}  {screen.interval.value}"
        screen.query_one("#history-title", Label).update(
            window_text(
                title,
                screen.bars,
                start,
                end,
                screen.loaded or not screen.symbol,
                screen.window.cols_per_bar,
            )
        )
        studies = screen.studies()
        overlays, legend = overlay_layers(studies.overlays() if studies else [], start, end)
        screen.query_one(CandleChart).show(
            shown,
            screen.interval,
            overlays=overlays,
            legend=legend,
            levels=chart_levels(screen.alerts, screen.symbol),
        )
        screen.query_one(IndicatorPanel).show(
            [
                Oscillator(spec, [values[start:end] for values in lines])
                for spec, lines in (studies.panels() if studies else [])
            ],
            len(shown),
        )
        previous = screen.bars[start - 1] if start > 0 else None
        if then is None:
            self._rest(screen, shown, previous, self._paints)
        else:
            screen.call_after_refresh(self._rest, screen, shown, previous, self._paints, then)

    def _rest(
        self,
        screen: HistoryScreen,
        shown: list[Bar],
        previous: Bar | None,
        paint: int,
        then: Callable[[], None] | None = None,
    ) -> None:
        if paint == self._paints:  # else a newer paint has drawn these already
            screen.query_one(VolumeChart).show(shown)
            screen.query_one(BarsTable).show(shown, screen.interval, previous, screen.symbol_info)
        if then is not None:
            screen.call_after_refresh(then)
