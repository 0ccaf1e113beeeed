"""The oscillator panel under the candles (RSI, MACD) computed as cells, apart from any widget.

Each oscillator gets a band of rows: a legend row with its latest values, then its plot, in the
same columns as ``candle_canvas`` puts the candles of the same bars at the same width (so a
value sits under its candle). RSI is drawn on a fixed 0-100 scale with its 70 and 30 guides;
MACD on its own range with the histogram as blocks from the zero line, up or down coloured.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tui_market.models.indicator import IndicatorSpec
from tui_market.tui.widgets.candle_canvas import axis_label
from tui_market.tui.widgets.chart_grid import Canvas, Grid, Layout, Role, Side, body_width
from tui_market.tui.widgets.chart_lines import (
    LINE_ROLES,
    Plot,
    Values,
    draw_lines,
    finite,
    header,
    tail,
)

GUIDE = "┈"
RSI_GUIDES = (70.0, 30.0)


@dataclass(frozen=True, slots=True)
class Oscillator:
    """One panel indicator: its spec and output lines, aligned to the newest of the bars."""

    spec: IndicatorSpec
    lines: Sequence[Values]


def panel_canvas(
    oscillators: Sequence[Oscillator],
    count: int,
    width: int,
    height: int,
    *,
    fit: int | None = None,
    side: Side = "left",
) -> Canvas:
    """``oscillators`` over the newest of ``count`` bars, laid out as ``candle_canvas`` lays
    out ``count`` bars with the same ``fit``; the bands share ``height`` evenly."""
    grid = Grid(width, height)
    layout = Layout.of(grid.width, side)
    if not oscillators or count == 0 or grid.height == 0:
        return grid.canvas()
    cols = layout.columns_per_bar(count, fit)
    shown = min(count, layout.plot_width // cols)
    xs = [layout.plot_x + i * cols + body_width(cols) // 2 for i in range(shown)]
    band = grid.height // len(oscillators)
    for k, osc in enumerate(oscillators):
        top = k * band
        rows = (grid.height - top if k == len(oscillators) - 1 else band) - 1
        lines = [tail(values, shown) for values in osc.lines]
        header(grid, layout, top, "", _legend(osc.spec, lines))
        if rows <= 0:
            continue
        if osc.spec.kind == "rsi":
            _rsi(grid, layout, Plot(top + 1, rows, 0.0, 100.0), xs, lines[0])
        else:
            _macd(grid, layout, top + 1, rows, xs, lines)
    return grid.canvas()


def _legend(spec: IndicatorSpec, lines: list[list[float | None]]) -> list[tuple[str, Role]]:
    latest = [values[-1] if values else None for values in lines]
    text = " ".join(f"{v:.2f}" for v in latest if v is not None)
    return [(f"{spec.label} {text}".strip(), LINE_ROLES[0])]


def _rsi(grid: Grid, layout: Layout, plot: Plot, xs: list[int], values: Values) -> None:
    labels: dict[int, str] = {}
    for level in RSI_GUIDES:
        row = plot.row_of(level)
        labels.setdefault(row, axis_label(f"{level:.0f}", level))
        for x in range(layout.plot_x, layout.plot_x + layout.plot_width):
            grid.put(x, row, GUIDE)
    draw_lines(grid, plot, xs, [(values, LINE_ROLES[0])])
    layout.axis(grid, plot.top, plot.rows, labels)


def _macd(
    grid: Grid,
    layout: Layout,
    top: int,
    rows: int,
    xs: list[int],
    lines: list[list[float | None]],
) -> None:
    macd, signal, hist = lines
    seen = [*finite(macd), *finite(signal), *finite(hist), 0.0]
    plot = Plot(top, rows, min(seen), max(seen))
    zero = plot.row_of(0.0)
    for x, value in zip(xs, hist, strict=False):
        if value is None:
            continue
        end = plot.row_of(value)
        role = Role.UP if value >= 0 else Role.DOWN
        for y in range(min(zero, end), max(zero, end) + 1):
            grid.put(x, y, "█" if y != zero else "▬", role)
    draw_lines(grid, plot, xs, [(macd, LINE_ROLES[0]), (signal, LINE_ROLES[1])])
    labels = {
        plot.top: axis_label(f"{plot.high:.2f}", plot.high),
        zero: axis_label("0", 0.0),
        plot.top + plot.rows - 1: axis_label(f"{plot.low:.2f}", plot.low),
    }
    layout.axis(grid, plot.top, plot.rows, labels)
