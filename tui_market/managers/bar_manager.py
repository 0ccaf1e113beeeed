"""BarManager: live ticks -> OHLCV bars for many symbols and several intervals at once (pure).

Alignment: each symbol has a ``BarClock`` (``set_clock``; ``session_clock``): by default UTC
boundaries of ``Interval.floor`` / ``Interval.next_open`` (multiples of the length since the
epoch; Monday 00:00 weeks; calendar months), or its exchange's session. A tick exactly
on a boundary belongs to the new bar. A bar closes on the first accepted tick of a later
period, or when ``on_clock(now)`` reaches its end (quiet markets still close on time).

Policies (each counted in ``stats``, none raises):
- price not finite or <= 0, or ``ts`` outside 1970..9998 (no calendar bucket can hold it):
  rejected (``rejected_ticks``).
- exact duplicate (same ts, price and volume as the symbol's previous accepted tick): dropped
  (``duplicate_ticks``).
- late: ``ts`` before the open of any of the symbol's forming bars, or, where a bar was closed
  by the clock, before that bar's end: dropped (``late_ticks``). A closed bar never reopens.
  (So one symbol's bars of every interval always see the same ticks.)
- out of order: older than the symbol's latest tick but not late: it updates high/low/ticks
  (and the open if it is the earliest), never the close, and adds no volume
  (``out_of_order_ticks``). So open = earliest tick, close = latest tick, as pandas would.
- volume: ``Tick.volume`` is the cumulative session volume. Bar volume is the sum of deltas
  between a symbol's consecutive in-order ticks. The first tick of a symbol (and the first after
  ``merge_history``) contributes 0. A drop means a new session: the new cumulative value is the
  delta (``session_resets``). ``None``, NaN or negative volume contributes 0 and keeps the
  previous cumulative value as the baseline.

Speed: per symbol, the ticks since the last boundary of *any* interval form a "segment"
(o/h/l/c/v in slots). A tick before the segment's end (the earliest end of the forming bars)
updates only the segment, whatever the number of intervals; no bucket math per tick. The
segment is folded into each interval's :class:`BarBuilder` when a boundary is crossed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from tui_market.managers.bar_history import merge_series
from tui_market.managers.bars import INF, BarBuilder, BarStats, ClosedBar, FormingBar
from tui_market.managers.session_clock import UTC_CLOCK, BarClock
from tui_market.managers.symbol_state import EMPTY, SymbolState
from tui_market.models import Bar, Interval, Tick

MAX_TS = 253_370_764_800.0  # 9999-01-01 UTC: a month after it has no calendar bucket
__all__ = ["BarBuilder", "BarManager", "BarStats", "ClosedBar", "FormingBar"]


class BarManager:
    """Aggregates ticks for many symbols into bars of every interval in ``intervals``."""

    def __init__(self, intervals: Iterable[Interval]) -> None:
        self.intervals = tuple(dict.fromkeys(intervals))
        if not self.intervals:
            raise ValueError("BarManager needs at least one interval")
        self._index = {iv: i for i, iv in enumerate(self.intervals)}
        self._symbols: dict[str, SymbolState] = {}
        self._clocks: dict[str, BarClock] = {}
        self.stats = BarStats()

    def set_clock(self, symbol: str, clock: BarClock) -> None:
        """Align ``symbol``'s bars with ``clock`` from now on. A symbol that already has bars
        under another clock starts afresh: bars of two alignments must never mix."""
        if self._clocks.get(symbol, UTC_CLOCK) == clock:
            return
        self._clocks[symbol] = clock
        self._symbols.pop(symbol, None)

    def clock(self, symbol: str) -> BarClock:
        return self._clocks.get(symbol, UTC_CLOCK)

    # ---- ticks (hot path) -------------------------------------------------------------------
    def on_tick(self, tick: Tick) -> Sequence[ClosedBar]:
        """Aggregate one tick; returns the bars it closed (a shared empty tuple if none)."""
        price, ts, vol = tick.price, tick.ts, tick.volume
        s = self._symbols.get(tick.symbol)
        if (
            s is None
            or not 0.0 < price < INF
            or not s.max_ts <= ts < s.seg_end
            or (ts == s.lts and price == s.lp and vol == s.lv)
        ):
            return self._slow(s, tick.symbol, ts, price, vol)
        s.max_ts = s.lts = ts
        s.lp, s.lv = price, vol
        if vol is not None:
            cum = s.cum
            if cum is not None and cum <= vol < INF:
                s.v += vol - cum
                s.cum = vol
            else:
                s.v += s.volume(vol, self.stats)
        if price > s.h:
            s.h = price
        elif price < s.l:
            s.l = price
        s.c = price
        s.n += 1
        return EMPTY

    def on_ticks(self, ticks: Iterable[Tick]) -> Sequence[ClosedBar]:
        """``on_tick`` for a batch (same result, less overhead); closed bars in order."""
        out: list[ClosedBar] = []
        get = self._symbols.get
        slow = self._slow
        for tick in ticks:
            price, ts, vol = tick.price, tick.ts, tick.volume
            s = get(tick.symbol)
            if (
                s is None
                or not 0.0 < price < INF
                or not s.max_ts <= ts < s.seg_end
                or (ts == s.lts and price == s.lp and vol == s.lv)
            ):
                closed = slow(s, tick.symbol, ts, price, vol)
                if closed:
                    out.extend(closed)
                continue
            s.max_ts = s.lts = ts
            s.lp, s.lv = price, vol
            if vol is not None:
                cum = s.cum
                if cum is not None and cum <= vol < INF:
                    s.v += vol - cum
                    s.cum = vol
                else:
                    s.v += s.volume(vol, self.stats)
            if price > s.h:
                s.h = price
            elif price < s.l:
                s.l = price
            s.c = price
            s.n += 1
        return out or EMPTY

    def _slow(
        self, s: SymbolState | None, symbol: str, ts: float, price: float, vol: float | None
    ) -> Sequence[ClosedBar]:
        if not (0.0 < price < INF and 0.0 <= ts < MAX_TS):
            self.stats.rejected_ticks += 1
            return EMPTY
        if s is None:
            s = self._symbol(symbol)
        return s.accept(ts, price, vol, self.stats)

    def _symbol(self, symbol: str) -> SymbolState:
        clock = self._clocks.get(symbol, UTC_CLOCK)
        s = SymbolState([BarBuilder(symbol, iv, clock) for iv in self.intervals])
        self._symbols[symbol] = s
        return s

    # ---- clock, history, screens ------------------------------------------------------------
    def on_clock(self, now: float, delays: Mapping[str, float] | None = None) -> list[ClosedBar]:
        """Close every forming bar whose period has ended by ``now``; a symbol in ``delays``
        (a feed ``delays[symbol]`` seconds late: its ticks carry their trade times) by
        ``now - delays[symbol]``."""
        closed: list[ClosedBar] = []
        for symbol, s in self._symbols.items():
            at = now - delays.get(symbol, 0.0) if delays else now
            if at >= s.seg_end:
                s.close_until(at, closed)
        return closed

    def merge_history(self, bars: Iterable[Bar], now: float) -> list[ClosedBar]:
        """Merge provider bars (e.g. a backfill after a reconnect) with the live state.

        See ``bar_history.merge_series`` for the rules. Returns the bars that are closed as a
        result, each exactly once across calls: history bars newer than the last closed bar,
        and forming bars that a newer history bar (or ``now``) shows to be over. The symbol's
        volume baseline restarts, so the outage's volume is not counted twice.
        """
        series: dict[tuple[str, Interval], list[Bar]] = {}
        for bar in bars:
            if bar.interval not in self._index:
                raise ValueError(f"interval {bar.interval.value} is not aggregated here")
            series.setdefault((bar.symbol, bar.interval), []).append(bar)
        closed: list[ClosedBar] = []
        for (symbol, interval), group in series.items():
            s = self._symbols.get(symbol) or self._symbol(symbol)
            s.flush()
            builder = s.builders[self._index[interval]]
            closed.extend(merge_series(builder, group, now))
            self.stats.history_bars += len(group)
            s.cum = None
            s.relimit()
        return closed

    def seed(self, bar: Bar) -> list[ClosedBar]:
        """Start (or merge into) the forming bar from a provider bar, e.g. at start-up."""
        return self.merge_history([bar], now=bar.epoch)

    def forming(self, symbol: str, interval: Interval) -> FormingBar | None:
        s = self._symbols.get(symbol)
        if s is None or interval not in self._index:
            return None
        b = s.builders[self._index[interval]]
        return s.snapshot(b) if b.active else None

    def forming_all(self) -> list[FormingBar]:
        """Every forming bar, by symbol (first seen first), then interval."""
        out: list[FormingBar] = []
        for s in self._symbols.values():
            out.extend(s.snapshot(b) for b in s.builders if b.active)
        return out

    def symbols(self) -> list[str]:
        return list(self._symbols)

    def forget(self, symbol: str) -> None:
        """Drop a symbol's state (removed from the watchlist); its forming bars are lost."""
        self._symbols.pop(symbol, None)
        self._clocks.pop(symbol, None)
