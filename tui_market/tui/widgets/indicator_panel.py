"""The RSI / MACD panel under a candle chart: a ``ChartWidget`` drawing ``panel_canvas``.

The owner shows it with the same bar count and ``fit`` as its ``CandleChart`` so the values
sit under their candles, and hides it (``display``) when the chart has no panel indicator.
"""

from __future__ import annotations

from collections.abc import Sequence

from tui_market.tui.widgets.candles import ChartWidget
from tui_market.tui.widgets.chart_grid import Canvas
from tui_market.tui.widgets.chart_window import MIN_VISIBLE, plot_columns
from tui_market.tui.widgets.panel_canvas import Oscillator, panel_canvas

ROWS_EACH = 4  # a legend row and three rows of plot per oscillator


class IndicatorPanel(ChartWidget):
    DEFAULT_CSS = """
    IndicatorPanel {
        height: 4;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.oscillators: Sequence[Oscillator] = ()
        self.count = 0
        self.fit: int | None = None

    def show(self, oscillators: Sequence[Oscillator], count: int, fit: int | None = None) -> None:
        """Draw ``oscillators`` over the newest of ``count`` bars (see the module doc)."""
        self.oscillators, self.count, self.fit = oscillators, count, fit
        self.display = bool(oscillators)
        if oscillators:
            self.styles.height = ROWS_EACH * len(oscillators)
        self.shown += 1
        self.refresh()

    def draw(self, width: int, height: int) -> Canvas:
        count = self.count  # as ``fitted`` trims the candle chart's bars
        if self.fit:
            count = min(count, max(MIN_VISIBLE, plot_columns(width) // self.fit))
        return panel_canvas(self.oscillators, count, width, height, fit=self.fit)
