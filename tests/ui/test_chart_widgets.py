"""The chart widgets in a real app: theme colours on the candles, the cache, the live chart
drawn in place (no worker, no time axis)."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.segment import Segment
from textual.app import App, ComposeResult
from textual.color import Color
from textual.strip import Strip
from textual.theme import Theme

from tui_market.models import Bar, Interval
from tui_market.tui.widgets.candles import CandleChart, VolumeChart
from tui_market.tui.widgets.live_chart import LiveChart

START = int(datetime(2026, 1, 5, tzinfo=UTC).timestamp())
UP, DOWN = "#00FF00", "#FF00FF"
THEME = Theme(
    name="chart-test",
    primary="#0178D4",
    dark=True,
    variables={"candle-up": UP, "candle-down": DOWN},
)
# An up bar (100 -> 110), then a down bar (110 -> 95).
BARS = [
    Bar.from_epoch("X:Y", Interval.H1, START, 100, 112, 99, 110, 500),
    Bar.from_epoch("X:Y", Interval.H1, START + 3600, 110, 111, 94, 95, 300),
]


class Charts(App[None]):
    CSS = "CandleChart { height: 10; } VolumeChart { height: 3; }"

    def compose(self) -> ComposeResult:
        yield CandleChart(id="candles")
        yield VolumeChart(id="volume")
        yield LiveChart(id="live")

    def on_mount(self) -> None:
        self.register_theme(THEME)
        self.theme = THEME.name


def coloured(strips: list[Strip], colour: str) -> list[Segment]:
    """The segments of ``strips`` drawn in ``colour`` (a hex colour)."""
    wanted = Color.parse(colour).rich_color
    return [s for strip in strips for s in strip if s.style and s.style.color == wanted]


def lines(chart: CandleChart | VolumeChart) -> list[Strip]:
    return [chart.render_line(y) for y in range(chart.size.height)]


async def test_candles_and_volume_paint_in_the_theme_colours() -> None:
    app = Charts()
    async with app.run_test(size=(80, 30)) as pilot:
        candles, volume = app.query_one(CandleChart), app.query_one(VolumeChart)
        candles.show(BARS, Interval.H1)
        volume.show(BARS)
        await pilot.pause()
        for chart in (candles, volume):
            up, down = coloured(lines(chart), UP), coloured(lines(chart), DOWN)
            assert up and down
            assert {c for s in up for c in s.text} <= set("█▀▄╿╽│╵╷▁▂▃▄▅▆▇")
        # The first candle is the up one: its body's cells are the leftmost coloured ones.
        body = next(y for y, strip in enumerate(lines(candles)) if "█" in strip.text)
        first = next(s for s in lines(candles)[body] if s.text.strip() and "█" in s.text)
        assert first.style is not None and first.style.color == Color.parse(UP).rich_color
        # Through the compositor: the screen as painted holds the up colour.
        assert UP.lower() in app.export_screenshot().lower()


async def test_a_theme_change_recolours_without_new_bars() -> None:
    app = Charts()
    async with app.run_test(size=(80, 30)) as pilot:
        candles = app.query_one(CandleChart)
        candles.show(BARS, Interval.H1)
        await pilot.pause()
        assert coloured(lines(candles), UP)
        app.theme = "textual-light"  # no candle-up: falls back to $success
        await pilot.pause()
        assert not coloured(lines(candles), UP)
        assert coloured(lines(candles), app.theme_variables["success"])


async def test_strips_are_computed_once_per_bars_and_size() -> None:
    app = Charts()
    async with app.run_test(size=(80, 30)) as pilot:
        candles = app.query_one(CandleChart)
        candles.show(BARS, Interval.H1)
        await pilot.pause()
        first = candles.strips()
        assert candles.strips() is first  # a repaint hands the same strips out
        candles.show(BARS[:1], Interval.H1)
        assert candles.strips() is not first
        await pilot.resize_terminal(60, 30)
        await pilot.pause()
        assert all(strip.cell_length == candles.size.width for strip in candles.strips())


async def test_the_live_chart_draws_in_place_without_a_time_axis() -> None:
    app = Charts()
    async with app.run_test(size=(80, 30)) as pilot:
        live = app.query_one(LiveChart)
        live.show(BARS, Interval.H1, "X:Y 1h", fit=2)
        assert not [w for w in app.workers if not w.is_finished]
        await pilot.pause()
        drawn = [strip.text for strip in lines(live)]
        assert "X:Y 1h" in drawn[0] and coloured(lines(live), UP)
        assert "01-05" not in "".join(drawn)  # no time labels
        assert sum("█" in line or "┃" in line for line in drawn) >= 2
        live.show([], Interval.H1, "no symbols")
        await pilot.pause()
        drawn = [strip.text for strip in lines(live)]
        assert "no symbols" in drawn[0] and not "".join(drawn[1:]).strip()
