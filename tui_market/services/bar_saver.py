"""Closed live bars on their way to the store: saved in batches through SaveBars, kept on
failure (and on cancellation) for the next attempt. Saving twice is harmless: SaveBars is
idempotent.

While the database is away the bars wait in memory, at most ``max_pending`` of them: past that
the oldest are dropped and counted, with one warning per outage. The outage is reported once
when it starts (``StorageError``) and once when the backlog is stored (``StorageRecovered``).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from typing import Any

from pymongo.errors import PyMongoError

from tui_market.commands.save_bars import SaveBars
from tui_market.errors import MarketError
from tui_market.models import Bar
from tui_market.models.live import StorageError, StorageEvent, StorageRecovered

log = logging.getLogger(__name__)
MAX_PENDING = 50_000  # bars kept while the database is away (~a day of 1m bars, 35 symbols)
BATCH = 5_000  # bars per SaveBars call


class BarSaver:
    def __init__(
        self,
        bus: Any,
        on_event: Callable[[StorageEvent], None],
        *,
        max_pending: int = MAX_PENDING,
        batch: int = BATCH,
    ) -> None:
        self._bus = bus
        self._on_event = on_event
        self.max_pending = max(1, max_pending)
        self._batch = max(1, batch)
        self._pending: deque[Bar] = deque()
        self._in_flight = 0  # bars of the batch being saved (out of ``_pending`` meanwhile)
        self.saved = 0  # bars handed to SaveBars successfully
        self.dropped = 0  # oldest bars dropped because the queue was full (all outages)
        self.down = False  # the last save failed
        self._outage_saved = 0  # backlog bars stored since the database came back
        self._outage_dropped = 0  # dropped since the queue was last emptied

    def __len__(self) -> int:
        return len(self._pending) + self._in_flight

    def add(self, bar: Bar) -> None:
        self._pending.append(bar)
        # A batch in flight is older than every queued bar: it is trimmed if it comes back.
        self._trim(self.max_pending)

    def _trim(self, limit: int) -> None:
        excess = len(self._pending) - limit
        if excess <= 0:
            return
        for _ in range(excess):
            self._pending.popleft()
        if not self._outage_dropped:
            log.warning(
                "live bar queue full (%d bars): dropping the oldest until the database is back",
                self.max_pending,
            )
            self._on_event(
                StorageError(
                    f"database away too long: over {self.max_pending:,} closed bars waiting, the "
                    "oldest are being dropped",
                    len(self),
                )
            )
        self._outage_dropped += excess
        self.dropped += excess

    def _put_back(self, batch: tuple[Bar, ...]) -> None:
        self._in_flight = 0
        self._pending.extendleft(reversed(batch))
        self._trim(self.max_pending)

    async def flush(self) -> int:
        """Save every queued bar, oldest first; returns how many were saved."""
        done = 0
        while self._pending:
            size = min(self._batch, len(self._pending))
            batch = tuple(self._pending.popleft() for _ in range(size))
            self._in_flight = size
            try:
                await self._bus.execute(SaveBars(batch))
            except asyncio.CancelledError:
                log.info("live bar save interrupted; %d bars kept for the final flush", size)
                self._put_back(batch)
                raise
            except (MarketError, PyMongoError, OSError) as exc:
                self._put_back(batch)
                self._failed(exc)
                return done
            self._in_flight = 0
            done += size
            self.saved += size
            if self.down:
                self._outage_saved += size
        self._emptied()
        return done

    def _failed(self, exc: Exception) -> None:
        if self.down:
            log.info("saving live bars still failing (%d kept): %s", len(self), exc)
            return
        self.down = True
        log.error("saving %d live bars failed (kept for retry): %s", len(self), exc)
        self._on_event(
            StorageError(
                f"saving live bars failed: {exc.__class__.__name__}; closed bars are kept in "
                "memory until the database is back",
                len(self),
            )
        )

    def _emptied(self) -> None:
        if self.down:
            log.warning(
                "database back: %d waiting bars saved, %d dropped",
                self._outage_saved,
                self._outage_dropped,
            )
            self._on_event(StorageRecovered(self._outage_saved, self._outage_dropped))
        self.down = False
        self._outage_saved = self._outage_dropped = 0

    async def every(self, seconds: float) -> None:
        """Flush every ``seconds`` until cancelled."""
        while True:
            await asyncio.sleep(seconds)
            await self.flush()
