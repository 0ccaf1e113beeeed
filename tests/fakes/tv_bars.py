"""Bar arithmetic of the fake TradingView server: resolutions, and history bars stamped as
TradingView stamps them: intraday buckets from the session open in the exchange's time zone,
daily bars at the session open (computed here with ``zoneinfo``, not with the app's clock).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

Row = list[Any]  # [t, o, h, l, c] or [t, o, h, l, c, v]; tests may put garbage in it


def resolution_seconds(resolution: str) -> int | None:
    """Seconds of a TradingView resolution ("1", "60", "1H", "1D", "W", "1M"); None if bad."""
    m = re.fullmatch(r"(\d*)([SHDWM]?)", resolution)
    if not m or (not m.group(1) and not m.group(2)):
        return None
    n = int(m.group(1) or 1)
    unit = {"": 60, "S": 1, "H": 3600, "D": 86_400, "W": 604_800, "M": 2_592_000}[m.group(2)]
    return n * unit if n > 0 else None


def session_start(t: float, seconds: int, info: dict[str, Any]) -> float:
    """The open time TradingView stamps on the ``seconds`` bar holding ``t``: UTC buckets for a
    24x7 symbol (and for weeks and months, approximately); else buckets from the latest session
    open in the exchange's zone, a day's bar at that day's open."""
    session, zone = str(info.get("session", "24x7")), str(info.get("timezone", "Etc/UTC"))
    if session == "24x7" or seconds > 86_400 or not re.match(r"\d{4}-", session):
        return t // seconds * seconds
    try:
        local = datetime.fromtimestamp(t, ZoneInfo(zone))
    except (OverflowError, OSError, ValueError):  # a garbage time a test put in the rows
        return t // seconds * seconds
    hour, minute = int(session[:2]), int(session[2:4])
    opened = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if opened > local:  # before today's open: the bucket runs from yesterday's
        opened -= timedelta(days=1)
    start = opened.timestamp()
    return start if seconds == 86_400 else start + (t - start) // seconds * seconds


def aggregate(rows: list[Row], seconds: int, info: dict[str, Any] | None = None) -> list[Row]:
    """Group finer bars into ``seconds`` buckets (``session_start``; UTC without ``info``)."""
    out: list[Row] = []
    for row in rows:
        t = session_start(float(row[0]), seconds, info or {})
        if out and out[-1][0] == t:
            last = out[-1]
            last[2], last[3], last[4] = max(last[2], row[2]), min(last[3], row[3]), row[4]
            if len(last) > 5 and len(row) > 5:
                last[5] += row[5]
        else:
            out.append([t, *row[1:]])
    return out
