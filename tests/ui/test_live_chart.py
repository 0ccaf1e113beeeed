"""The Ticker's LiveChart builds its plotext figure in a thread worker; the screen's update pass
only draws the finished figure, which equals what CandleChart draws in place."""

from __future__ import annotations

import gc

from textual.app import App, ComposeResult

from tui_market.models import Bar, Interval
from tui_market.tui.widgets.candles import CandleChart
from tui_market.tui.widgets.live_chart import GROUP, Figure, LiveChart, build_figure
from tui_market.tui.widgets.plot_strips import PlotVisual

BARS = [
    Bar.from_epoch(
        "NASDAQ:AAPL",
        Interval.M1,
        1_700_000_000 + 60 * i,
        100 + i % 7,
        108,
        99,
        100 + i % 3,
        1000 + i,
    )
    for i in range(80)
]


class _Charts(App[None]):
    CSS = "CandleChart { height: 16; }"

    def compose(self) -> ComposeResult:
        yield LiveChart(id="live")
        yield CandleChart(id="in-place")


async def test_the_figure_is_built_in_a_thread_and_drawn_as_candle_chart_draws_it() -> None:
    app = _Charts()
    async with app.run_test(size=(100, 34)) as pilot:
        live, in_place = app.query_one(LiveChart), app.query_one("#in-place", CandleChart)
        in_place.time_axis = False
        await pilot.pause()
        live.show(BARS, Interval.M1, "AAPL 1m", fit=2)
        in_place.show(BARS, Interval.M1, "AAPL 1m", fit=2)
        workers = [w for w in app.workers if w.group == GROUP]
        assert len(workers) == 1 and workers[0]._thread_worker
        await workers[0].wait()
        await pilot.pause()
        built = workers[0].result
        assert live.render() is built  # the update pass draws the thread's figure, no rebuild
        drawn = in_place.render()
        assert isinstance(built, PlotVisual) and isinstance(drawn, PlotVisual)
        assert built.rows == drawn.rows and any(text.strip() for text, _ in built.rows[0])


async def test_a_show_during_a_build_is_built_after_it_and_the_newest_wins() -> None:
    app = _Charts()
    async with app.run_test(size=(100, 34)) as pilot:
        live = app.query_one(LiveChart)
        await pilot.pause()
        live.show(BARS[:40], Interval.M1, "first", fit=2)
        live.show(BARS[:50], Interval.M1, "second", fit=2)
        live.show(BARS, Interval.M1, "third", fit=2)
        while [w for w in app.workers if w.group == GROUP and not w.is_finished]:
            await pilot.pause(0.02)
        await pilot.pause()
        figure = live.render()
        assert isinstance(figure, PlotVisual)
        assert "third" in "".join(text for text, _ in figure.rows[0])
        assert len([w for w in app.workers if w.group == GROUP]) <= 2  # "second" skipped


def test_a_built_figure_leaves_no_cyclic_garbage() -> None:
    figure = Figure(
        tuple(BARS[-50:]),
        Interval.M1,
        "t",
        100,
        16,
        ((0, 200, 0), (200, 0, 0)),
        "default",
        False,
        None,
    )
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        built = build_figure(figure)
        gc.collect()
        plotext = [o for o in gc.garbage if type(o).__module__.startswith("plotext")]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert isinstance(built, PlotVisual) and built.rows and plotext == []


def test_a_figure_draws_the_same_whatever_was_drawn_before() -> None:
    """Cell styles are decoded from plotext's ANSI codes; a decoder shared between figures
    kept the last colour, which then coloured the blank cells of the next figure."""
    from tui_market.tui.widgets import plot_strips

    def after(colour: tuple[int, int, int]) -> object:
        for spec in (
            Figure(
                tuple(BARS[-30:]),
                Interval.M1,
                "a",
                60,
                12,
                (colour, colour),
                "default",
                False,
                None,
            ),
            Figure(
                tuple(BARS[-40:]),
                Interval.M1,
                "b",
                80,
                14,
                ((1, 2, 3), (4, 5, 6)),
                "dark",
                False,
                None,
            ),
        ):
            plot_strips._STYLES.clear()  # every style decoded again
            built = build_figure(spec)
        assert isinstance(built, PlotVisual)
        return built.rows

    assert after((0, 200, 0)) == after((200, 0, 200))
