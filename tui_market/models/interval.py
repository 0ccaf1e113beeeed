"""Bar intervals and their UTC bucket alignment.

Alignment (documented policy): intraday and daily bars start on multiples of their length
since the Unix epoch, in UTC. Weekly bars start on Monday 00:00 UTC (TradingView's week).
Monthly bars start on the first day of the calendar month, 00:00 UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

_WEEK_ORIGIN = 4 * 86_400  # 1970-01-05 was a Monday


class Interval(StrEnum):
    """A bar length. The value is the short name a trader types (``1m``, ``4h``, ``1D``)."""

    M1 = "1m"
    M3 = "3m"
    M5 = "5m"
    M15 = "15m"
    M30 = "30m"
    M45 = "45m"
    H1 = "1h"
    H2 = "2h"
    H3 = "3h"
    H4 = "4h"
    D1 = "1D"
    W1 = "1W"
    MN1 = "1M"

    @classmethod
    def parse(cls, text: str) -> Interval:
        """Accept ``1m``/``1h``/``1D``, TradingView resolutions (``60``, ``1D``) and ``D``/``W``."""
        raw = text.strip()
        for item in cls:
            if raw == item.value or raw == item.tv_resolution:
                return item
        lowered = raw.lower()
        aliases = {"d": cls.D1, "1d": cls.D1, "w": cls.W1, "1w": cls.W1, "mo": cls.MN1}
        if lowered in aliases:
            return aliases[lowered]
        names = ", ".join(i.value for i in cls)
        raise ValueError(f"unknown interval {text!r}: use one of {names}")

    @property
    def seconds(self) -> int:
        """Nominal length in seconds (a month counts as 30 days)."""
        return _SECONDS[self]

    @property
    def is_calendar(self) -> bool:
        return self is Interval.MN1

    @property
    def tv_resolution(self) -> str:
        """The resolution string TradingView's websocket expects."""
        return _TV_RESOLUTION[self]

    @property
    def tvdatafeed_name(self) -> str:
        """The member name of ``tvDatafeed.Interval`` for this interval."""
        return _TVDATAFEED[self]

    def floor(self, epoch: float) -> int:
        """Open time (epoch seconds, UTC) of the bar that contains ``epoch``."""
        t = int(epoch // 1)
        if self is Interval.MN1:
            d = datetime.fromtimestamp(t, UTC)
            return int(datetime(d.year, d.month, 1, tzinfo=UTC).timestamp())
        if self is Interval.W1:
            return t - (t - _WEEK_ORIGIN) % 604_800
        step = _SECONDS[self]
        return t - t % step

    def next_open(self, bar_open: int) -> int:
        """Open time of the bar after the one opening at ``bar_open``."""
        if self is Interval.MN1:
            d = datetime.fromtimestamp(bar_open, UTC)
            year, month = (d.year + 1, 1) if d.month == 12 else (d.year, d.month + 1)
            return int(datetime(year, month, 1, tzinfo=UTC).timestamp())
        return bar_open + _SECONDS[self]


_SECONDS = {
    Interval.M1: 60,
    Interval.M3: 180,
    Interval.M5: 300,
    Interval.M15: 900,
    Interval.M30: 1800,
    Interval.M45: 2700,
    Interval.H1: 3600,
    Interval.H2: 7200,
    Interval.H3: 10_800,
    Interval.H4: 14_400,
    Interval.D1: 86_400,
    Interval.W1: 604_800,
    Interval.MN1: 2_592_000,
}
_TV_RESOLUTION = {
    Interval.M1: "1",
    Interval.M3: "3",
    Interval.M5: "5",
    Interval.M15: "15",
    Interval.M30: "30",
    Interval.M45: "45",
    Interval.H1: "60",
    Interval.H2: "120",
    Interval.H3: "180",
    Interval.H4: "240",
    Interval.D1: "1D",
    Interval.W1: "1W",
    Interval.MN1: "1M",
}
_TVDATAFEED = {
    Interval.M1: "in_1_minute",
    Interval.M3: "in_3_minute",
    Interval.M5: "in_5_minute",
    Interval.M15: "in_15_minute",
    Interval.M30: "in_30_minute",
    Interval.M45: "in_45_minute",
    Interval.H1: "in_1_hour",
    Interval.H2: "in_2_hour",
    Interval.H3: "in_3_hour",
    Interval.H4: "in_4_hour",
    Interval.D1: "in_daily",
    Interval.W1: "in_weekly",
    Interval.MN1: "in_monthly",
}
