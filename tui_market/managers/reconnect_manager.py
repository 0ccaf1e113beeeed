"""ReconnectManager: what happens to ticks around a feed outage, so a backfill never counts twice.

While the feed is down, ticks (if any arrive) are held. After a backfill merged history up to
``until``, a symbol's ticks at or before ``until`` are already inside those bars: they are
skipped. After the merge the bar manager restarts its cumulative-volume baseline (the first
tick adds no volume), so the first newer tick is fed twice: first carrying the cumulative
volume of the latest skipped tick (it sets the baseline, adds nothing), then as it is (it adds
exactly the volume traded since the backfill). Its price and time are its own both times, so
open/high/low/close are right even when the skipped tick belonged to an earlier bar.
"""

from __future__ import annotations

from tui_market.models import Tick


def backfill_window(
    since: float, now: float, lag: float, last: Tick | None, longest: float
) -> tuple[float, float]:
    """The trade-time span a symbol's backfill fetches and covers: from ``since`` to ``now``
    (stream times), ``lag`` seconds earlier for a late feed (its history ends that much before
    the stream's clock). Its trades still in flight at a drop may be older than ``since``: the
    span starts at its own last trade when that is within ``longest`` seconds before."""
    start = since - lag
    if last is not None and start - longest <= last.ts < start:
        start = last.ts
    return start, now - lag


class ReconnectManager:
    def __init__(self) -> None:
        self.holding = False
        self._held: list[Tick] = []
        self._covered: dict[str, float] = {}
        self._baseline: dict[str, Tick] = {}
        self.covered_ticks = 0  # ticks skipped because a backfill already held them

    @property
    def active(self) -> bool:
        """False on the hot path: every tick goes straight to the bar manager."""
        return self.holding or bool(self._covered)

    def hold(self) -> None:
        self.holding = True

    def covered(self, symbol: str, until: float, seen: Tick | None) -> None:
        """History up to ``until`` is merged; ``seen`` is the symbol's latest tick so far."""
        self._covered[symbol] = until
        if seen is not None and seen.ts <= until:
            self._baseline[symbol] = seen

    def release(self) -> list[Tick]:
        """Stop holding; the held ticks that still need feeding, in arrival order."""
        held, self._held = self._held, []
        self.holding = False
        return [t for tick in held for t in self.admit(tick)]

    def admit(self, tick: Tick) -> list[Tick]:
        """The ticks to feed now for ``tick`` (none, it, or its baseline twin and it)."""
        if self.holding:
            self._held.append(tick)
            return []
        until = self._covered.get(tick.symbol)
        if until is None:
            return [tick]
        if tick.ts <= until:
            self._baseline[tick.symbol] = tick
            self.covered_ticks += 1
            return []
        del self._covered[tick.symbol]
        base = self._baseline.pop(tick.symbol, None)
        if base is None or base.volume is None:
            return [tick]
        return [Tick(tick.symbol, tick.ts, tick.price, base.volume), tick]
