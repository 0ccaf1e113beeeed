"""What the demo replay trades: which recorded bar is played next, the prices of the ticks
inside it and the session's volume (``TickPlan``); the stream (``stream.py``) decides when each
slot is due and who is subscribed."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from tui_market.errors import SymbolNotFound
from tui_market.models import Interval, Tick
from tui_market.providers.replay.data import ReplayData, Row, Series
from tui_market.providers.replay.status import ReplayStatus


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


class TickPlan:
    """Each symbol's trade at each slot of the schedule: slot ``s`` is at ``slot_time(s)``,
    ``ticks_per_bar`` slots a minute from ``first_open``; a symbol that joined at slot
    ``joined`` plays its ``k``-th bar in slots ``joined + k * ticks_per_bar`` onwards."""

    def __init__(
        self, data: ReplayData, ticks_per_bar: int, first_open: float, status: ReplayStatus
    ) -> None:
        self.data, self.ticks_per_bar, self.first_open = data, ticks_per_bar, first_open
        self._status = status
        self._volume = SessionVolume()

    def slot_time(self, slot: int) -> float:
        return self.first_open + slot * 60.0 / self.ticks_per_bar

    def minutes(self, symbol: str) -> Series:
        series = self.data.get(symbol).series.get(Interval.M1)
        if series is None:
            raise SymbolNotFound(f"{symbol} has no 1m bars in the demo data")
        return series

    def planned_bar(self, symbol: str, k: int) -> tuple[float, float, float, float, float]:
        return mirror_bar(self.minutes(symbol).rows, k)

    def snapshot(self, sym: str, joined: int, slot: int) -> Tick | None:
        """The quote snapshot of a symbol joining at ``slot`` (a bar's first slot); None for a
        series without volume (no baseline to give)."""
        first = self.tick(sym, joined, slot, peek=True)
        if first.volume is None:
            return None
        return Tick(sym, first.ts, first.price, self._volume.before(sym, self.slot_time(slot)))

    def tick(self, sym: str, joined: int, slot: int, *, peek: bool = False) -> Tick:
        n = self.ticks_per_bar
        k, j = divmod(slot - joined, n)
        o, h, low, c, v = self.planned_bar(sym, k)
        ts = self.slot_time(slot) - self._status.delay(sym)  # a late feed's trades: that old
        series = self.minutes(sym)
        price = round(min(h, max(low, path_price(o, h, low, c, j, n))), series.price_decimals)
        if not series.has_volume:
            return Tick(sym, ts, price, None)
        if peek:
            return Tick(sym, ts, price, 0.0)
        volume = self._volume.at(sym, self.slot_time(slot - j), v, j, n)
        return Tick(sym, ts, price, volume)
