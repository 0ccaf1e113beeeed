"""Candles and volume as rows of terminal cells: pure layout, no Textual.

Each row is a list of runs ``(text, role)``; the widget (``candles.py``) turns roles into the
theme's styles. Prices get half-cell vertical resolution: a cell shows an upper and a lower
half, so a wick is ``│``, ``╵`` or ``╷`` and a body ``█``, ``▀`` or ``▄``. Volume bars use
eighth blocks. Both plots keep the same left axis width (``Y_LABEL_WIDTH``) and frame, so a
candle and its volume bar share a column.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Literal

from tui_market.models import Bar, Interval
from tui_market.tui.widgets.chart_window import MIN_VISIBLE, Y_LABEL_WIDTH, plot_columns

Role = Literal["up", "down", "axis", "title", ""]
Run = tuple[str, Role]
Row = list[Run]
EIGHTHS = " ▁▂▃▄▅▆▇█"
WICKS = "│╵╷ "  # drawn in the candle's middle column only
LABEL_GAP = 2  # columns between two time labels


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
    ticks: list[float] = []
    value = math.ceil(low / step) * step
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    return ticks or [low]


def fitted(bars: Sequence[Bar], fit: int | None, width: int) -> Sequence[Bar]:
    """The newest ``bars`` that fit ``width`` at ``fit`` columns per candle (all: no fit)."""
    return bars[-max(MIN_VISIBLE, plot_columns(width) // fit) :] if fit else bars


def cols_per_bar(count: int, width: int) -> int:
    """Columns per candle when ``count`` candles share the plot of a ``width`` widget."""
    return max(1, plot_columns(width) // max(1, count))


def _cell(top: str, bottom: str) -> str:
    """One cell from its halves, each "b" (body), "w" (wick) or "" (empty)."""
    if "b" in (top, bottom):
        return "█" if top == bottom else ("▀" if top == "b" else "▄")
    return {("w", "w"): "│", ("w", ""): "╵", ("", "w"): "╷"}.get((top, bottom), " ")


def candle_columns(bars: Sequence[Bar], rows: int, low: float, high: float) -> list[list[str]]:
    """Per bar, its column's cells top to bottom (``rows`` of them) between ``low``..``high``."""
    halves = rows * 2
    span = (high - low) or 1.0

    def half(price: float) -> int:  # 0 = the bottom half-cell
        return min(halves - 1, max(0, int((price - low) / span * (halves - 1) + 0.5)))

    columns = []
    for bar in bars:
        wick_lo, wick_hi = half(bar.low), half(bar.high)
        body_lo, body_hi = sorted((half(bar.open), half(bar.close)))
        kinds = [
            "b" if body_lo <= h <= body_hi else "w" if wick_lo <= h <= wick_hi else ""
            for h in range(halves)
        ]
        columns.append([_cell(kinds[2 * r + 1], kinds[2 * r]) for r in reversed(range(rows))])
    return columns


def _frame(width: int, top: bool, marks: Sequence[int] = ()) -> Run:
    inner = ["─"] * max(0, width - Y_LABEL_WIDTH - 1)
    for mark in marks:
        if 0 <= mark < len(inner):
            inner[mark] = "┬"
    left, right = ("┌", "┐") if top else ("└", "┘")
    return " " * (Y_LABEL_WIDTH - 1) + left + "".join(inner) + right, "axis"


def _plot_rows(
    cells: list[list[str]], roles: Sequence[Role], labels: dict[int, str], width: int, cols: int
) -> list[Row]:
    """Framed rows: the label (or blank) and axis mark, then each bar's cells: a wick in the
    middle column of the candle, anything else (a body, a volume block) across its width."""
    inner = max(0, width - Y_LABEL_WIDTH - 1)
    drawn = max(1, cols - 1) if cols > 1 else 1  # the candle's columns; then one gap
    middle = drawn // 2
    rows: list[Row] = []
    for r in range(len(cells[0]) if cells else 0):
        label = labels.get(r)
        row: Row = [((label or " " * (Y_LABEL_WIDTH - 1)) + ("┤" if label else "│"), "axis")]
        row.append((" ", ""))
        used = 1
        for column, role in zip(cells, roles, strict=True):
            cell = column[r]
            wick = cell in WICKS
            row.append(
                ("".join(cell if not wick or i == middle else " " for i in range(drawn)), role)
            )
            if cols > 1:
                row.append((" ", ""))
            used += cols
        row.append((" " * max(0, inner - used), ""))
        row.append(("│", "axis"))
        rows.append(row)
    return rows


