"""A deterministic, time-accelerated tick stream synthesised from the demo's 1m bars.

Schedule: replay bars are contiguous minutes starting at the first minute boundary at or after
``start``; each lasts 60 replay seconds and is split into ``ticks_per_bar`` evenly spaced
slots (the first on the bar's open time). At every slot each subscribed symbol emits one tick,
in symbol order. The replay clock runs ``speed`` times faster than the wall clock (60: one
replay minute per wall second) and ``clock()`` returns it; ``speed=None`` emits as fast as the
consumer reads, and the clock then follows the ticks.

What each slot trades is ``path.TickPlan``'s. Bars played per symbol (``planned_bar``): a
mirror walk over its recorded 1m bars, starting with the LAST bar played backwards (open = the
history's last close, so prices continue seamlessly from the history), back to the first, then
forwards to the end, and so on. A bar
played backwards swaps open and close. Ticks of one bar visit open, then the low and the high
(low first when the bar closes up, high first when it closes down), then close; in between they
interpolate linearly, so they stay within the bar's range and aggregate back to its OHLC.
Volume is cumulative per session (it restarts at 00:00 UTC), None for series without volume.

``max_rate`` caps ticks per wall second by lowering the effective speed. A symbol added with
``set_symbols`` joins at the next bar boundary; an unknown symbol yields a ``SymbolError``.
Like TradingView's quote snapshot on subscribing, a symbol with volume gets a
snapshot tick: the last price (the next bar's open) and the session's cumulative volume so far,
stamped with its first tick's time, so the first tick's volume counts against a known baseline.
If the consumer falls behind, overdue ticks are emitted at once (their timestamps stay exact)
and ``settled()`` stays at the oldest overdue slot, so no bar is closed before its ticks are read.
A symbol TradingView sends 15 minutes late (``delayed_streaming_900``) is played as it would
arrive: each tick is stamped that much before the slot's time, as a delayed feed's ``lp_time``.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import AsyncIterator, Callable

from tui_market.errors import SymbolNotFound
from tui_market.infrastructure.interfaces import FeedState, FeedStatus, IQuoteStream, SymbolError
from tui_market.infrastructure.interfaces.quote_stream import QuoteEvent
from tui_market.models import Interval
from tui_market.providers.replay.data import ReplayData
from tui_market.providers.replay.path import TickPlan
from tui_market.providers.replay.status import ReplayStatus

log = logging.getLogger(__name__)


class ReplayQuoteStream(IQuoteStream):
    name = "demo"

    def __init__(
        self,
        data: ReplayData | None = None,
        *,
        speed: float | None = 60.0,
        ticks_per_bar: int = 6,
        start: float | None = None,
        max_rate: float = 1000.0,
        wall: Callable[[], float] = time.monotonic,
    ) -> None:
        if speed is not None and speed <= 0:
            raise ValueError("speed must be > 0, or None for as fast as possible")
        if ticks_per_bar < 4:
            raise ValueError("ticks_per_bar must be >= 4 (open, high, low, close)")
        if max_rate <= 0:
            raise ValueError("max_rate must be > 0 ticks per second")
        self.data = data if data is not None else ReplayData.load()
        self.speed, self.ticks_per_bar, self.max_rate = speed, ticks_per_bar, max_rate
        self.start = time.time() if start is None else float(start)
        self.first_open = Interval.M1.floor(self.start + 59.999999)
        self._wall = wall
        self._wanted: set[str] = set()
        self._active: dict[str, int] = {}  # symbol -> slot at which it joined
        self._pending_errors: list[SymbolError] = []
        self._closed = False
        self._wake: asyncio.Event | None = None
        self._anchor: tuple[float, float] | None = None  # (replay clock, wall) when re-anchored
        self._rate_speed = speed
        self._last_ts = self.start
        self._owed = math.inf  # time of the oldest slot not yet wholly yielded (none: inf)
        self._played: dict[str, int] = {}  # bars played by symbols that left (resume there)
        self._joined: set[str] = set()  # active symbols whose quote snapshot is still due
        self._status = ReplayStatus(self.data)
        self._plan = TickPlan(self.data, ticks_per_bar, self.first_open, self._status)

    # -- public API ------------------------------------------------------------------------
    async def set_symbols(self, symbols: set[str]) -> None:
        wanted = set()
        for sym in {s.strip().upper() for s in symbols}:
            try:
                self.data.get(sym)
            except SymbolNotFound as exc:
                log.warning("demo stream: %s", exc)
                self._pending_errors.append(SymbolError(sym, str(exc)))
                continue
            wanted.add(sym)
        self._wanted = wanted
        self._kick()

    def clock(self) -> float:
        if self.speed is None or self._anchor is None:
            return self._last_ts if self.speed is None else self.start
        replay0, wall0 = self._anchor
        return replay0 + (self._wall() - wall0) * (self._rate_speed or 0.0)

    def settled(self) -> float:
        """The clock, held back to the oldest overdue slot while the consumer is behind: a
        wall that jumps (a stalled loop, a paused test) must not close bars before their
        overdue ticks are read."""
        return min(self.clock(), self._owed)

    @property
    def effective_speed(self) -> float | None:
        """``speed`` lowered so that at most ``max_rate`` ticks are due per wall second."""
        return self._rate_speed

    async def close(self) -> None:
        self._closed = True
        self._kick()

    def events(self) -> AsyncIterator[QuoteEvent]:
        return self._run()

    def slot_time(self, slot: int) -> float:
        return self._plan.slot_time(slot)

    def planned_bar(self, symbol: str, k: int) -> tuple[float, float, float, float, float]:
        """(open, high, low, close, volume) of the ``k``-th bar (0 = first) played for
        ``symbol``; bar ``k`` of a symbol subscribed from the start opens at
        ``first_open + 60 * k``."""
        return self._plan.planned_bar(symbol, k)

    # -- internals ---------------------------------------------------------------------------
    def _kick(self) -> None:
        if self._wake is not None:
            self._wake.set()

    def _retune(self, n_symbols: int) -> None:
        """Re-anchor the clock and apply the rate cap for ``n_symbols`` subscribed symbols."""
        if self.speed is None:
            return
        now = self.clock()
        cap = self.max_rate * 60.0 / (self.ticks_per_bar * max(1, n_symbols))
        self._rate_speed = min(self.speed, cap)
        self._anchor = (now, self._wall())

    async def _run(self) -> AsyncIterator[QuoteEvent]:
        self._wake = asyncio.Event()
        yield FeedState(FeedStatus.CONNECTING, detail="offline demo replay")
        if self._closed:
            yield FeedState(FeedStatus.STOPPED)
            return
        self._retune(len(self._wanted))
        yield FeedState(FeedStatus.LIVE, detail=f"demo replay x{self._rate_speed or 'max'}")
        slot = 0
        while not self._closed:
            while self._pending_errors:
                yield self._pending_errors.pop(0)
            self._update_active(slot)
            if not self._active:
                self._owed = math.inf
                await self._wait(None)
                slot = self._catch_up(slot)
                continue
            due = self._owed = self.slot_time(slot)
            if self.speed is not None and self.clock() < due:
                await self._wait((due - self.clock()) / (self._rate_speed or 1.0))
                continue
            self._last_ts = due
            for sym in sorted(self._active):
                info = self._status.changed(sym, due)
                if info is not None and sym in self._wanted:
                    yield info
                if sym in self._joined:
                    self._joined.discard(sym)
                    snapshot = self._plan.snapshot(sym, self._active[sym], slot)
                    if snapshot is not None:
                        yield snapshot
                if sym in self._wanted:  # may change while a tick is being consumed
                    yield self._plan.tick(sym, self._active[sym], slot)
            slot += 1
            if self.speed is None:
                await asyncio.sleep(0)
        yield FeedState(FeedStatus.STOPPED)

    def _catch_up(self, slot: int) -> int:
        """After an idle wait (no symbols), skip to the bar boundary at or after the clock."""
        if self.speed is None:
            return slot
        n = self.ticks_per_bar
        bar = math.ceil((self.clock() - self.first_open) / 60.0)
        return max(slot, bar * n)

    def _update_active(self, slot: int) -> None:
        before, n = len(self._active), self.ticks_per_bar
        for sym in set(self._active) - self._wanted:
            self._played[sym] = (slot - self._active.pop(sym)) // n
            self._joined.discard(sym)
        if slot % n == 0:
            for sym in self._wanted - set(self._active):
                self._active[sym] = slot - self._played.get(sym, 0) * n
                self._joined.add(sym)
        if len(self._active) != before:
            self._retune(len(self._active))

    async def _wait(self, delay: float | None) -> None:
        assert self._wake is not None
        self._wake.clear()
        handle = None
        if delay is not None:
            handle = asyncio.get_running_loop().call_later(max(0.0, delay), self._wake.set)
        await self._wake.wait()
        if handle is not None:
            handle.cancel()
