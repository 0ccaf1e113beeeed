"""The candle figure, apart from any widget: labels, which bars fit, the plotext calls, and the
figure's cells as a ``PlotVisual``. ``CandleChart`` draws with these in ``render``; the Ticker's
``LiveChart`` in a thread (nothing here touches a widget or the app).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from rich.terminal_theme import TerminalTheme
from textual_plotext.plot import Plot

from tui_market.models import Bar, Interval
from tui_market.tui.widgets.chart_window import MIN_VISIBLE, Y_LABEL_WIDTH, plot_columns
from tui_market.tui.widgets.plot_strips import PlotVisual, matrix_runs

RGB = tuple[int, int, int]


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


def fitted(bars: Sequence[Bar], fit: int | None, width: int) -> Sequence[Bar]:
    """The newest ``bars`` that fit ``width`` at ``fit`` columns per candle (all: no fit)."""
    return bars[-max(MIN_VISIBLE, plot_columns(width) // fit) :] if fit else bars


def draw_candles(
    plt: Plot,
    bars: Sequence[Bar],
    colors: tuple[RGB, RGB] | None,
    interval: Interval,
    title: str,
    *,
    width: int,
    time_axis: bool,
) -> None:
    """The candle plot of ``bars`` on ``plt`` (a fresh figure ``width`` columns wide)."""
    if bars:
        up, down = colors or ((200, 200, 200), (200, 200, 200))
        x: Any = list(range(len(bars)))  # plotext's stub wants date strings
        data = {
            "Open": [b.open for b in bars],
            "Close": [b.close for b in bars],
            "High": [b.high for b in bars],
            "Low": [b.low for b in bars],
        }
        plt.candlestick(x, data, colors=[up, down])
        low, high = min(data["Low"]), max(data["High"])
        pad = (high - low) * 0.05 or high * 0.001
        plt.ylim(low - pad, high + pad)
        plt.xlim(-0.5, max(len(bars) - 0.5, 4.5))
        ticks = nice_ticks(low, high)
        plt.yticks(ticks, [price_label(t) for t in ticks])
        if time_axis:
            _time_ticks(plt, bars, interval, width)
        else:
            plt.xticks([], [])
    if title:
        plt.title(title)


def _time_ticks(plt: Plot, bars: Sequence[Bar], interval: Interval, width: int) -> None:
    label_width = 12
    count = max(1, min(len(bars), width // (label_width + 6)))
    step = max(1, len(bars) // count)
    positions = range(0, len(bars), step)
    labels = [time_label(bars[i].time, interval) for i in positions]
    plt.xticks([float(i) for i in positions], labels)


def plot_visual(
    figure: Plot, width: int, height: int, theme: str, ansi_theme: TerminalTheme | None
) -> PlotVisual | None:
    """``figure`` sized and themed as ``PlotextPlot.render`` does it, drawn from its cells;
    None for images and heatmaps (their canvas is ANSI already). Touches no widget."""
    plot: Any = figure  # the figure's build steps are not in plotext's stub
    plot.plotsize(width, height)
    plot._set_size(width, height)  # as PlotextPlot.render (textual-plotext issue 5)
    plot.theme(theme)
    plot._set_sizes()  # what Plot.build() does, less the ANSI canvas
    plot._build_matrix()
    if plot.monitor.fast_plot:
        return None
    return PlotVisual(matrix_runs(plot.monitor.matrix, ansi_theme))
