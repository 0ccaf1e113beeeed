"""History on the same bar grid as the live bars: aggregation and checks by a ``BarClock``.

The live path (``BarManager``) and the history path (provider bars, the demo's 1m rows rolled up
to any interval) both ask the symbol's clock where a bar starts, so they agree bar for bar.
``misaligned`` finds bars stored under another alignment (e.g. UTC hours before the session
clock existed): a series holding any must be re-synced, never left mixed (``check_alignment``
says which of its bars go; ``tui-market realign`` drops them and re-syncs).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from tui_market.managers.session_clock import BarClock, SessionClock
from tui_market.models import Bar, Interval

Row = tuple[int, float, float, float, float, float]  # epoch, open, high, low, close, volume


def aggregate(rows: Iterable[Row], interval: Interval, clock: BarClock) -> list[Row]:
    """Oldest-first rows rolled up into ``interval`` bars on ``clock``'s grid."""
    out: list[Row] = []
    cur: list[float] | None = None
    end = 0
    for t, o, h, low, c, v in rows:
        if cur is not None and t < end:
            cur[2], cur[3] = max(cur[2], h), min(cur[3], low)
            cur[4], cur[5] = c, cur[5] + v
            continue
        if cur is not None:
            out.append((int(cur[0]), cur[1], cur[2], cur[3], cur[4], cur[5]))
        start = clock.floor(interval, t)
        end = clock.next_open(interval, start)
        cur = [start, o, h, low, c, v]
    if cur is not None:
        out.append((int(cur[0]), cur[1], cur[2], cur[3], cur[4], cur[5]))
    return out


def realign(bars: Iterable[Bar], clock: BarClock) -> list[Bar]:
    """Provider bars (one series, oldest first) stamped at their bucket's open on ``clock``.

    TradingView's bars already start there (intraday: the session grid; daily: the session
    open), so this changes nothing for them; it guards against a provider that stamps
    otherwise (00:00 UTC days) and merges two bars that land in one bucket.
    """
    out: list[Bar] = []
    for bar in bars:
        start = clock.floor(bar.interval, bar.epoch)
        if out and out[-1].epoch == start:
            prev = out[-1]
            out[-1] = Bar.from_epoch(
                bar.symbol,
                bar.interval,
                start,
                prev.open,
                max(prev.high, bar.high),
                min(prev.low, bar.low),
                bar.close,
                prev.volume + bar.volume,
            )
        elif start == bar.epoch:
            out.append(bar)
        else:
            out.append(bar.model_copy(update={"time": datetime.fromtimestamp(start, UTC)}))
    return out


def misaligned(times: Iterable[int], interval: Interval, clock: BarClock) -> list[int]:
    """The bar open times (epochs) that are not a bar start on ``clock``'s grid."""
    return [t for t in times if clock.floor(interval, t) != t]


@dataclass(frozen=True, slots=True)
class AlignmentCheck:
    """One series against its clock. ``misaligned``: open times that are no bar start on the
    clock's grid; ``outside``: intraday bars opening while the market is closed. An old UTC
    hour can fall on the session grid by chance only there (09:00 New York is a step from the
    previous close), so in a series that needs realigning those go too: the re-sync brings
    back what the exchange really traded."""

    total: int
    misaligned: tuple[int, ...]
    outside: tuple[int, ...]

    @property
    def needs_realign(self) -> bool:
        return bool(self.misaligned)

    @property
    def to_drop(self) -> tuple[int, ...]:
        """The open times to delete before the re-sync (none when the series is aligned)."""
        if not self.misaligned:
            return ()
        return tuple(sorted({*self.misaligned, *self.outside}))


def check_alignment(times: Iterable[int], interval: Interval, clock: BarClock) -> AlignmentCheck:
    """Which of a series' bar open times (epochs) do not belong on ``clock``'s grid."""
    opens = sorted(set(times))
    wrong = tuple(misaligned(opens, interval, clock))
    closed: tuple[int, ...] = ()
    if isinstance(clock, SessionClock) and interval.seconds < Interval.D1.seconds:
        closed = tuple(t for t in opens if clock.market_status(t) == "closed")
    return AlignmentCheck(len(opens), wrong, closed)
