"""Views of the forming bars a ``QuoteManager`` snapshot captured, for ``SymbolQuote``.

A snapshot keeps the lean ``FormingBar`` values; ``LazyForming`` turns one into a ``Bar`` only
when a screen reads it (the Ticker reads one interval of 13), ``FormingEnds`` gives each bar's
end (a session clock cuts a day's last bar at the close, so the end is not open + length).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime

from tui_market.managers.bars import FormingBar
from tui_market.models import Bar, Interval


class LazyForming(Mapping[Interval, Bar]):
    """Forming bars captured at a snapshot, turned into ``Bar`` on first read (then kept)."""

    __slots__ = ("_bars", "_raw")

    def __init__(self, raw: dict[Interval, FormingBar]) -> None:
        self._raw = raw
        self._bars: dict[Interval, Bar] = {}

    def __getitem__(self, interval: Interval) -> Bar:
        bar = self._bars.get(interval)
        if bar is None:
            bar = self._bars[interval] = _as_bar(self._raw[interval])
        return bar

    def __iter__(self) -> Iterator[Interval]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def __repr__(self) -> str:
        return f"LazyForming({dict(self)!r})"


class FormingEnds(Mapping[Interval, int]):
    """Each forming bar's end (the next bar's open), read from the same captured bars."""

    __slots__ = ("_raw",)

    def __init__(self, raw: dict[Interval, FormingBar]) -> None:
        self._raw = raw

    def __getitem__(self, interval: Interval) -> int:
        return self._raw[interval].end

    def __iter__(self) -> Iterator[Interval]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)


def _as_bar(bar: FormingBar) -> Bar:
    """A forming bar for painting (no validation: built from already checked ticks)."""
    return Bar.model_construct(
        symbol=bar.symbol,
        interval=bar.interval,
        time=datetime.fromtimestamp(bar.time, UTC),
        open=bar.open,
        high=bar.high,
        low=bar.low,
        close=bar.close,
        volume=bar.volume,
    )
