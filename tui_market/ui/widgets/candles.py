"""Candlestick and volume plots (plotext through textual-plotext).

The owner calls ``show`` with only the bars that fit (see ``ChartWindow``); the widget draws
them at its size. Up/down colours come from the theme variables ``$candle-up``/``$candle-down``
(then ``$price-up``/``$price-down``, then ``$success``/``$error``). Both plots use fixed-width
y labels so candles and volume bars line up.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from textual.app import RenderResult
from textual.color import Color, ColorParseError
from textual_plotext import PlotextPlot
from textual_plotext.plot import Plot

from tui_market.models import Bar, Interval
from tui_market.ui.widgets.chart_window import MIN_VISIBLE, Y_LABEL_WIDTH, plot_columns
from tui_market.ui.widgets.plot_strips import PlotVisual, matrix_runs

RGB = tuple[int, int, int]
log = logging.getLogger(__name__)


def price_label(value: float) -> str:
    digits = 2 if abs(value) >= 1 else 5
    return f"{value:,.{digits}f}".rjust(Y_LABEL_WIDTH - 1)


def volume_label(value: float) -> str:
    for scale, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if value >= scale:
            return f"{value / scale:.1f}{suffix}".rjust(Y_LABEL_WIDTH - 1)
    return f"{value:.0f}".rjust(Y_LABEL_WIDTH - 1)


def time_label(when: datetime, interval: Interval) -> str:
    when = when.astimezone(UTC)
    if interval.seconds >= Interval.D1.seconds:
        return when.strftime("%Y-%m-%d")
    return when.strftime("%m-%d %H:%M")


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """About ``count`` round values spanning ``[low, high]``."""
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        return [low]
    raw = (high - low) / max(1, count)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.ceil(low / step) * step
    ticks: list[float] = []
    value = first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    return ticks or [low]


class _ThemedPlot(PlotextPlot):
    """A plot whose up/down colours follow the app theme."""

    def fresh_plot(self) -> Plot:
        """A new figure per frame: plotext keeps layout state between builds, so redrawing
        the same bars after other data could place ticks a column apart."""
        self._plot = Plot()
        return self._plot

    def draw(self) -> RenderResult:
        """The figure as ``PlotextPlot.render`` sizes and themes it, drawn from its cells
        (``PlotVisual``) instead of through an ANSI string."""
        plot: Any = self._plot  # the figure's build steps are not in plotext's stub
        width, height = self.size
        plot.plotsize(width, height)
        plot._set_size(width, height)  # as PlotextPlot.render (textual-plotext issue 5)
        plot.theme(self._get_plotext_theme_name(self.app.theme))
        plot._set_sizes()  # what Plot.build() does, less the ANSI canvas
        plot._build_matrix()
        if plot.monitor.fast_plot:  # images and heatmaps only: their canvas is ANSI already
            return super().render()
        return PlotVisual(matrix_runs(plot.monitor.matrix, self.app.ansi_theme))

    def theme_rgb(self, *names: str) -> RGB:
        """The first of the theme variables ``names`` that parses as a colour."""
        variables = self.app.theme_variables
        for name in names:
            text = variables.get(name)
            if not text:
                continue
            try:
                return Color.parse(text).rgb
            except ColorParseError as exc:
                log.warning("theme variable %s=%r is not a colour: %s", name, text, exc)
        return (200, 200, 200)

    def _colors(self) -> tuple[RGB, RGB]:
        return (
            self.theme_rgb("candle-up", "price-up", "success"),
            self.theme_rgb("candle-down", "price-down", "error"),
        )

    def _x_ticks(self, bars: Sequence[Bar], interval: Interval) -> None:
        if not bars:
            return
        label_width = 12
        count = max(1, min(len(bars), self.size.width // (label_width + 6)))
        step = max(1, len(bars) // count)
        positions = range(0, len(bars), step)
        labels = [time_label(bars[i].time, interval) for i in positions]
        self.plt.xticks([float(i) for i in positions], labels)


class CandleChart(_ThemedPlot):
    """Candles for ``bars`` (the owner appends a forming bar last when there is one)."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.bars: Sequence[Bar] = ()
        self.interval = Interval.D1
        self.title = ""
        self.fit: int | None = None
        # The live chart has no time labels: plotext's label placement shifted by a column
        # between otherwise identical frames in one process, which made snapshots flaky.
        self.time_axis = True

    def show(
        self, bars: Sequence[Bar], interval: Interval, title: str = "",
        *, fit: int | None = None,
    ) -> None:
        """Draw ``bars``; with ``fit`` (columns per candle) only the newest that fit the
        width at render time (so a paint before layout never draws the wrong count)."""
        self.bars, self.interval, self.title, self.fit = bars, interval, title, fit
        self.refresh()

    def render(self) -> RenderResult:
        plt = self.fresh_plot()
        bars = self.bars
        if self.fit:
            bars = bars[-max(MIN_VISIBLE, plot_columns(self.size.width) // self.fit):]
        if bars:
            up, down = self._colors()
            x: Any = list(range(len(bars)))  # plotext's stub wants date strings
            data = {
                "Open": [b.open for b in bars], "Close": [b.close for b in bars],
                "High": [b.high for b in bars], "Low": [b.low for b in bars],
            }
            plt.candlestick(x, data, colors=[up, down])
            low, high = min(data["Low"]), max(data["High"])
            pad = (high - low) * 0.05 or high * 0.001
            plt.ylim(low - pad, high + pad)
            plt.xlim(-0.5, max(len(bars) - 0.5, 4.5))
            ticks = nice_ticks(low, high)
            plt.yticks(ticks, [price_label(t) for t in ticks])
            if self.time_axis:
                self._x_ticks(bars, self.interval)
            else:
                plt.xticks([], [])
        if self.title:
            plt.title(self.title)
        return self.draw()


class VolumeChart(_ThemedPlot):
    """Volume bars under a ``CandleChart``, coloured by the candle's direction."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.bars: Sequence[Bar] = ()

    def show(self, bars: Sequence[Bar]) -> None:
        self.bars = bars
        self.refresh()

    def render(self) -> RenderResult:
        plt = self.fresh_plot()
        bars = self.bars
        if bars:
            up, down = self._colors()
            # Volume as candle bodies from 0: the same x positions and widths as the candles.
            x: Any = list(range(len(bars)))
            zeros = [0.0] * len(bars)
            volumes = [b.volume for b in bars]
            rising = [b.close >= b.open for b in bars]
            data = {
                "Open": [0.0 if r else v for r, v in zip(rising, volumes, strict=True)],
                "Close": [v if r else 0.0 for r, v in zip(rising, volumes, strict=True)],
                "High": volumes, "Low": zeros,
            }
            plt.candlestick(x, data, colors=[up, down])
            top = max(volumes, default=0.0) or 1.0
            plt.ylim(0, top * 1.05)
            plt.xlim(-0.5, max(len(bars) - 0.5, 4.5))
            plt.yticks([top], [volume_label(top)])
            plt.xticks([], [])
        return self.draw()
