"""Candlestick and volume plots (plotext through textual-plotext).

The owner calls ``show`` with only the bars that fit (see ``ChartWindow``); the widget draws
them at its size. Up/down colours come from the theme variables ``$candle-up``/``$candle-down``
(then ``$price-up``/``$price-down``, then ``$success``/``$error``). Both plots use fixed-width
y labels so candles and volume bars line up.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from textual.app import RenderResult
from textual.color import Color, ColorParseError
from textual_plotext import PlotextPlot
from textual_plotext.plot import Plot

from tui_market.models import Bar, Interval
from tui_market.tui.widgets.candle_figure import (
    RGB,
    draw_candles,
    fitted,
    plot_visual,
    time_label,
    volume_label,
)

__all__ = ["RGB", "CandleChart", "VolumeChart", "time_label"]
log = logging.getLogger(__name__)


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
        width, height = self.size
        visual = plot_visual(
            self._plot,
            width,
            height,
            self._get_plotext_theme_name(self.app.theme),
            self.app.ansi_theme,
        )
        return super().render() if visual is None else visual

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
        self,
        bars: Sequence[Bar],
        interval: Interval,
        title: str = "",
        *,
        fit: int | None = None,
    ) -> None:
        """Draw ``bars``; with ``fit`` (columns per candle) only the newest that fit the
        width at render time (so a paint before layout never draws the wrong count)."""
        self.bars, self.interval, self.title, self.fit = bars, interval, title, fit
        self.refresh()

    def render(self) -> RenderResult:
        plt = self.fresh_plot()
        width = self.size.width
        bars = fitted(self.bars, self.fit, width)
        colors = self._colors() if bars else None
        draw_candles(
            plt, bars, colors, self.interval, self.title, width=width, time_axis=self.time_axis
        )
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
                "High": volumes,
                "Low": zeros,
            }
            plt.candlestick(x, data, colors=[up, down])
            top = max(volumes, default=0.0) or 1.0
            plt.ylim(0, top * 1.05)
            plt.xlim(-0.5, max(len(bars) - 0.5, 4.5))
            plt.yticks([top], [volume_label(top)])
            plt.xticks([], [])
        return self.draw()
