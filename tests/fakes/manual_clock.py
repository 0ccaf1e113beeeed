"""A clock that moves only when a test moves it: a replay stream's wall, a fake server's and a
TradingView client's time base (``ScriptClockStream``)."""

from __future__ import annotations


class ManualWall:
    """Returns ``now``, which only the test changes."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
