"""Candle and volume charts computed as cells (``Canvas``), apart from any widget.

Candles are drawn at half a cell of vertical resolution: each cell row holds two price steps, an
upper and a lower half, and a cell's character shows what each half holds (nothing, wick or
body). Wicks are light box-drawing lines; bodies are blocks, or heavy lines at one column per
candle, where blocks of neighbouring candles would touch and merge. The volume strip uses
eighth blocks in the candles' body columns, so the two charts line up column for column.
"""

from __future__ import annotations

from collections.abc import Sequence

from tui_market.models import Bar, Interval
from tui_market.tui.widgets.chart_grid import Canvas, Grid, Layout, Role, Side, body_width
from tui_market.tui.widgets.chart_labels import nice_ticks, price_label, time_label, volume_label
from tui_market.tui.widgets.chart_lines import Plot, Values, draw_lines, finite, header, tail
from tui_market.tui.widgets.chart_window import Y_LABEL_WIDTH

NONE, WICK, BODY = 0, 1, 2
# (upper half, lower half) -> character; blocks for bodies, and a heavy line for the body half
# of a cell shared with a wick half: the only glyphs that join the two without a gap.
BLOCK_GLYPHS = {
    (WICK, NONE): "╵",
    (NONE, WICK): "╷",
    (WICK, WICK): "│",
    (BODY, NONE): "▀",
    (NONE, BODY): "▄",
    (BODY, BODY): "█",
    (BODY, WICK): "╿",
    (WICK, BODY): "╽",
}
LINE_GLYPHS = {**BLOCK_GLYPHS, (BODY, NONE): "╹", (NONE, BODY): "╻", (BODY, BODY): "┃"}
# A body wider than its wick: the heavy line would notch the body's edge, so that half cell is
# filled and the wick leaves the body's edge half a row thicker.
WIDE_GLYPHS = {**BLOCK_GLYPHS, (BODY, WICK): "█", (WICK, BODY): "█"}
EIGHTHS = "▁▂▃▄▅▆▇█"
LEVEL_DASH = "╌"
TIME_GAP = 2  # blank cells at least between two time labels


def axis_label(text: str, value: float) -> str:
    """``text``, or shorter forms of ``value`` when it is wider than the label column."""
    width = Y_LABEL_WIDTH - 1
    for candidate in (text.strip(), f"{value:,.0f}", f"{value:.3g}"):
        if len(candidate) <= width:
            return candidate.rjust(width)
    return f"{value:.1e}"[:width].rjust(width)


def _role(bar: Bar) -> Role:
    return Role.UP if bar.close >= bar.open else Role.DOWN


