"""Which bar a moment belongs to: UTC buckets, or the exchange's session as TradingView draws it.

``UTC_CLOCK``: bars on multiples of their length since the epoch (``Interval.floor``), for
24x7 markets (crypto) and symbols whose session is unknown.

``SessionClock`` (from a symbol's ``SymbolInfo``): intraday bars start at each session
segment's open in the exchange's time zone and step by their length; the last one of a segment
is cut at its close (NASDAQ:AAPL 1h: 09:30, 10:30 ... 15:30-16:00 New York time). Time between
segments (pre/post-market, nights, weekends) steps from the previous close, so a stray tick
there never lands in a bar that already closed. A daily bar is one trading date, from its first
open to the next trading date's first open, stamped at that open as TradingView stamps it
(SP:SPX daily at 09:30 New York); time after a close belongs to the date that closed. Weekly
and monthly bars start at the first open of the week (Monday-based) or calendar month.
Wall-clock times go through ``zoneinfo``, so DST days need no special case.
"""

from __future__ import annotations

import bisect
from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from tui_market.models import Interval
from tui_market.models.symbol_info import SymbolInfo

_LOOK = 12  # days searched for a neighbouring trading date (long holiday weekends fit)
_WEEKDAYS = "23456"  # TradingView's day digits (1 = Sunday): Monday to Friday by default


class BarClock(Protocol):
    def floor(self, interval: Interval, ts: float) -> int:
        """Open (epoch seconds) of the bar of ``interval`` that contains ``ts``."""
        ...

    def next_open(self, interval: Interval, open_time: int) -> int:
        """End of the bar opening at ``open_time``: the open of the next one."""
        ...

    def day_open(self, day: date) -> int:
        """Open of the daily bar of trading date ``day`` (rows keyed by date, e.g. 00:00 UTC)."""
        ...


class UtcClock:
    def day_open(self, day: date) -> int:
        return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())

    def floor(self, interval: Interval, ts: float) -> int:
        return interval.floor(ts)

    def next_open(self, interval: Interval, open_time: int) -> int:
        return interval.next_open(open_time)


UTC_CLOCK = UtcClock()


def clock_for(info: SymbolInfo | None) -> BarClock:
    """The clock for a symbol's metadata: UTC buckets when it is 24x7 or unknown."""
    if info is None or info.always_open:
        return UTC_CLOCK
    return SessionClock(info)


class SessionClock:
    def __init__(self, info: SymbolInfo) -> None:
        self.info = info
        self.zone = ZoneInfo(info.timezone)
        text = info.session.split("|")[0]
        spans, _, days = text.partition(":")
        self.segments = [
            (_minutes(a), _minutes(b)) for a, b in (s.split("-") for s in spans.split(","))
        ]
        self.weekdays = {(int(d) + 5) % 7 for d in days or _WEEKDAYS}  # python: Monday = 0
        self.holidays = {date(int(h[:4]), int(h[4:6]), int(h[6:])) for h in info.holidays}
        self._spans: dict[date, tuple[tuple[int, int], ...]] = {}
        self._edges: dict[date, list[tuple[int, int, date]]] = {}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SessionClock) and other.info == self.info

    def __hash__(self) -> int:
        return hash(self.info)

    # ---- trading dates and their segments -------------------------------------------------
    def trades_on(self, day: date) -> bool:
        return day.weekday() in self.weekdays and day not in self.holidays

    def spans(self, day: date) -> tuple[tuple[int, int], ...]:
        """The (start, end) epochs of trading date ``day``'s segments; () if it is closed."""
        found = self._spans.get(day)
        if found is None:
            found = ()
            if self.trades_on(day):
                found = tuple(
                    (self._at(day - timedelta(days=1) if o >= c else day, o), self._at(day, c))
                    for o, c in self.segments
                )
            self._spans[day] = found
        return found

    def _at(self, day: date, minutes: int) -> int:
        wall = datetime(day.year, day.month, day.day, tzinfo=self.zone) + timedelta(minutes=minutes)
        return int(wall.timestamp())

    def _local_date(self, ts: float) -> date:
        return datetime.fromtimestamp(ts, self.zone).date()

    def edges(self, ts: float) -> list[tuple[int, int, date]]:
        """Every segment start (kind 0) and end (kind 1) near ``ts``, sorted, with its date."""
        key = self._local_date(ts)
        found = self._edges.get(key)
        if found is None:
            found = []
            for k in range(-_LOOK, 3):
                day = key + timedelta(days=k)
                for start, end in self.spans(day):
                    found += [(start, 0, day), (end, 1, day)]
            found.sort()
            self._edges[key] = found
        return found

    def trading_date(self, ts: float) -> date | None:
        """The trading date ``ts`` counts for: its segment's, or the last one closed before."""
        edges = self.edges(ts)
        i = bisect.bisect_right(edges, (int(ts // 1), 2, date.max)) - 1
        return edges[i][2] if i >= 0 else None

    def first_open(self, day: date, *, until: int = _LOOK) -> int | None:
        """The first open of the first trading date at or after ``day`` (within ``until``)."""
        for k in range(until):
            spans = self.spans(day + timedelta(days=k))
            if spans:
                return min(s for s, _ in spans)
        return None

    # ---- BarClock -------------------------------------------------------------------------
    def day_open(self, day: date) -> int:
        opened = self.first_open(day, until=1)
        return opened if opened is not None else UTC_CLOCK.day_open(day)

    def floor(self, interval: Interval, ts: float) -> int:
        t = int(ts // 1)
        if interval.seconds < Interval.D1.seconds:
            edges = self.edges(t)
            i = bisect.bisect_right(edges, (t, 2, date.max)) - 1
            if i < 0:
                return interval.floor(t)
            anchor = edges[i][0]
            step = interval.seconds
            return anchor + (t - anchor) // step * step
        day = self.trading_date(t)
        if day is None:
            return interval.floor(t)
        if interval is Interval.W1:
            day -= timedelta(days=day.weekday())
        elif interval is Interval.MN1:
            day = day.replace(day=1)
        opened = self.first_open(day, until=40)
        return opened if opened is not None and opened <= t else interval.floor(t)

    def next_open(self, interval: Interval, open_time: int) -> int:
        if interval.seconds < Interval.D1.seconds:
            edges = self.edges(open_time)
            i = bisect.bisect_right(edges, (open_time, 2, date.max))
            cut = edges[i][0] if i < len(edges) else None
            end = open_time + interval.seconds
            return end if cut is None else min(end, cut)
        day = self.trading_date(open_time) or datetime.fromtimestamp(open_time, UTC).date()
        if interval is Interval.D1:
            start = day + timedelta(days=1)
        elif interval is Interval.W1:
            start = day - timedelta(days=day.weekday()) + timedelta(days=7)
        else:
            start = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
        opened = self.first_open(start, until=40)
        return opened if opened is not None else interval.next_open(open_time)

    def market_status(self, ts: float) -> str:
        """ "open" inside a segment, else "closed" (the feed's own status is preferred)."""
        edges = self.edges(ts)
        i = bisect.bisect_right(edges, (int(ts // 1), 2, date.max)) - 1
        return "open" if i >= 0 and edges[i][1] == 0 else "closed"


def _minutes(hhmm: str) -> int:
    return int(hhmm[:2]) * 60 + int(hhmm[2:])
