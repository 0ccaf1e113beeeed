"""Indicator lines and the oscillator panel as cells (pure: no app)."""

from __future__ import annotations

from datetime import UTC, datetime

from tui_market.models import Bar, Interval
from tui_market.models.indicator import parse_specs
from tui_market.tui.widgets.candle_canvas import candle_canvas
from tui_market.tui.widgets.chart_grid import Layout, Role
from tui_market.tui.widgets.chart_lines import BRAILLE, overlay_layers, tail
from tui_market.tui.widgets.panel_canvas import Oscillator, panel_canvas

START = int(datetime(2026, 1, 5, tzinfo=UTC).timestamp())
PLOT_X = Layout.of(80).plot_x


def bar(i: int, price: float) -> Bar:
    return Bar.from_epoch("X:Y", Interval.H1, START + 3600 * i, price, price + 1, price - 1, price)


def braille_rows(lines: list[str], x: int) -> list[int]:
    return [y for y, line in enumerate(lines) if BRAILLE <= ord(line[x]) <= BRAILLE + 0xFF]


def test_a_line_is_drawn_over_its_candles_in_its_colour_with_a_legend() -> None:
    bars = [bar(i, 100 + i) for i in range(10)]
    high_line = [None, None] + [120.0] * 8  # above every candle: the top row, warmed up at 2
    canvas = candle_canvas(
        bars, 80, 12, fit=2, time_axis=False,
        overlays=[(high_line, Role.LINE1)], legend=[("EMA 21", Role.LINE1)],
    )  # fmt: skip
    lines = canvas.lines()
    assert lines[0][PLOT_X : PLOT_X + 6] == "EMA 21"
    assert canvas.role_at(PLOT_X, 0) is Role.LINE1
    assert braille_rows(lines, PLOT_X) == []  # no value yet under the first two candles
    x = PLOT_X + 2 * 5  # the sixth candle
    assert braille_rows(lines, x) == [1]  # 120 is the top of the range: the first plot row
    assert canvas.role_at(x, 1) is Role.LINE1
    assert "120.00" in lines[1]  # the range grew to take the line in


def test_lines_align_to_the_newest_bar() -> None:
    assert tail([1.0, 2.0, 3.0], 2) == [2.0, 3.0]
    assert tail([3.0], 3) == [None, None, 3.0]
    spec = parse_specs("bb:20,2, ema:9")
    layers, legend = overlay_layers(
        [(spec[0], [[1.0, 2.0, 3.0]] * 3), (spec[1], [[4.0, 5.0, 6.0]])], 1, 3
    )
    assert [role for _, role in layers] == [Role.LINE1] * 3 + [Role.LINE2]
    assert layers[3][0] == [5.0, 6.0]
    assert legend == [("BB 20 2", Role.LINE1), ("EMA 9", Role.LINE2)]


def test_panel_bands_rsi_guides_and_macd_histogram() -> None:
    rsi, macd = parse_specs("rsi:14, macd")
    count = 20
    oscillators = [
        Oscillator(rsi, [[None] * 5 + [50.0] * 15]),
        Oscillator(macd, [[1.0] * count, [0.5] * count, [0.5] * 10 + [-0.5] * 10]),
    ]
    canvas = panel_canvas(oscillators, count, 80, 12, fit=2)
    lines = canvas.lines()
    assert lines[0][PLOT_X:].startswith("RSI 14 50.00")
    assert lines[6][PLOT_X:].startswith("MACD 12 26 9 1.00 0.50 -0.50")
    assert any(line.lstrip().startswith("70┤") for line in lines[1:6])
    assert any(line.lstrip().startswith("30┤") for line in lines[1:6])
    first, last = PLOT_X, PLOT_X + 2 * (count - 1)
    up = [y for y in range(7, 12) if canvas.role_at(first, y) is Role.UP]
    down = [y for y in range(7, 12) if canvas.role_at(last, y) is Role.DOWN]
    assert up and down and max(up) <= min(down)  # positive above the zero row, negative below
