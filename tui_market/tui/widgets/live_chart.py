"""The Ticker's live chart: a ``CandleChart`` without the time axis (the rows go to price; the
table beside it shows the times).

Drawn in the screen's update pass: the canvas is cheap enough (``benchmarks/bench_chart.py``)
that no worker builds it ahead.
"""

from __future__ import annotations

from tui_market.tui.widgets.candles import CandleChart


class LiveChart(CandleChart):
    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.time_axis = False
