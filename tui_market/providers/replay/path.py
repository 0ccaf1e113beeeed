"""The price path of the demo replay: which recorded bar is played next, and the prices of the
ticks inside it (see ``replay_stream`` for the schedule)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from tui_market.providers.replay.data import Row


def mirror_bar(rows: Sequence[Row], k: int) -> tuple[float, float, float, float, float]:
    """(open, high, low, close, volume) of the ``k``-th bar of a mirror walk over ``rows``:
    the last bar played backwards (open and close swapped) back to the first, then forwards
    to the end, and so on."""
    n = len(rows)
    pos = k % (2 * n)
    if pos < n:
        _, o, h, low, c, v = rows[n - 1 - pos]
        return (c, h, low, o, v)
    _, o, h, low, c, v = rows[pos - n]
    return (o, h, low, c, v)


def path_price(o: float, h: float, low: float, c: float, j: int, n: int) -> float:
    """Price of tick ``j`` of ``n``: open -> first extreme -> second extreme -> close, linear
    in between (low first when the bar closes up, high first when it closes down)."""
    first, second = (low, h) if c >= o else (h, low)
    i1 = max(1, round((n - 1) / 3))
    i2 = min(n - 2, max(i1 + 1, round(2 * (n - 1) / 3)))
    points = ((0, o), (i1, first), (i2, second), (n - 1, c))
    for (ja, pa), (jb, pb) in itertools.pairwise(points):
        if j <= jb:
            return pa + (pb - pa) * (j - ja) / (jb - ja) if jb > ja else pb
    return c


class SessionVolume:
    """Cumulative volume per symbol and UTC session day (restarts at 00:00 UTC)."""

    def __init__(self) -> None:
        self._state: dict[str, tuple[int, float]] = {}  # symbol -> (day, volume before bar)

    def before(self, symbol: str, bar_open: float) -> float:
        """Cumulative volume traded in the session before the bar opening at ``bar_open``."""
        day = int(bar_open // 86_400)
        prev_day, before = self._state.get(symbol, (day, 0.0))
        return before if day == prev_day else 0.0

    def at(self, symbol: str, bar_open: float, bar_volume: float, j: int, n: int) -> float:
        """Cumulative volume after tick ``j`` of ``n`` of a bar opening at ``bar_open``."""
        day = int(bar_open // 86_400)
        prev_day, before = self._state.get(symbol, (day, 0.0))
        if day != prev_day:
            before = 0.0
        self._state[symbol] = (day, before + bar_volume if j == n - 1 else before)
        return before + bar_volume * (j + 1) / n
