"""Merging provider bars into a live series: the "no gap, no duplicate after reconnect" rules.

For one (symbol, interval) series, provider bars are taken oldest first, each placed in the
period that contains its time (the builder's clock: UTC or the exchange session):

- a bar before the end of the last bar already handed out as closed is skipped (it was
  emitted once already: no duplicate);
- a bar between that end and the forming bar's open fills a gap: it is returned as closed;
- a bar for the forming bar's period merges into it: open from the provider (its bar starts at
  the period's first trade, the earliest), high/low the extremes, close from the provider when
  it is at least as recent as our latest tick (it counts up to ``min(now, end)``), volume the
  larger of the two (the provider saw every trade we saw, so a sum would count them twice);
- a bar for a later period closes the forming bar (returned) and becomes the forming bar;
- finally, a forming bar whose period has ended by ``now`` is returned as closed.

Every bar returned is returned exactly once, across calls: re-merging the same provider bars
returns nothing new.
"""

from __future__ import annotations

from collections.abc import Iterable

from tui_market.managers.bars import BarBuilder, ClosedBar
from tui_market.models import Bar


def merge_series(builder: BarBuilder, bars: Iterable[Bar], now: float) -> list[ClosedBar]:
    """Merge ``bars`` (one symbol and interval) into ``builder``; return the closed bars."""
    b = builder
    closed: list[ClosedBar] = []
    for bar in sorted(bars, key=lambda item: item.time):
        t = b.floor(bar.epoch)
        if t < b.closed_end:
            continue
        if b.active and t < b.open_time:
            closed.append(
                ClosedBar(
                    b.symbol, b.interval, t, bar.open, bar.high, bar.low, bar.close, bar.volume, 0
                )
            )
            b.closed_end = b.next_open(t)
            continue
        if b.active and t > b.open_time:
            done = b.take_close()
            if done is not None:
                closed.append(done)
        if not b.active:
            b.start(t)
        _merge_into_forming(b, bar, min(now, b.end))
    if b.active and b.end <= now:
        done = b.take_close()
        if done is not None:
            closed.append(done)
    return closed


def _merge_into_forming(b: BarBuilder, bar: Bar, as_of: float) -> None:
    b.open, b.first_ts = bar.open, b.open_time
    b.high = max(b.high, bar.high)
    b.low = min(b.low, bar.low)
    if as_of >= b.close_ts:
        b.close, b.close_ts = bar.close, as_of
    b.volume = max(b.volume, bar.volume)
