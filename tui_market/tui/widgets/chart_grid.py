"""The cells a chart is drawn into, apart from any widget: characters and roles, then runs.

A cell's role says what it shows (axis text, an up candle, a down candle), not its colour: the
widget maps roles to the theme's colours, so a theme change never redraws the cells.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Literal

from tui_market.tui.widgets.chart_window import (
    MIN_VISIBLE,
    Y_LABEL_WIDTH,
    ZOOM_LEVELS,
    plot_columns,
)

Side = Literal["left", "right"]
GAP = 1  # blank column between the y axis and the candles
MAX_COLS_PER_BAR = ZOOM_LEVELS[-1]


class Role(IntEnum):
    AXIS = 0  # labels, axis lines, title and blanks: the widget's own style
    UP = 1
    DOWN = 2
    LINE1 = 3  # indicator lines, in the theme's $indicator-1 .. $indicator-4
    LINE2 = 4
    LINE3 = 5
    LINE4 = 6
    ALERT = 7  # an alert's level: a dashed line and its price on the axis, in $warning


Run = tuple[str, Role]


@dataclass(frozen=True, slots=True)
class Canvas:
    """Rows of runs, top row first; every row is ``width`` cells."""

    width: int
    rows: tuple[tuple[Run, ...], ...]

    def lines(self) -> list[str]:
        return ["".join(text for text, _ in row) for row in self.rows]

    def role_at(self, x: int, y: int) -> Role:
        for text, role in self.rows[y]:
            if x < len(text):
                return role
            x -= len(text)
        raise IndexError(x)


class Grid:
    """Cells being drawn; writes outside the grid are dropped (a chart narrower than its axis
    draws what fits)."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = max(0, width), max(0, height)
        self.chars = [[" "] * self.width for _ in range(self.height)]
        self.roles = [[Role.AXIS] * self.width for _ in range(self.height)]

    def put(self, x: int, y: int, char: str, role: Role = Role.AXIS) -> None:
        if 0 <= x < self.width and 0 <= y < self.height:
            self.chars[y][x] = char
            self.roles[y][x] = role

    def text(self, x: int, y: int, text: str, role: Role = Role.AXIS) -> None:
        for offset, char in enumerate(text):
            self.put(x + offset, y, char, role)

    def canvas(self) -> Canvas:
        rows: list[tuple[Run, ...]] = []
        for chars, roles in zip(self.chars, self.roles, strict=True):
            runs: list[Run] = []
            start = 0
            for x in range(1, self.width + 1):
                if x == self.width or roles[x] != roles[start]:
                    runs.append(("".join(chars[start:x]), roles[start]))
                    start = x
            rows.append(tuple(runs))
        return Canvas(self.width, tuple(rows))


@dataclass(frozen=True, slots=True)
class Layout:
    """Where the plot and the y axis go in a chart ``width`` cells wide."""

    plot_x: int  # first column of the plot
    plot_width: int
    axis_x: int  # the axis line; labels are beside it, away from the plot
    label_x: int
    side: Side

    @classmethod
    def of(cls, width: int, side: Side = "left") -> Layout:
        # plot_columns is what the owners size their window of bars by: the plot must be
        # exactly that wide so their columns per candle land on whole cells.
        plot = max(0, min(plot_columns(width), width - Y_LABEL_WIDTH - GAP))
        if side == "left":
            return cls(Y_LABEL_WIDTH + GAP, plot, Y_LABEL_WIDTH - 1, 0, side)
        axis = width - Y_LABEL_WIDTH
        return cls(axis - GAP - plot, plot, axis, axis + 1, side)

    def axis(self, grid: Grid, top: int, rows: int, labels: dict[int, str]) -> None:
        """The axis line over ``rows`` rows from ``top``, with ``labels`` by row."""
        line, tick = ("│", "┤") if self.side == "left" else ("│", "├")
        for y in range(top, top + rows):
            label = labels.get(y)
            grid.put(self.axis_x, y, line if label is None else tick)
            if label is not None:
                grid.text(self.label_x, y, label[-(Y_LABEL_WIDTH - 1) :].rjust(Y_LABEL_WIDTH - 1))

    def columns_per_bar(self, count: int, fit: int | None) -> int:
        """``fit`` when given (narrower only so that ``MIN_VISIBLE`` bars fit), else as wide
        as the bars fill the plot, at most the widest zoom."""
        if fit:
            return max(1, min(fit, self.plot_width // max(1, min(count, MIN_VISIBLE))))
        return min(MAX_COLS_PER_BAR, max(1, self.plot_width // max(1, count)))


def body_width(cols_per_bar: int) -> int:
    """Columns of a candle's body: odd, so the wick has a middle column, and one column of
    gap at least from 2 columns per bar up, so neighbours stay apart."""
    if cols_per_bar <= 2:
        return 1
    return cols_per_bar - 1 if (cols_per_bar - 1) % 2 else cols_per_bar - 2
