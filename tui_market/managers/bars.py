"""Bar values handed out by :class:`BarManager` and the per-series :class:`BarBuilder`.

Plain slotted classes with float fields: the live hot path never builds a pydantic model.
``ClosedBar.to_bar()`` / ``FormingBar.to_bar()`` give the validated :class:`Bar` for storage.
Times are epoch seconds (UTC) of the bar's open.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tui_market.managers.session_clock import UTC_CLOCK, BarClock
from tui_market.models import Bar, Interval

INF = math.inf
Segment = tuple[float, float, float, float, float, int, float, float]
_WEEK_ORIGIN = 4 * 86_400  # 1970-01-05 was a Monday (same origin as Interval.floor)


def _as_bar(b: ClosedBar | FormingBar) -> Bar:
    """The validated ``Bar`` (storage and screens) for a lean closed or forming bar."""
    return Bar.from_epoch(b.symbol, b.interval, b.time, b.open, b.high, b.low, b.close, b.volume)


@dataclass(slots=True)
class ClosedBar:
    """A bar whose period is over. ``ticks`` counts live ticks (0 for a pure history bar)."""

    symbol: str
    interval: Interval
    time: int
    open: float
    high: float
    low: float
    close: float
    volume: float
    ticks: int

    def to_bar(self) -> Bar:
        return _as_bar(self)


@dataclass(slots=True, frozen=True)
class FormingBar:
    """A snapshot of a bar still in progress; ``end`` is the open of the next bar."""

    symbol: str
    interval: Interval
    time: int
    end: int
    open: float
    high: float
    low: float
    close: float
    volume: float
    ticks: int

    def to_bar(self) -> Bar:
        return _as_bar(self)


@dataclass(slots=True)
class BarStats:
    """Counters of ticks the manager did not aggregate, and of other notable events."""

    late_ticks: int = 0  # older than the forming bar's period (its bar already closed)
    duplicate_ticks: int = 0  # same ts, price and volume as the symbol's previous tick
    rejected_ticks: int = 0  # non-finite or non-positive price
    out_of_order_ticks: int = 0  # older than the symbol's latest tick, same forming bars
    session_resets: int = 0  # cumulative volume dropped: a new session began
    history_bars: int = 0  # provider bars merged by merge_history/seed


class BarBuilder:
    """The forming bar of one (symbol, interval) series, plus where its closed history ends.

    An empty builder uses sentinels (first_ts=+inf, high=-inf, low=+inf, close_ts=-inf) so a
    fold of new data needs no branch on emptiness.
    """

    __slots__ = (
        "active",
        "clock",
        "close",
        "close_ts",
        "closed_end",
        "end",
        "first_ts",
        "high",
        "interval",
        "low",
        "offset",
        "open",
        "open_time",
        "step",
        "symbol",
        "ticks",
        "volume",
    )

    def __init__(self, symbol: str, interval: Interval, clock: BarClock = UTC_CLOCK) -> None:
        self.symbol = symbol
        self.interval = interval
        self.clock = clock
        # Precomputed bucket math for fixed-length UTC intervals; 0 = ask the clock (calendar
        # months, and every interval of a session clock, whose bars are cut at the close).
        utc = clock is UTC_CLOCK
        self.step = 0 if interval.is_calendar or not utc else interval.seconds
        self.offset = _WEEK_ORIGIN if interval is Interval.W1 else 0
        self.active = False
        self.closed_end = -INF  # end of the last bar handed out as closed
        self.open_time = 0
        self.end = 0
        self._empty()

    def _empty(self) -> None:
        self.open = self.close = math.nan
        self.high, self.low, self.volume, self.ticks = -INF, INF, 0.0, 0
        self.first_ts, self.close_ts = INF, -INF

    @property
    def low_water(self) -> float:
        """Ticks older than this belong to a closed bar or an earlier period: they are late."""
        return self.open_time if self.active else self.closed_end

    def floor(self, ts: float) -> int:
        step = self.step
        if step:
            t = int(ts // 1)
            return t - (t - self.offset) % step
        return self.clock.floor(self.interval, ts)

    def next_open(self, open_time: int) -> int:
        step = self.step
        return open_time + step if step else self.clock.next_open(self.interval, open_time)

    def start(self, open_time: int) -> None:
        self.active = True
        self.open_time = open_time
        self.end = self.next_open(open_time)
        self.open = self.close = math.nan
        self.high, self.low, self.volume, self.ticks = -INF, INF, 0.0, 0
        self.first_ts, self.close_ts = INF, -INF

    def fold(
        self,
        o: float,
        h: float,
        lo: float,
        c: float,
        v: float,
        n: int,
        first_ts: float,
        close_ts: float,
    ) -> None:
        """Merge aggregated ticks (earliest at ``first_ts``, latest at ``close_ts``) into it."""
        if first_ts <= self.first_ts:
            self.open, self.first_ts = o, first_ts
        if h > self.high:
            self.high = h
        if lo < self.low:
            self.low = lo
        if close_ts >= self.close_ts:
            self.close, self.close_ts = c, close_ts
        self.volume += v
        self.ticks += n

    def add_late_in_period(self, ts: float, price: float) -> None:
        """An out-of-order tick inside the forming period: it never becomes the close."""
        if ts < self.first_ts:
            self.open, self.first_ts = price, ts
        if price > self.high:
            self.high = price
        if price < self.low:
            self.low = price
        if self.close_ts == -INF:
            self.close, self.close_ts = price, ts
        self.ticks += 1

    def take_close(self) -> ClosedBar | None:
        """Close the forming bar; ``None`` if it never received data."""
        self.active = False
        if self.end > self.closed_end:
            self.closed_end = self.end
        if self.first_ts == INF:
            return None
        return ClosedBar(
            self.symbol,
            self.interval,
            self.open_time,
            self.open,
            self.high,
            self.low,
            self.close,
            self.volume,
            self.ticks,
        )

    def snapshot(self, seg: Segment | None) -> FormingBar:
        """The forming bar with the not yet folded segment
        ``(o, h, l, c, v, n, first_ts, last_ts)`` on top, by the rules of :meth:`fold`."""
        o, h, lo, c, v, n = self.open, self.high, self.low, self.close, self.volume, self.ticks
        if seg is not None:
            so, sh, sl, sc, sv, sn, sfirst, slast = seg
            if sfirst <= self.first_ts:
                o = so
            if slast >= self.close_ts:
                c = sc
            h, lo, v, n = max(h, sh), min(lo, sl), v + sv, n + sn
        return FormingBar(self.symbol, self.interval, self.open_time, self.end, o, h, lo, c, v, n)
