"""The cost of one chart frame: our canvas against plotext, the way the Ticker's chart redraws.

    python benchmarks/bench_chart.py                                  # this tree: the canvas
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
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
