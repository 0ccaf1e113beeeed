"""Indicator lines on a chart's cells, apart from any widget: braille dots and a legend.

A cell holds 2 x 4 braille dots, so a line has four times the rows and twice the columns of
the cells it crosses; consecutive values are joined dot by dot, and a missing value (an
indicator still warming up) breaks the line. Where two lines cross one cell, their dots merge
and the later line's colour wins. Lines are drawn over the candles, as charting sites do.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from tui_market.models.indicator import IndicatorSpec
from tui_market.tui.widgets.chart_grid import Grid, Layout, Role

BRAILLE = 0x2800
# DOT[row][column] in a cell: rows top to bottom, columns left to right
DOT = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))
LINE_ROLES = (Role.LINE1, Role.LINE2, Role.LINE3, Role.LINE4)
Values = Sequence[float | None]


@dataclass(frozen=True, slots=True)
class Plot:
    """Cells ``top``..``top + rows - 1`` over prices ``low``..``high`` (top row = high)."""

    top: int
    rows: int
    low: float
    high: float

    def dot_y(self, value: float) -> int:
        dots = 4 * self.rows - 1
        if self.high <= self.low:
            return dots // 2
        return round((self.high - value) / (self.high - self.low) * dots)

    def row_of(self, value: float) -> int:
        return self.top + self.dot_y(value) // 4


def tail(values: Values, count: int) -> list[float | None]:
    """The last ``count`` of ``values`` (aligned to the newest bar), padded in front."""
    last = list(values[max(0, len(values) - count) :])
    return [None] * (count - len(last)) + last


def finite(values: Values) -> list[float]:
    return [v for v in values if v is not None and math.isfinite(v)]


def draw_lines(
    grid: Grid, plot: Plot, xs: Sequence[int], lines: Sequence[tuple[Values, Role]]
) -> None:
    """Each line's values at the cell columns ``xs`` (one per value), joined dot by dot."""
    cells: dict[tuple[int, int], tuple[int, Role]] = {}
    for values, role in lines:
        previous: tuple[int, int] | None = None
        for x, value in zip(xs, values, strict=False):
            if value is None or not math.isfinite(value):
                previous = None
                continue
            point = (2 * x, plot.dot_y(value))
            for dx, dy in _segment(previous or point, point):
                key = (dx // 2, dy // 4)
                bits = cells.get(key, (0, role))[0] | DOT[dy % 4][dx % 2]
                cells[key] = (bits, role)
            previous = point
    for (x, row), (bits, role) in cells.items():
        if 0 <= row < plot.rows:
            grid.put(x, plot.top + row, chr(BRAILLE | bits), role)


def _segment(a: tuple[int, int], b: tuple[int, int]) -> list[tuple[int, int]]:
    """The dots from ``a`` to ``b`` (Bresenham), both ends included."""
    (x0, y0), (x1, y1) = a, b
    dx, dy = abs(x1 - x0), -abs(y1 - y0)
    sx, sy = (1 if x1 >= x0 else -1), (1 if y1 >= y0 else -1)
    error = dx + dy
    out = [(x0, y0)]
    while (x0, y0) != (x1, y1):
        twice = 2 * error
        if twice >= dy:
            error += dy
            x0 += sx
        if twice <= dx:
            error += dx
            y0 += sy
        out.append((x0, y0))
    return out


def header(
    grid: Grid, layout: Layout, y: int, title: str, legend: Sequence[tuple[str, Role]]
) -> None:
    """The legend (each entry in its line's colour) from the plot's left edge, and the title
    centred, or after the legend when the centre is taken."""
    x = layout.plot_x
    for text, role in legend:
        grid.text(x, y, text, role)
        x += len(text) + 2
    if title:
        centred = layout.plot_x + (layout.plot_width - len(title)) // 2
        grid.text(max(x, centred), y, title)


Studied = Sequence[tuple[IndicatorSpec, Sequence[Values]]]


def overlay_layers(
    overlays: Studied, start: int, end: int
) -> tuple[list[tuple[Values, Role]], list[tuple[str, Role]]]:
    """The lines of ``overlays`` for bars ``start:end``, one colour per indicator (a Bollinger
    band's three lines share theirs), and the legend naming them in those colours."""
    lines: list[tuple[Values, Role]] = []
    legend: list[tuple[str, Role]] = []
    for k, (spec, outputs) in enumerate(overlays):
        role = LINE_ROLES[k % len(LINE_ROLES)]
        lines += [(values[start:end], role) for values in outputs]
        legend.append((spec.label, role))
    return lines, legend
