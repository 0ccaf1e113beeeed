"""Axis labels and which bars fit: pure functions shared by the chart canvas and the tables."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime

from tui_market.models import Bar, Interval
from tui_market.tui.widgets.chart_window import MIN_VISIBLE, Y_LABEL_WIDTH, plot_columns


def price_label(value: float) -> str:
    digits = 2 if abs(value) >= 1 else 5
    return f"{value:,.{digits}f}".rjust(Y_LABEL_WIDTH - 1)


def volume_label(value: float) -> str:
    for scale, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if value >= scale:
            return f"{value / scale:.1f}{suffix}".rjust(Y_LABEL_WIDTH - 1)
    return f"{value:.0f}".rjust(Y_LABEL_WIDTH - 1)


def time_label(when: datetime, interval: Interval) -> str:
    when = when.astimezone(UTC)
    if interval.seconds >= Interval.D1.seconds:
        return when.strftime("%Y-%m-%d")
    return when.strftime("%m-%d %H:%M")


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """About ``count`` round values spanning ``[low, high]``."""
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        return [low]
    raw = (high - low) / max(1, count)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.ceil(low / step) * step
    ticks: list[float] = []
    value = first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    return ticks or [low]


def fitted(bars: Sequence[Bar], fit: int | None, width: int) -> Sequence[Bar]:
    """The newest ``bars`` that fit ``width`` at ``fit`` columns per candle (all: no fit)."""
    return bars[-max(MIN_VISIBLE, plot_columns(width) // fit) :] if fit else bars
