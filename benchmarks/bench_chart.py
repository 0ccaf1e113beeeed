"""The cost of drawing one candle chart: our own layout (``candle_canvas``) and the widget's
strips, for the Ticker's live chart size (118x21, 2 columns per candle) and History's
(118x24 with the time axis). Pure CPU, no terminal; prints the median of 200 frames.

    python benchmarks/bench_chart.py
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import UTC, datetime, timedelta

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from tui_market.models import Bar, Interval
from tui_market.tui.widgets.candle_canvas import candle_rows, fitted, volume_rows

FRAMES = 200


def series(count: int) -> list[Bar]:
    rng = random.Random(7)
    price, bars = 180.0, []
    start = datetime(2026, 11, 2, 14, 30, tzinfo=UTC)
    for i in range(count):
        close = max(1.0, price + rng.uniform(-2, 2))
        high, low = max(price, close) + rng.uniform(0, 1), min(price, close) - rng.uniform(0, 1)
        bars.append(
            Bar(
                symbol="NASDAQ:AAPL", interval=Interval.M1, time=start + timedelta(minutes=i),
                open=price, high=high, low=max(0.5, low), close=close, volume=rng.uniform(1e3, 1e5),
            )
        )  # fmt: skip
        price = close
    return bars


def frame(bars: list[Bar], width: int, height: int, time_axis: bool) -> int:
    styles = {role: Style(color="green") for role in ("up", "down", "axis", "title", "")}
    rows = candle_rows(bars, width, height, Interval.M1, time_axis=time_axis)
    rows += volume_rows(bars, width, 5)
    strips = [Strip([Segment(t, styles[r]) for t, r in row]) for row in rows]
    return len(strips)


def main() -> None:
    bars = series(400)
    for name, width, height, time_axis, fit in (
        ("Ticker live chart 118x21", 118, 21, False, 2),
        ("History candles 118x24 + volume", 118, 24, True, 1),
    ):
        shown = list(fitted(bars, fit, width))
        times = []
        for _ in range(FRAMES):
            started = time.perf_counter()
            frame(shown, width, height, time_axis)
            times.append((time.perf_counter() - started) * 1000)
        print(
            f"{name}: {len(shown)} candles, median {statistics.median(times):.2f} ms, "
            f"p99 {sorted(times)[int(FRAMES * 0.99) - 1]:.2f} ms per frame"
        )


if __name__ == "__main__":
    main()
