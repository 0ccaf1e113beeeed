"""Indicator values over a bar series, computed incrementally with ``talipp``.

``IndicatorSet.push(bar)`` adds a bar newer than the last one, or replaces the last one when
it has the same open time: that is how the live chart feeds a forming bar (many updates of one
bar, then the next bar) without recomputing the series. Each output line holds one value per
bar pushed (None while the indicator warms up). VWAP starts again at every session open
(``session_anchor``: the symbol's trading date, 00:00 UTC for 24x7 and unknown symbols).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from itertools import pairwise
from typing import Any

from talipp.indicators import BB, EMA, MACD, RSI, SMA, VWAP
from talipp.ohlcv import OHLCV

from tui_market.managers.session_clock import clock_for
from tui_market.models import Bar, Interval
from tui_market.models.indicator import KINDS, IndicatorSpec
from tui_market.models.symbol_info import SymbolInfo

Anchor = Callable[[int], int]  # a bar's open epoch -> the open of its session
Line = list[float | None]


def session_anchor(info: SymbolInfo | None) -> Anchor:
    """Where VWAP starts again: the open of the bar's trading date in the symbol's session."""
    clock = clock_for(info)
    return lambda epoch: clock.floor(Interval.D1, epoch)


def _utc_day(epoch: int) -> int:
    return epoch - epoch % 86_400


class Study:
    """One indicator's state and output lines."""

    def __init__(self, spec: IndicatorSpec, anchor: Anchor) -> None:
        self.spec = spec
        self.anchor = anchor
        self.lines: list[Line] = [[] for _ in KINDS[spec.kind].lines]
        self._session: int | None = None
        self._ind: Any = self._make()

    def _make(self) -> Any:
        p, n = self.spec.params, self.spec.ints
        kind = self.spec.kind
        if kind == "sma":
            return SMA(n[0])
        if kind == "ema":
            return EMA(n[0])
        if kind == "rsi":
            return RSI(n[0])
        if kind == "bb":
            return BB(n[0], p[1])
        if kind == "macd":
            return MACD(n[0], n[1], n[2])
        return VWAP()

    def _input(self, bar: Bar) -> Any:
        if self.spec.kind == "vwap":
            return OHLCV(bar.open, bar.high, bar.low, bar.close, bar.volume)
        return bar.close

    def _outputs(self) -> tuple[float | None, ...]:
        return self._split(self._ind[-1] if len(self._ind) else None)

    def _split(self, value: Any) -> tuple[float | None, ...]:
        kind = self.spec.kind
        if kind == "bb":
            return (None, None, None) if value is None else (value.lb, value.cb, value.ub)
        if kind == "macd":
            if value is None:
                return (None, None, None)
            return (value.macd, value.signal, value.histogram)
        return (value,)

    def add(self, bar: Bar) -> None:
        if self.spec.kind == "vwap":
            session = self.anchor(bar.epoch)
            if session != self._session:  # a new session: the running sums start again
                self._session = session
                self._ind = VWAP()
        self._ind.add(self._input(bar))
        for line, value in zip(self.lines, self._outputs(), strict=True):
            line.append(value)

    def extend(self, bars: Sequence[Bar]) -> None:
        """``add`` for each of ``bars``, with one call into talipp (a load of a series)."""
        if self.spec.kind == "vwap":
            for bar in bars:
                self.add(bar)
            return
        outputs = self._ind.output_values
        before = len(outputs)
        self._ind.add([bar.close for bar in bars])
        split = [self._split(value) for value in outputs[before:]]
        for k, line in enumerate(self.lines):
            line.extend(values[k] for values in split)

    def update(self, bar: Bar) -> None:
        self._ind.update(self._input(bar))
        for line, value in zip(self.lines, self._outputs(), strict=True):
            line[-1] = value


class IndicatorSet:
    """Every indicator of one chart over one series, fed bar by bar (see the module doc)."""

    def __init__(self, specs: Iterable[IndicatorSpec], anchor: Anchor = _utc_day) -> None:
        self.studies = [Study(spec, anchor) for spec in specs]
        self.epochs: list[int] = []

    def push(self, bar: Bar) -> None:
        """Add ``bar``, or replace the last bar when it opened at the same time; an older bar
        is ignored (the series only moves forward)."""
        if self.epochs and bar.epoch == self.epochs[-1]:
            for study in self.studies:
                study.update(bar)
        elif not self.epochs or bar.epoch > self.epochs[-1]:
            self.epochs.append(bar.epoch)
            for study in self.studies:
                study.add(bar)

    def extend(self, bars: Iterable[Bar]) -> IndicatorSet:
        """``push`` every bar; bars all newer than the last go to talipp in one call."""
        bars = list(bars)
        last = self.epochs[-1] if self.epochs else None
        ordered = all(a.epoch < b.epoch for a, b in pairwise(bars))
        if bars and ordered and (last is None or bars[0].epoch > last):
            self.epochs.extend(bar.epoch for bar in bars)
            for study in self.studies:
                study.extend(bars)
            return self
        for bar in bars:
            self.push(bar)
        return self

    def follow(self, bars: Sequence[Bar]) -> None:
        """Push the bars of ``bars`` from the last one already pushed on (a live series
        that grew or whose last bar changed); ``bars`` must start where this set started."""
        last = self.epochs[-1] if self.epochs else None
        start = len(bars)
        while start > 0 and (last is None or bars[start - 1].epoch >= last):
            start -= 1
        if start < len(bars) and bars[start].epoch == last:
            self.push(bars[start])  # the last bar again: moved (a forming bar) or closed
            start += 1
        self.extend(bars[start:])

    def overlays(self) -> list[tuple[IndicatorSpec, list[Line]]]:
        return [(s.spec, s.lines) for s in self.studies if s.spec.place == "overlay"]

    def panels(self) -> list[tuple[IndicatorSpec, list[Line]]]:
        return [(s.spec, s.lines) for s in self.studies if s.spec.place == "panel"]


class SeriesStudies:
    """The ``IndicatorSet`` of each series a chart has shown, by ``key`` (the series, its
    load, the choice of indicators): made once, then fed only the bars that are new or moved
    (the live chart's forming bar), never the whole series again, also when the chart comes
    back to a series it showed before. The ``keep`` most recently shown are kept."""

    def __init__(self, keep: int = 64) -> None:
        self.keep = keep
        self._sets: dict[Hashable, IndicatorSet] = {}
        self.current: IndicatorSet | None = None

    def over(
        self,
        key: Hashable,
        specs: Sequence[IndicatorSpec],
        info: SymbolInfo | None,
        bars: Sequence[Bar],
    ) -> IndicatorSet | None:
        if not specs:
            self.current = None
            return None
        found = self._sets.pop(key, None)
        if found is None:
            found = IndicatorSet(specs, session_anchor(info))
            while len(self._sets) >= self.keep:
                del self._sets[next(iter(self._sets))]  # the least recently shown
        self._sets[key] = found
        found.follow(bars)
        self.current = found
        return found
