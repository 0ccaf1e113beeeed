"""The live worker: QuoteService in an app worker, its events turned into app messages, and the
frame: the latest snapshot and the health line's ages, taken ~10 times a second.

The worker never touches widgets: it posts facts to the app. The app's frame timer sets the
app's ``snapshot`` and ``health``, which flow down to the screens; however fast ticks come, the
screens repaint at most at the frame rate.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Protocol

from textual.app import App
from textual.worker import Worker, WorkerCancelled, WorkerFailed

from tui_market.infrastructure.interfaces import FeedState, FeedStatus, IQuoteStream, SymbolError
from tui_market.models.alert import AlertFired
from tui_market.models.live import (
    LiveEvent,
    LiveSnapshot,
    StorageError,
    StorageRecovered,
)
from tui_market.services.desk_follower import DeskFollower
from tui_market.services.quote_service import QuoteService
from tui_market.tui.health import HealthState
from tui_market.tui.messages import AlertTriggered, FeedStateChanged, LiveNotice

log = logging.getLogger(__name__)
FRAME = 0.1  # seconds between frames: the screens' repaint rate for live data


class Closable(Protocol):
    """What stops the live worker: the quote stream, or the desk follower itself."""

    async def close(self) -> None: ...


class LiveBridge:
    """Owns the live worker for one app."""

    def __init__(
        self,
        app: App[None],
        service: QuoteService | DeskFollower,
        stream: IQuoteStream | Closable,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.service = service
        self.stream = stream
        self._monotonic = monotonic
        self.worker: Worker[None] | None = None
        self._version = -1
        self._last_tick: float | None = None  # newest tick ts seen (stream time)
        self._last_tick_wall: float | None = None  # when we saw it (monotonic)
        self._retry_deadline: float | None = None

    # ---- worker -------------------------------------------------------------------------------
    def start(self) -> None:
        self.worker = self.app.run_worker(
            partial(self.service.run, self._on_event),
            name="live feed",
            group="live",
            description="live quotes",
            exit_on_error=False,
        )

    async def stop(self, timeout: float = 3.0) -> None:
        """Close the stream so the service flushes its queued bars and ends by itself."""
        worker = self.worker
        if worker is None or worker.is_finished:
            return
        await self.stream.close()
        try:
            await asyncio.wait_for(worker.wait(), timeout)
        except (TimeoutError, WorkerCancelled):  # wait() turns wait_for's timeout into this
            log.warning("live worker did not stop within %.0f s; cancelling it", timeout)
            worker.cancel()
        except WorkerFailed as exc:
            log.error("live worker failed while stopping: %s", exc.error)

    def set_symbols(self, symbols: list[str]) -> None:
        # a callable, not a coroutine: one never started (the app quitting) is never created
        self.subscribing: Worker[None] = self.app.run_worker(
            partial(self.service.set_symbols, set(symbols)),
            name="live symbols",
            group="live-symbols",
            exclusive=True,
            description="live subscriptions",
            exit_on_error=False,
        )

    def _on_event(self, event: LiveEvent) -> None:
        if isinstance(event, FeedState):
            self.app.post_message(FeedStateChanged(event))
        elif isinstance(event, SymbolError):
            self.app.post_message(LiveNotice(f"{event.symbol}: {event.message}"))
        elif isinstance(event, StorageError):
            self.app.post_message(LiveNotice(event.message, "error", "Database"))
        elif isinstance(event, StorageRecovered):
            self.app.post_message(LiveNotice(event.message, "information", "Database"))
        elif isinstance(event, AlertFired):
            self.app.post_message(AlertTriggered(event))

    # ---- app side -----------------------------------------------------------------------------
    def feed_changed(self, state: FeedState, health: HealthState) -> HealthState:
        if state.status is FeedStatus.BACKING_OFF and state.retry_in is not None:
            self._retry_deadline = self._monotonic() + state.retry_in
        else:
            self._retry_deadline = None
        return replace(health, feed=state, retry_left=self._retry_left())

    def _retry_left(self) -> int | None:
        if self._retry_deadline is None:
            return None
        return max(0, math.ceil(self._retry_deadline - self._monotonic()))

    def frame(self, health: HealthState) -> tuple[LiveSnapshot | None, HealthState]:
        """One frame: the snapshot if it changed, and the health state with fresh ages."""
        snapshot = self.service.snapshot()
        fresh = None
        if snapshot.version != self._version:
            self._version = snapshot.version
            fresh = snapshot
            newest = max((q.last_ts for q in snapshot.quotes.values() if q.last_ts), default=None)
            if newest is not None and newest != self._last_tick:
                self._last_tick, self._last_tick_wall = newest, self._monotonic()
        age = None
        if self._last_tick_wall is not None:
            age = int(self._monotonic() - self._last_tick_wall)
        pending = snapshot.pending if health.database_up is False else 0  # shown while down
        delays = [q.delay for q in snapshot.quotes.values() if q.delay]
        delayed = f"{len(delays)} delayed {max(delays) // 60}m" if delays else ""
        updated = replace(
            health,
            tick_age=age,
            retry_left=self._retry_left(),
            pending=pending,
            delayed=delayed,
        )
        if isinstance(self.service, DeskFollower):
            ingester = self.service.ingester()
            beat = ingester.heartbeat
            ok = beat is not None and not beat.stopped and not ingester.silent
            updated = replace(updated, ingester=ingester.text, ingester_ok=ok)
        return fresh, updated
