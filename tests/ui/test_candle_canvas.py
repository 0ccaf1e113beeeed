"""Our own candle and volume drawing (``candle_canvas``: pure; ``candles``: the widgets)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from textual.app import App, ComposeResult
from textual.color import Color

from tui_market.models import Bar, Interval
from tui_market.tui.widgets.candle_canvas import (
    candle_columns,
    candle_rows,
    time_labels,
    volume_rows,
)
from tui_market.tui.widgets.candles import CandleChart
from tui_market.tui.widgets.chart_window import Y_LABEL_WIDTH

T0 = datetime(2026, 11, 2, 14, 30, tzinfo=UTC)


def bar(i: int, o: float, h: float, low: float, c: float, v: float = 10.0) -> Bar:
    return Bar(
        symbol="NASDAQ:AAPL", interval=Interval.H1, time=T0 + timedelta(hours=i),
        open=o, high=h, low=low, close=c, volume=v,
    )  # fmt: skip


def text(row: list[tuple[str, str]]) -> str:
    return "".join(t for t, _ in row)


def test_a_candle_lands_on_its_half_cells() -> None:
    """10 half-cells for prices 10..19: wick 10..19, body 13..16, read top to bottom."""
    assert candle_columns([bar(0, 13, 19, 10, 16)], 5, 10.0, 19.0) == [["│", "▄", "█", "▀", "│"]]
    assert candle_columns([bar(0, 14, 16, 13, 15)], 5, 10.0, 19.0) == [[" ", "╷", "█", "╵", " "]]


def test_a_flat_bar_is_one_mark_and_a_body_hides_no_wick_end() -> None:
    (column,) = candle_columns([bar(0, 15, 15, 15, 15)], 5, 10.0, 19.0)
    assert [c for c in column if c != " "] == ["▀"]  # half 5: the upper half of row 2


def test_up_and_down_candles_get_their_roles() -> None:
    rows = candle_rows(
        [bar(0, 11, 13, 10, 12), bar(1, 12, 13, 10, 11)], 40, 8, Interval.H1, time_axis=False
    )
    roles = {role for row in rows for t, role in row if t.strip()}
    assert {"up", "down", "axis"} <= roles
    up_cells = [t for row in rows for t, role in row if role == "up" and t.strip()]
    down_cells = [t for row in rows for t, role in row if role == "down" and t.strip()]
    assert up_cells and down_cells


def test_every_row_is_exactly_the_width_and_the_frame_closes() -> None:
    bars = [bar(i, 100 + i, 102 + i, 99 + i, 101 + i) for i in range(30)]
    rows = candle_rows(bars, 90, 14, Interval.H1, time_axis=True)
    assert len(rows) == 14
    assert all(len(text(row)) == 90 for row in rows)
    assert text(rows[0]).strip().startswith("┌") and text(rows[-2]).strip().startswith("└")
    labelled = [text(row)[: Y_LABEL_WIDTH - 1].strip() for row in rows[1:-2]]
    prices = [float(label.replace(",", "")) for label in labelled if label]
    assert prices and prices == sorted(prices, reverse=True)  # nice ticks, top to bottom


def test_time_labels_never_touch() -> None:
    bars = [bar(i, 11, 12, 10, 11) for i in range(200)]
    placed = time_labels(bars, Interval.H1, 120, 1)
    assert len(placed) >= 3
    for (a, first), (b, _) in itertools.pairwise(placed):
        assert b - len(first) // 2 - (a + len(first) - len(first) // 2) >= 2


def test_volume_is_proportional_in_eighths() -> None:
    rows = volume_rows([bar(0, 11, 12, 10, 12, v=100), bar(1, 12, 12, 10, 11, v=50)], 40, 6)
    plot = [text(row) for row in rows[1:-1]]
    assert [line[Y_LABEL_WIDTH + 1] for line in plot] == ["█"] * 4  # the first, the highest
    assert plot[0].startswith("100".rjust(Y_LABEL_WIDTH - 1) + "┤")
    roles = {role for row in rows for t, role in row if "█" in t}
    assert roles == {"up", "down"}
    columns = {i: [line[i] for line in plot] for i in range(Y_LABEL_WIDTH + 1, 39)}
    heights = sorted({col.count("█") for col in columns.values() if "█" in col})
    assert heights == [2, 4]


def test_nothing_to_draw_or_no_room_draws_blank_without_error() -> None:
    assert all(len(text(r)) == 40 for r in candle_rows([], 40, 6, Interval.D1, time_axis=True))
    assert (
        candle_rows([bar(0, 11, 12, 10, 11)], 5, 3, Interval.D1, time_axis=True)
        == [[("     ", "")]] * 3
    )
    assert volume_rows([], 8, 2) == [[("        ", "")]] * 2


class ChartApp(App[None]):
    def compose(self) -> ComposeResult:
        yield CandleChart(id="c")


async def test_the_widget_paints_an_up_candle_in_the_theme_up_colour() -> None:
    app = ChartApp()
    async with app.run_test(size=(60, 12)) as pilot:
        chart = app.query_one(CandleChart)
        chart.show([bar(0, 11, 14, 10, 13), bar(1, 13, 14, 11, 12)], Interval.H1)
        await pilot.pause()
        variables = app.theme_variables
        up = Color.parse(variables.get("candle-up") or variables["success"]).rich_color
        down = Color.parse(variables.get("candle-down") or variables["error"]).rich_color
        colours = {
            (segment.style.color if segment.style else None)
            for y in range(chart.size.height)
            for segment in chart.render_line(y)
            if any(block in segment.text for block in "█▀▄")
        }
        assert up in colours and down in colours
