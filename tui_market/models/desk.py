"""Desk mode: what the ingester tells its followers through the database, and how a follower
judges it. Plain frozen dataclasses, no I/O: the follower's book and the health line read them.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui_market.models.feed import FeedStatus
from tui_market.models.interval import Interval

SILENT_AFTER = 3.0  # seconds with no write from the ingester (it beats every second): silent


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """The ingester's heartbeat document: who it is, its feed's state, what it watches."""

    owner: str  # "host:pid" of the ingester
    feed: FeedStatus | None
    detail: str = ""
    symbols: tuple[str, ...] = ()
    persist: tuple[Interval, ...] = ()  # intervals whose closed bars it saves
    stopped: bool = False  # it said goodbye (a clean exit): not silent, gone


@dataclass(frozen=True, slots=True)
class IngesterState:
    """What a follower knows of the ingester: its feed, and how long since it last wrote."""

    heartbeat: Heartbeat | None
    age: float | None  # seconds since the follower last saw a write of the ingester

    @property
    def silent(self) -> bool:
        return self.age is None or self.age >= SILENT_AFTER

    @property
    def text(self) -> str:
        """The health line's words: "ingester live, wrote 0 s ago", "ingester silent 12 s"."""
        beat = self.heartbeat
        if beat is None:
            return "ingester not seen yet (run `tui-market ingest`)"
        age = int(self.age) if self.age is not None else 0
        if beat.stopped:
            return f"ingester stopped {age} s ago"
        if self.silent:
            return f"ingester silent {age} s"
        feed = beat.feed.value if beat.feed is not None else "starting"
        return f"ingester {feed}, wrote {age} s ago"
