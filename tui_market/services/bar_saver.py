"""Closed live bars on their way to the store: saved in batches through SaveBars, kept on
failure (and on cancellation) for the next attempt. Saving twice is harmless: SaveBars is
idempotent."""

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
from tui_market.services.live_state import StorageError

log = logging.getLogger(__name__)


class BarSaver:
    def __init__(self, bus: Any, on_error: Callable[[StorageError], None]) -> None:
        self._bus = bus
        self._on_error = on_error
        self._pending: deque[Bar] = deque()
        self.saved = 0  # bars handed to SaveBars successfully

    def __len__(self) -> int:
        return len(self._pending)

    def add(self, bar: Bar) -> None:
        self._pending.append(bar)

    async def flush(self) -> int:
        """Save every queued bar; returns how many were saved."""
        if not self._pending:
            return 0
        batch = tuple(self._pending)
        self._pending.clear()
        try:
            await self._bus.execute(SaveBars(batch))
        except asyncio.CancelledError:
            log.info("live bar save interrupted; %d bars kept for the final flush", len(batch))
            self._pending.extendleft(reversed(batch))
            raise
        except (MarketError, PyMongoError, OSError) as exc:
            log.error("saving %d live bars failed (kept for retry): %s", len(batch), exc)
            self._pending.extendleft(reversed(batch))
            self._on_error(StorageError(f"saving live bars failed: {exc}", len(self._pending)))
            return 0
        self.saved += len(batch)
        return len(batch)

    async def every(self, seconds: float) -> None:
        """Flush every ``seconds`` until cancelled."""
        while True:
            await asyncio.sleep(seconds)
            await self.flush()
