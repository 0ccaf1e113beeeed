"""The chart canvas (pure: no app): where a bar's prices land, roles, axes and labels."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from itertools import pairwise

import pytest

from tui_market.models import Bar, Interval
from tui_market.tui.widgets.candle_canvas import EIGHTHS, candle_canvas, volume_canvas
from tui_market.tui.widgets.chart_grid import Canvas, Layout, Role
from tui_market.tui.widgets.chart_labels import nice_ticks
from tui_market.tui.widgets.chart_window import Y_LABEL_WIDTH, plot_columns

START = int(datetime(2026, 1, 5, tzinfo=UTC).timestamp())
PLOT_X = Layout.of(80).plot_x
# What each glyph shows in its (upper, lower) half: "b" body, "w" wick, "" nothing.
HALVES = {
    "█": ("b", "b"), "▀": ("b", ""), "▄": ("", "b"),
    "┃": ("b", "b"), "╹": ("b", ""), "╻": ("", "b"),
    "│": ("w", "w"), "╵": ("w", ""), "╷": ("", "w"),
    "╿": ("b", "w"), "╽": ("w", "b"),
}  # fmt: skip


def bar(i: int, o: float, h: float, low: float, c: float, v: float = 1e3) -> Bar:
    return Bar.from_epoch("X:Y", Interval.H1, START + 3600 * i, o, h, low, c, v)


def column(canvas: Canvas, x: int, rows: range) -> list[str]:
    """Half rows of column ``x``, bottom first: what each holds ("b", "w" or "")."""
    halves: list[str] = []
    for y in reversed(rows):
        upper, lower = HALVES.get(canvas.lines()[y][x], ("", ""))
        halves += [lower, upper]
    return halves


def test_prices_land_on_their_half_rows() -> None:
    # 10 rows = 20 half rows over 100..119: one price unit per half row.
    bars = [bar(0, 105, 119, 100, 110), bar(1, 112, 113, 103, 104)]
    canvas = candle_canvas(bars, 80, 10, time_axis=False, fit=1)
    first = column(canvas, PLOT_X, range(10))
    assert first == ["w"] * 5 + ["b"] * 6 + ["w"] * 9  # low 100, body 105-110, high 119
    second = column(canvas, PLOT_X + 1, range(10))
    assert second == [""] * 3 + ["w"] + ["b"] * 9 + ["w"] + [""] * 6  # 103 / 104-112 / 113


def test_prices_between_half_rows_go_to_the_nearest() -> None:
    # 20 half rows over 100..110: 19 steps of 10/19; 104 is at 7.6 and 106 at 11.4.
    canvas = candle_canvas([bar(0, 104, 110, 100, 106)], 80, 10, time_axis=False, fit=1)
    assert column(canvas, PLOT_X, range(10)) == ["w"] * 8 + ["b"] * 4 + ["w"] * 8


def test_up_and_down_bars_get_their_roles() -> None:
    bars = [bar(0, 100, 112, 99, 110), bar(1, 110, 111, 95, 96)]
    canvas = candle_canvas(bars, 80, 10, time_axis=False, fit=2)
    for x, role in ((PLOT_X, Role.UP), (PLOT_X + 2, Role.DOWN)):
        marks = [y for y in range(10) if canvas.lines()[y][x] != " "]
        assert marks and {canvas.role_at(x, y) for y in marks} == {role}
    assert canvas.role_at(0, 0) is Role.AXIS


def test_wider_zoom_draws_wider_bodies_with_a_gap() -> None:
    bars = [bar(i, 100, 110, 90, 105) for i in range(5)]
    canvas = candle_canvas(bars, 80, 8, time_axis=False, fit=4)
    row = canvas.lines()[3]  # inside every body
    assert row[PLOT_X : PLOT_X + 8] == "███ ███ "


def test_volume_heights_are_proportional_and_in_the_candle_columns() -> None:
    bars = [bar(0, 1, 2, 1, 2, v=400), bar(1, 2, 2, 1, 1, v=200), bar(2, 1, 2, 1, 2, v=50)]
    candles = candle_canvas(bars, 80, 10, time_axis=False)
    volume = volume_canvas(bars, 80, 4)
    eighths = []
    for i in range(3):
        x = PLOT_X + i * 8 + 3  # wick column of 8 columns per bar (7-wide body)
        assert candles.lines()[9][x] != " "
        cells = [volume.lines()[y][x] for y in range(4)]
        eighths.append(sum(EIGHTHS.index(c) + 1 for c in cells if c != " "))
    assert eighths == [32, 16, 4]  # 4 rows x 8 eighths for the largest
    assert volume.role_at(PLOT_X, 3) is Role.UP and volume.role_at(PLOT_X + 8, 3) is Role.DOWN
    assert volume.lines()[0].startswith("      400┤")


def test_y_labels_at_nice_ticks_and_one_per_row() -> None:
    bars = [bar(i, 100 + i, 120 + i, 95 + i, 110 + i) for i in range(20)]
    for height in (3, 6, 24):
        canvas = candle_canvas(bars, 80, height, time_axis=False)
        labels = [line[: Y_LABEL_WIDTH - 1].strip() for line in canvas.lines()]
        values = [float(text.replace(",", "")) for text in labels if text]
        assert values and set(values) <= set(nice_ticks(95, 139))
        assert values == sorted(values, reverse=True)  # top row highest, none repeated
        ticks = [
            line[Y_LABEL_WIDTH - 1]
            for line, text in zip(canvas.lines(), labels, strict=True)
            if text
        ]
        assert set(ticks) == {"┤"}


def test_labels_match_and_never_overlap_on_the_time_axis() -> None:
    bars = [bar(i, 100, 110, 90, 105) for i in range(110)]
    for width in (30, 60, 123):
        canvas = candle_canvas(bars, width, 8, interval=Interval.H1, fit=1)
        axis = canvas.lines()[-1]
        found = list(re.finditer(r"\d\d-\d\d \d\d:\d\d", axis))
        assert found and len(axis) == width
        assert re.sub(r"\d\d-\d\d \d\d:\d\d", "", axis).strip() == ""  # no cut label
        assert all(b.start() - a.end() >= 2 for a, b in pairwise(found))


@pytest.mark.parametrize("fit", [1, 2, None])
def test_a_flat_bar_is_a_single_mark(fit: int | None) -> None:
    canvas = candle_canvas([bar(0, 100, 100, 100, 100)], 40, 6, time_axis=False, fit=fit)
    marks = [ch for line in canvas.lines() for ch in line[PLOT_X:] if ch != " "]
    assert len(set(marks)) == 1 and marks[0] in "▀▄╹╻"
    assert len(marks) == (7 if fit is None else 1)  # alone, a bar is drawn at the widest zoom


@pytest.mark.parametrize("width, height", [(0, 0), (3, 5), (9, 2), (80, 1), (80, 0)])
def test_tiny_sizes_and_no_bars_draw_without_error(width: int, height: int) -> None:
    bars = [bar(i, 100, 110, 90, 105) for i in range(30)]
    for canvas in (
        candle_canvas(bars, width, height, title="X:Y 1h"),
        candle_canvas([], width, height),
        volume_canvas(bars, width, height),
        volume_canvas([], width, height),
    ):
        assert len(canvas.rows) == height and all(len(line) == width for line in canvas.lines())


def test_no_bars_is_an_empty_frame_with_its_title() -> None:
    canvas = candle_canvas([], 60, 5, title="no symbols")
    assert len(canvas.lines()) == 5 and "no symbols" in canvas.lines()[0]
    assert "".join(canvas.lines()[1:]).strip() == ""


def test_the_newest_bars_that_fit_are_drawn() -> None:
    bars = [bar(i, 100, 110, 90, 105) for i in range(200)] + [bar(200, 50, 200, 40, 150)]
    canvas = candle_canvas(bars, 60, 10, time_axis=False, fit=1)
    columns = plot_columns(60)
    last = PLOT_X + columns - 1
    assert canvas.lines()[0][last] != " "  # the tallest, newest bar at the right edge
    assert all(line[last + 1 :].strip() == "" for line in canvas.lines())


def test_an_alert_level_is_a_dashed_row_under_the_candles_with_its_price_on_the_axis() -> None:
    # 10 rows = 20 half rows over 100..119: 107 is half row 7, so row 10 - 1 - 7 // 2 = 6
    bars = [bar(0, 105, 119, 100, 110), bar(1, 112, 113, 103, 104)]
    canvas = candle_canvas(bars, 80, 10, time_axis=False, fit=1, levels=(107.0,))
    plain = candle_canvas(bars, 80, 10, time_axis=False, fit=1)
    line = canvas.lines()[6]
    plot = line[PLOT_X : PLOT_X + Layout.of(80).plot_width]
    assert plot[:2] == plain.lines()[6][PLOT_X : PLOT_X + 2]  # the candles stay on top
    assert set(plot[2:]) == {"╌"} and canvas.role_at(PLOT_X + 2, 6) is Role.ALERT
    assert line[: Y_LABEL_WIDTH - 1].strip() == "107.00"
    assert canvas.role_at(0, 6) is Role.ALERT
    others = [y for y in range(10) if y != 6]
    assert [canvas.lines()[y] for y in others] == [plain.lines()[y] for y in others]


def test_a_level_out_of_view_is_not_drawn_and_does_not_rescale() -> None:
    bars = [bar(0, 105, 119, 100, 110)]
    plain = candle_canvas(bars, 80, 10, time_axis=False)
    assert candle_canvas(bars, 80, 10, time_axis=False, levels=(99.0, 150.0)) == plain
