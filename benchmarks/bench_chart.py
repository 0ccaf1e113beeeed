"""The cost of one chart frame: our canvas against plotext, the way the Ticker's chart redraws;
and (``--history``) what each indicator adds to a History paint of a 5,000-bar series.

    python benchmarks/bench_chart.py                                  # this tree: the canvas
    python benchmarks/bench_chart.py --history                        # indicators on History
    PYTHONPATH=/tmp/old:/tmp/plotext python benchmarks/bench_chart.py  # before (plotext)

The tree from before: ``git archive df9b5a1 | tar -x -C /tmp/old``; plotext, no longer a
dependency: ``pip install --no-deps --target /tmp/plotext plotext==5.3.2 textual-plotext==1.0.1``.
Run both in the same session, alternating. A frame is 120 candles in 133 x 20 cells (one
column per candle), a new window of bars each frame (a live chart shifting by one bar), 100
frames per run, 5 runs; the figure is the median ms per frame over the runs (min and max of the
runs beside it).

- canvas: ``candle_canvas`` (cells and roles as runs), and the same plus ``canvas_strips``
  (Textual strips, what the widget hands to the compositor).
- plotext: ``draw_candles`` on a fresh figure and ``plot_visual`` (plotext's cell matrix as
  runs: the old widget's work before Textual made strips of them), with and without the time axis.

``--history``: what indicators cost History after a load of 5,000 bars (a candle chart of
133 x 16 cells: the bars of one screen at 1 column each). Two parts, each the median
over the runs: computing them over the whole series (``IndicatorSet.extend``, once per load,
in a thread worker: ``tui/screens/history_studies.py``), and the paint: the candle canvas with
their lines over the bars shown, the RSI/MACD panel and the strips, against the same paint
without indicators; what an indicator adds to the paint is the goal (under 20 ms).
"""

from __future__ import annotations

import argparse
import importlib
import math
import platform
import statistics
import sys
import time
from collections.abc import Callable

from tui_market.models import Bar, Interval

WIDTH, HEIGHT, CANDLES = 133, 20, 120
Frame = Callable[[list[Bar], bool], object]


def series(count: int) -> list[Bar]:
    bars = []
    for i in range(count):
        mid = 100 + 10 * math.sin(i / 7)
        open_, close = mid + (i % 5) * 0.3, mid + ((i * 3) % 7) * 0.2
        high, low = max(open_, close) + 1 + i % 3, min(open_, close) - 1 - i % 2
        bars.append(
            Bar.from_epoch("X:Y", Interval.M1, 1_700_000_000 + 60 * i, open_, high, low, close, 1e3)
        )
    return bars


def canvas_frames() -> dict[str, Frame]:
    from rich.style import Style

    from tui_market.tui.widgets.candle_canvas import candle_canvas
    from tui_market.tui.widgets.candles import canvas_strips
    from tui_market.tui.widgets.chart_grid import Role

    styles = {Role.AXIS: Style(), Role.UP: Style(color="green"), Role.DOWN: Style(color="red")}

    def canvas(bars: list[Bar], axis: bool) -> object:
        return candle_canvas(bars, WIDTH, HEIGHT, interval=Interval.M1, fit=1, time_axis=axis)

    def strips(bars: list[Bar], axis: bool) -> object:
        return canvas_strips(canvas(bars, axis), styles)

    return {"canvas": canvas, "canvas + strips": strips}


def plotext_frames() -> dict[str, Frame]:
    # Only in a tree from before: imported by name, so this tree's linters need neither.
    Plot = importlib.import_module("textual_plotext.plot").Plot
    old = importlib.import_module("tui_market.tui.widgets.candle_figure")
    draw_candles, plot_visual = old.draw_candles, old.plot_visual

    def figure(bars: list[Bar], axis: bool) -> object:
        plot = Plot()
        colours = ((0, 200, 0), (200, 0, 0))
        draw_candles(plot, bars, colours, Interval.M1, "", width=WIDTH, time_axis=axis)
        return plot_visual(plot, WIDTH, HEIGHT, "default", None)

    return {"plotext figure": figure}