def candle_canvas(
    bars: Sequence[Bar],
    width: int,
    height: int,
    *,
    interval: Interval = Interval.D1,
    fit: int | None = None,
    title: str = "",
    time_axis: bool = True,
    side: Side = "left",
    overlays: Sequence[tuple[Values, Role]] = (),
    legend: Sequence[tuple[str, Role]] = (),
    levels: Sequence[float] = (),
) -> Canvas:
    """``bars`` as candles in ``width`` x ``height`` cells; with ``fit`` at that many columns per
    candle, else as wide as they fill the plot. The newest bars are kept when not all fit.
    ``overlays``: indicator lines drawn over them, each aligned to the newest of ``bars``;
    ``legend``: their names, on the title row. ``levels``: alert prices, a dashed line under
    the candles and the price on the axis; the scale is the bars' (as TradingView's: a level
    out of view is not drawn rather than squeezing the candles)."""
    grid = Grid(width, height)
    layout = Layout.of(grid.width, side)
    top = 1 if (title or legend) and grid.height else 0
    rows = max(0, grid.height - top - (1 if time_axis else 0))
    if top:
        header(grid, layout, 0, title, legend)
    cols = layout.columns_per_bar(len(bars), fit)
    shown = bars[len(bars) - min(len(bars), layout.plot_width // cols) :] if bars else bars
    if not shown or rows == 0:
        return grid.canvas()
    lines = [(tail(values, len(shown)), role) for values, role in overlays]
    extra = [value for values, _ in lines for value in finite(values)]
    low = min([b.low for b in shown] + extra)
    high = max([b.high for b in shown] + extra)
    halves = 2 * rows

    def half(price: float) -> int:
        if high <= low:
            return (halves - 1) // 2
        return round((price - low) / (high - low) * (halves - 1))

    marks = {top + rows - 1 - half(p) // 2: p for p in sorted(levels) if low <= p <= high}
    for y in marks:
        grid.text(layout.plot_x, y, LEVEL_DASH * layout.plot_width, Role.ALERT)
    body = body_width(cols)
    glyphs = LINE_GLYPHS if cols == 1 else BLOCK_GLYPHS if body == 1 else WIDE_GLYPHS
    for i, bar in enumerate(shown):
        x = layout.plot_x + i * cols
        bottom, top_of_body = sorted((half(bar.open), half(bar.close)))
        spans = (half(bar.low), half(bar.high), bottom, top_of_body)
        _candle(grid, x, body, top + rows - 1, spans, glyphs, _role(bar))
    if lines:
        xs = [layout.plot_x + i * cols + body // 2 for i in range(len(shown))]
        draw_lines(grid, Plot(top, rows, low, high), xs, lines)
    ticks = [t for t in nice_ticks(low, high) if low <= t <= high] or [low]
    labels: dict[int, str] = {}
    for tick in ticks:  # two ticks on one row: the first one keeps it
        labels.setdefault(top + rows - 1 - half(tick) // 2, axis_label(price_label(tick), tick))
    layout.axis(grid, top, rows, labels)
    for y, level in marks.items():  # over the tick label of its row
        grid.text(layout.label_x, y, axis_label(price_label(level), level), Role.ALERT)
    if time_axis:
        _time_labels(grid, layout, shown, cols, body, interval, top + rows)
    return grid.canvas()


def _candle(
    grid: Grid,
    x: int,
    body: int,
    bottom: int,
    halves: tuple[int, int, int, int],
    glyphs: dict[tuple[int, int], str],
    role: Role,
) -> None:
    """One candle: ``halves`` are the half rows (0 = bottom) of low, high, body bottom and body
    top; the wick is the body's middle column, the other body columns show the body only."""
    low, high, body_low, body_high = halves
    wick_x = x + body // 2

    def kind(h: int, wick: bool) -> int:
        if body_low <= h <= body_high:
            return BODY
        return WICK if wick and low <= h <= high else NONE

    for row in range(low // 2, high // 2 + 1):
        for column in range(x, x + body):
            wick = column == wick_x
            pair = (kind(2 * row + 1, wick), kind(2 * row, wick))
            if pair != (NONE, NONE):
                grid.put(column, bottom - row, glyphs[pair], role)


def _time_labels(
    grid: Grid,
    layout: Layout,
    bars: Sequence[Bar],
    cols: int,
    body: int,
    interval: Interval,
    y: int,
) -> None:
    """Time labels centred under their candle, left to right, each only where it keeps
    ``TIME_GAP`` cells from the one before and stays inside the plot."""
    free = layout.plot_x
    end = layout.plot_x + layout.plot_width
    size = len(time_label(bars[0].time, interval))  # one format per interval: one length
    for i, bar in enumerate(bars):
        x = max(layout.plot_x, layout.plot_x + i * cols + body // 2 - size // 2)
        if x >= free and x + size <= end:
            grid.text(x, y, time_label(bar.time, interval))
            free = x + size + TIME_GAP


def volume_canvas(bars: Sequence[Bar], width: int, height: int, *, side: Side = "left") -> Canvas:
    """Volume bars in eighth blocks, in the same columns as ``candle_canvas`` puts the candles
    of the same ``bars`` at the same width; the y axis shows the largest volume."""
    grid = Grid(width, height)
    layout = Layout.of(grid.width, side)
    cols = layout.columns_per_bar(len(bars), None)
    shown = bars[len(bars) - min(len(bars), layout.plot_width // cols) :] if bars else bars
    if not shown or grid.height == 0:
        return grid.canvas()
    top = max(b.volume for b in shown)
    levels = 8 * grid.height
    body = body_width(cols)
    for i, bar in enumerate(shown):
        filled = max(1, round(bar.volume / top * levels)) if top > 0 and bar.volume > 0 else 0
        for row in range(grid.height):
            eighths = min(8, filled - 8 * row)
            if eighths <= 0:
                break
            for column in range(layout.plot_x + i * cols, layout.plot_x + i * cols + body):
                grid.put(column, grid.height - 1 - row, EIGHTHS[eighths - 1], _role(bar))
    layout.axis(grid, 0, grid.height, {0: axis_label(volume_label(top), top)})
    return grid.canvas()
