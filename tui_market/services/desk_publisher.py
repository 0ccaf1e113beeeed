"""DeskPublisher: the ingester's side of desk mode. It turns the live service's state into
the database's ``live`` documents and heartbeat, at a bounded rate.

Every ``every`` seconds (0.1: at most ten writes a second per symbol, however fast ticks come)
it takes the live service's snapshot and writes, in one bulk write, the symbols whose quote
changed since the last round (a snapshot hands back the same ``SymbolQuote`` object for a symbol
that did not tick, so this costs an identity check), with the bars that closed meanwhile. Every
``beat_every`` seconds it also writes the heartbeat, so followers can tell a quiet market from
a dead ingester. While the database is away a round fails, is logged once, and the next round
writes the newest state: a live document is a state, not a log, so nothing is queued but the
closed bars named in it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from pymongo.errors import PyMongoError

from tui_market.commands.publish_live import PublishLive
from tui_market.infrastructure import desk_schema
from tui_market.models import Bar, Interval
from tui_market.models.desk import Heartbeat
from tui_market.models.live import BarClosedEvent, LiveEvent, LiveSnapshot, SymbolQuote

log = logging.getLogger(__name__)
EVERY = 0.1  # seconds between rounds: at most ten writes a second per symbol
BEAT_EVERY = 1.0  # seconds between heartbeats


class Snapshots(Protocol):
    def snapshot(self) -> LiveSnapshot: ...


class BusLike(Protocol):
    async def execute(self, message: Any) -> Any: ...


def owner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class DeskPublisher:
    def __init__(
        self,
        service: Snapshots,
        bus: BusLike,
        persist: Sequence[Interval],
        *,
        every: float = EVERY,
        beat_every: float = BEAT_EVERY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._service = service
        self._bus = bus
        self._persist = tuple(persist)
        self._every = every
        self._beat_every = beat_every
        self._clock = clock
        self.owner = owner_name()
        self._sent: dict[str, SymbolQuote] = {}
        self._closed: dict[str, dict[Interval, Bar]] = {}
        self._last_beat: float | None = None
        self._failing = False
        self.rounds = self.writes = 0

    def on_event(self, event: LiveEvent) -> None:
        """The live service's events: closed bars ride in their symbol's next document."""
        if isinstance(event, BarClosedEvent):
            bar = event.bar
            held = self._closed.setdefault(bar.symbol, {}).get(bar.interval)
            if held is None or bar.time >= held.time:
                self._closed[bar.symbol][bar.interval] = bar

    async def run(self) -> None:
        """Publish until cancelled."""
        while True:
            started = self._clock()
            await self.publish_once()
            await asyncio.sleep(max(0.0, self._every - (self._clock() - started)))

    async def publish_once(self) -> int:
        """One round; returns how many documents were written."""
        snapshot = self._service.snapshot()
        changed = {
            symbol: quote
            for symbol, quote in snapshot.quotes.items()
            if quote is not self._sent.get(symbol) or symbol in self._closed
        }
        closed = {s: self._closed.pop(s) for s in list(self._closed) if s in changed}
        docs = tuple(
            desk_schema.live_doc(quote, closed.get(symbol, {}), self.owner)
            for symbol, quote in changed.items()
        )
        now = self._clock()
        beat = None
        if self._last_beat is None or now - self._last_beat >= self._beat_every:
            beat = desk_schema.heartbeat_doc(self.heartbeat(snapshot))
        if not docs and beat is None:
            return 0
        try:
            written: int = await self._bus.execute(PublishLive(docs, beat))
        except PyMongoError as exc:
            for symbol, bars in closed.items():  # named again in the next round
                for interval, bar in bars.items():
                    self._closed.setdefault(symbol, {}).setdefault(interval, bar)
            if not self._failing:
                log.warning("publishing live state failed (retried every round): %s", exc)
            self._failing = True
            return 0
        if self._failing:
            log.info("publishing live state works again")
        self._failing = False
        self._sent.update(changed)
        if beat is not None:
            self._last_beat = now
        self.rounds += 1
        self.writes += written
        return written

    def heartbeat(self, snapshot: LiveSnapshot, *, stopped: bool = False) -> Heartbeat:
        feed = snapshot.feed
        return Heartbeat(
            owner=self.owner,
            feed=feed.status if feed is not None else None,
            detail=feed.detail if feed is not None else "",
            symbols=tuple(sorted(snapshot.quotes)),
            persist=self._persist,
            stopped=stopped,
        )

    async def goodbye(self) -> None:
        """A clean exit: say so, so followers show "stopped" rather than "silent"."""
        await self.publish_once()
        beat = self.heartbeat(self._service.snapshot(), stopped=True)
        try:
            await self._bus.execute(PublishLive((), desk_schema.heartbeat_doc(beat)))
        except PyMongoError as exc:
            log.warning("could not write the ingester's last heartbeat: %s", exc)