def _empty_rows(width: int, count: int) -> list[Row]:
    blank = " " * (Y_LABEL_WIDTH - 1) + "│" + " " * max(0, width - Y_LABEL_WIDTH - 1) + "│"
    return [[(blank, "axis")] for _ in range(count)]


def candle_rows(
    bars: Sequence[Bar], width: int, height: int, interval: Interval, *, time_axis: bool
) -> list[Row]:
    """The framed candle plot of ``bars`` (all of them drawn) ``width`` x ``height`` cells."""
    if width <= Y_LABEL_WIDTH + 2 or height < 3:
        return [[(" " * max(0, width), "")] for _ in range(max(0, height))]
    plot_height = height - 2 - (1 if time_axis else 0)
    cols = cols_per_bar(len(bars), width)
    rows: list[Row] = [[_frame(width, top=True)]]
    if bars and plot_height > 0:
        low, high = min(b.low for b in bars), max(b.high for b in bars)
        pad = (high - low) * 0.05 or abs(high) * 0.001 or 1.0
        low, high = low - pad, high + pad
        cells = candle_columns(bars, plot_height, low, high)
        labels = {}
        for tick in nice_ticks(low + pad, high - pad):
            r = round((high - tick) / (high - low) * (plot_height - 1))
            if 0 <= r < plot_height:
                labels[r] = price_label(tick)[-(Y_LABEL_WIDTH - 1) :]
        roles: list[Role] = ["up" if b.close >= b.open else "down" for b in bars]
        rows += _plot_rows(cells, roles, labels, width, cols)
    else:
        rows += _empty_rows(width, plot_height)
    placed = time_labels(bars, interval, width, cols) if time_axis else []
    rows.append([_frame(width, top=False, marks=[1 + at for at, _ in placed])])
    if time_axis:
        line = [" "] * width
        for at, text in placed:
            start = max(0, Y_LABEL_WIDTH + 1 + at - len(text) // 2)
            line[start : start + len(text)] = list(text)
        rows.append([("".join(line[:width]), "axis")])
    return rows[:height]


def time_labels(
    bars: Sequence[Bar], interval: Interval, width: int, cols: int
) -> list[tuple[int, str]]:
    """(column in the plot, text) for time labels that fit without touching each other."""
    placed: list[tuple[int, str]] = []
    end = -LABEL_GAP
    for i, bar in enumerate(bars):
        text = time_label(bar.time, interval)
        at = i * cols + max(1, cols - 1) // 2
        start = Y_LABEL_WIDTH + 1 + at - len(text) // 2
        if start >= max(0, end + LABEL_GAP) and start + len(text) <= width:
            placed.append((at, text))
            end = start + len(text)
    return placed


def volume_rows(bars: Sequence[Bar], width: int, height: int) -> list[Row]:
    """Volume bars in eighth blocks under the candles of the same ``bars``, framed alike."""
    if width <= Y_LABEL_WIDTH + 2 or height < 3:
        return [[(" " * max(0, width), "")] for _ in range(max(0, height))]
    plot_height = height - 2
    cols = cols_per_bar(len(bars), width)
    top = max((b.volume for b in bars), default=0.0) or 1.0
    cells = []
    for bar in bars:
        eighths = round(max(0.0, bar.volume) / top * plot_height * 8)
        cells.append(
            [
                EIGHTHS[min(8, max(0, eighths - (plot_height - 1 - r) * 8))]
                for r in range(plot_height)
            ]
        )
    roles: list[Role] = ["up" if b.close >= b.open else "down" for b in bars]
    rows: list[Row] = [[_frame(width, top=True)]]
    if bars:
        rows += _plot_rows(cells, roles, {0: volume_label(top)}, width, cols)
    else:
        rows += _empty_rows(width, plot_height)
    rows.append([_frame(width, top=False)])
    return rows