def run(frame: Frame, bars: list[Bar], axis: bool, frames: int) -> float:
    started = time.perf_counter()
    for i in range(frames):
        frame(bars[i : i + CANDLES], axis)
    return (time.perf_counter() - started) / frames * 1000


HISTORY_BARS, HISTORY_HEIGHT, HISTORY_SPECS = 5000, 16, (
    "", "sma:20", "ema:21", "vwap", "bb:20,2", "rsi:14", "macd:12,26,9", "ema:21,rsi:14,bb:20,2",
)  # fmt: skip
GOAL_ADDED_MS = 20.0


def history_paint(text: str, bars: list[Bar]) -> tuple[float, float]:
    """Seconds to compute indicators ``text`` over ``bars``, and for the paint with them."""
    from rich.style import Style

    from tui_market.managers.indicators import IndicatorSet
    from tui_market.models.indicator import parse_specs
    from tui_market.tui.widgets.candle_canvas import candle_canvas
    from tui_market.tui.widgets.candles import canvas_strips
    from tui_market.tui.widgets.chart_grid import Layout, Role
    from tui_market.tui.widgets.chart_lines import overlay_layers
    from tui_market.tui.widgets.panel_canvas import Oscillator, panel_canvas

    styles = {role: Style() for role in Role}
    started = time.perf_counter()
    specs = parse_specs(text)
    studies = IndicatorSet(specs).extend(bars) if specs else None
    computed = time.perf_counter()
    end = len(bars)
    start = end - Layout.of(WIDTH).plot_width
    overlays, legend = overlay_layers(studies.overlays() if studies else [], start, end)
    canvas = candle_canvas(bars[start:end], WIDTH, HISTORY_HEIGHT, overlays=overlays, legend=legend)
    canvas_strips(canvas, styles)
    panels = studies.panels() if studies else []
    if panels:
        oscillators = [Oscillator(s, [v[start:end] for v in lines]) for s, lines in panels]
        canvas_strips(panel_canvas(oscillators, end - start, WIDTH, 4 * len(panels)), styles)
    return computed - started, time.perf_counter() - computed


def history_main(runs: int) -> None:
    bars = series(HISTORY_BARS)
    print(f"python {platform.python_version()} on {platform.machine()}, {sys.argv[0]} --history")
    print(
        f"History after a load of {HISTORY_BARS} bars, {WIDTH}x{HISTORY_HEIGHT} cells, {runs} runs"
    )
    base = 0.0
    for text in HISTORY_SPECS:
        history_paint(text, bars[:200])  # imports out of the figure
        times = [history_paint(text, bars) for _ in range(runs)]
        compute = statistics.median(t[0] for t in times) * 1000
        paint = statistics.median(t[1] for t in times) * 1000
        if not text:
            base = paint
            print(f"  {'no indicators':24} paint {paint:6.2f} ms")
            continue
        added = paint - base
        verdict = "met" if added < GOAL_ADDED_MS else "NOT met"
        print(
            f"  {text:24} paint {paint:6.2f} ms, adds {added:5.2f} ms (goal < 20 ms: {verdict});"
            f"  computed in the worker {compute:6.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--history", action="store_true", help="indicators on a History paint")
    args = parser.parse_args()
    if args.history:
        history_main(args.runs)
        return
    try:
        frames = canvas_frames()
    except ImportError:
        frames = plotext_frames()
    bars = series(CANDLES + args.frames)
    print(f"python {platform.python_version()} on {platform.machine()}, {sys.argv[0]}")
    print(f"{CANDLES} candles, {WIDTH}x{HEIGHT} cells, {args.frames} frames x {args.runs} runs")
    for name, frame in frames.items():
        for axis in (False, True):
            frame(bars[:CANDLES], axis)  # imports and first-use caches out of the figure
            times = [run(frame, bars, axis, args.frames) for _ in range(args.runs)]
            print(
                f"{name:16} time axis {'on ' if axis else 'off'}: "
                f"{statistics.median(times):7.2f} ms/frame (runs {min(times):.2f}-{max(times):.2f})"
            )


if __name__ == "__main__":
    main()
