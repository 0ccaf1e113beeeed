"""Per-symbol live state behind :class:`BarManager`: the open segment and the rare paths.

The segment holds the symbol's in-order ticks since the last boundary of any interval
(o/h/l/c/v/n and the first tick's time); ``seg_end`` is finite only while it holds ticks, so a
tick before it can take BarManager's fast path. Everything here is the rare path: a symbol's
first tick, a boundary crossing, a late, duplicate or out-of-order tick, a volume reset.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from tui_market.managers.bars import INF, BarBuilder, BarStats, ClosedBar, FormingBar

EMPTY: tuple[ClosedBar, ...] = ()


class SymbolState:
    __slots__ = (
        "builders",
        "c",
        "cum",
        "first_ts",
        "h",
        "l",
        "lp",
        "lts",
        "lv",
        "max_ts",
        "min_ts",
        "n",
        "o",
        "seg_end",
        "v",
    )

    def __init__(self, builders: list[BarBuilder]) -> None:
        self.builders = builders
        self.seg_end = -INF  # finite only while the segment holds ticks
        self.min_ts = -INF  # a tick before this is late
        self.max_ts = -INF  # latest accepted tick
        self.o = self.h = self.l = self.c = self.v = 0.0
        self.n = 0
        self.first_ts = INF
        self.cum: float | None = None  # cumulative volume baseline
        self.lts, self.lp = math.nan, math.nan  # previous accepted tick (duplicates)
        self.lv: float | None = None

    def accept(
        self, ts: float, price: float, vol: float | None, stats: BarStats
    ) -> Sequence[ClosedBar]:
        """A valid tick that missed the fast path; returns the bars it closed."""
        if ts == self.lts and price == self.lp and vol == self.lv:
            stats.duplicate_ticks += 1
            return EMPTY
        if ts < self.min_ts:
            stats.late_ticks += 1
            return EMPTY
        self.lts, self.lp, self.lv = ts, price, vol
        in_order = ts >= self.max_ts
        closed = self.roll(ts) if ts >= self.seg_end else EMPTY
        if in_order:
            self.max_ts = ts
            d = 0.0 if vol is None else self.volume(vol, stats)
            if self.n:
                self.h, self.l = max(self.h, price), min(self.l, price)
                self.c, self.v, self.n = price, self.v + d, self.n + 1
            else:
                self.o = self.h = self.l = self.c = price
                self.v, self.n, self.first_ts = d, 1, ts
        else:
            stats.out_of_order_ticks += 1
            for b in self.builders:
                b.add_late_in_period(ts, price)
            if not self.n:
                self.seg_end = -INF  # an empty segment must not take the fast path
        return closed

    def volume(self, vol: float, stats: BarStats) -> float:
        """Bar volume of an in-order tick from its cumulative ``vol``; updates the baseline."""
        if not 0.0 <= vol < INF:
            return 0.0
        cum, self.cum = self.cum, vol
        if cum is None:
            return 0.0
        if vol >= cum:
            return vol - cum
        stats.session_resets += 1
        return vol

    def flush(self) -> None:
        """Fold the segment into every forming bar; the next tick takes the rare path."""
        if self.n:
            o, h, lo, c, v, n = self.o, self.h, self.l, self.c, self.v, self.n
            first, last = self.first_ts, self.max_ts
            for b in self.builders:
                b.fold(o, h, lo, c, v, n, first, last)
            self.n = 0
        self.seg_end = -INF

    def roll(self, ts: float) -> Sequence[ClosedBar]:
        """A tick at ``ts`` crossed a boundary: fold the segment, close ended bars, open the
        missing ones. One inlined pass over the builders (this runs once per bar per symbol)."""
        closed: list[ClosedBar] = []
        n = self.n
        o, h, lo, c, v, first, last = (
            self.o,
            self.h,
            self.l,
            self.c,
            self.v,
            self.first_ts,
            self.max_ts,
        )
        seg_end, min_ts = INF, -INF
        for b in self.builders:
            if n:  # BarBuilder.fold, inlined
                if first <= b.first_ts:
                    b.open, b.first_ts = o, first
                if h > b.high:
                    b.high = h
                if lo < b.low:
                    b.low = lo
                if last >= b.close_ts:
                    b.close, b.close_ts = c, last
                b.volume += v
                b.ticks += n
            if b.active:
                if b.end <= ts:
                    bar = b.take_close()
                    if bar is not None:
                        closed.append(bar)
                    b.start(b.floor(ts))
            else:
                b.start(b.floor(ts))
            if b.end < seg_end:
                seg_end = b.end
            if b.open_time > min_ts:
                min_ts = b.open_time
        self.n = 0
        self.seg_end, self.min_ts = seg_end, min_ts
        return closed or EMPTY

    def close_until(self, now: float, closed: list[ClosedBar]) -> None:
        """Close (append to ``closed``) every forming bar whose period has ended by ``now``."""
        self.flush()
        for b in self.builders:
            if b.active and b.end <= now:
                bar = b.take_close()
                if bar is not None:
                    closed.append(bar)
        self.relimit()

    def relimit(self) -> None:
        self.min_ts = max(b.low_water for b in self.builders)

    def snapshot(self, b: BarBuilder) -> FormingBar:
        seg = (self.o, self.h, self.l, self.c, self.v, self.n, self.first_ts, self.max_ts)
        return b.snapshot(seg if self.n else None)
