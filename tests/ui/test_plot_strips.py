"""The charts draw plotext's cells directly (``PlotVisual``): the same strips, segment for
segment and style for style, as plotext's ANSI text through Rich and Textual would give."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.visual import Visual, visualize

from tui_market.models import Bar, Interval
from tui_market.tui.widgets.candles import CandleChart, VolumeChart, _ThemedPlot
from tui_market.tui.widgets.plot_strips import PlotVisual

START = int(datetime(2026, 1, 5, tzinfo=UTC).timestamp())


def bars(count: int) -> list[Bar]:
    out = []
    for i in range(count):
        low, high = 95.0 + i % 3, 110.0 + i % 5
        out.append(
            Bar.from_epoch(
                "NASDAQ:AAPL",
                Interval.H1,
                START + i * 3600,
                100.0 + i % 7,
                high,
                low,
                101.0 + (i * 3) % 7,
                1e3 + i,
            )
        )
    return out


class Charts(App[None]):
    def compose(self) -> ComposeResult:
        yield CandleChart(id="candles")
        yield VolumeChart(id="volume")


def strips_both_ways(chart: _ThemedPlot) -> tuple[list[object], list[object]]:
    """(the widget's strips as drawn, the strips of the same figure through ANSI text)."""
    width, height = chart.size
    drawn = chart.render()
    assert isinstance(drawn, PlotVisual)
    direct = Visual.to_strips(chart, drawn, width, height, chart.visual_style)
    ansi = Text.from_ansi(chart.plt.build())  # the same figure, built the PlotextPlot way
    via_text = Visual.to_strips(chart, visualize(chart, ansi), width, height, chart.visual_style)
    return [list(s) for s in direct], [list(s) for s in via_text]


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
@pytest.mark.parametrize("count", [0, 1, 53, 300])
async def test_plot_visual_draws_what_the_ansi_path_draws(theme: str, count: int) -> None:
    app = Charts()
    async with app.run_test(size=(120, 30)) as pilot:
        app.theme = theme
        candles, volume = app.query_one(CandleChart), app.query_one(VolumeChart)
        candles.show(bars(count), Interval.H1, title="AAPL 1h" if count == 1 else "")
        volume.show(bars(count))
        await pilot.pause()
        for chart in (candles, volume):
            direct, via_text = strips_both_ways(chart)
            assert len(direct) == chart.size.height
            assert direct == via_text
