"""DataSyncService: sync the history of many symbols, one after another, with progress.

An error on one symbol (unknown symbol, provider down, bad text, database error) is logged
and recorded in that symbol's outcome; the run goes on. Cancellation (``cancel`` set) is
checked between symbols: the symbol in flight finishes, the rest are not started and get no
outcome (so ``len(outcomes) < len(symbols)`` tells a cancelled run).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pymongo.errors import PyMongoError

from tui_market.commands.sync_history import SyncHistory, SyncResult
from tui_market.errors import ProviderError
from tui_market.models import Interval, InvalidSymbol
from tui_market.services.bus import Bus

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int, str], None]


def failure_text(symbol: str, exc: BaseException) -> str:
    """Why ``symbol`` failed, for a line that names it already: the error's text without the
    ``SYMBOL: `` that providers put in front."""
    text = str(exc) or type(exc).__name__
    return text.removeprefix(f"{symbol}: ") or text


@dataclass(frozen=True, slots=True)
class SyncOutcome:
    symbol: str
    result: SyncResult | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.error is None


class DataSyncService:
    def __init__(self, bus: Bus) -> None:
        self._bus = bus

    async def sync_many(
        self,
        symbols: Sequence[str],
        interval: Interval,
        n_bars: int = 5000,
        on_progress: ProgressCallback | None = None,
        cancel: asyncio.Event | None = None,
    ) -> list[SyncOutcome]:
        outcomes: list[SyncOutcome] = []
        total = len(symbols)
        for symbol in symbols:
            if cancel is not None and cancel.is_set():
                log.info("sync run cancelled after %d of %d symbols", len(outcomes), total)
                break
            outcomes.append(await self._sync_one(symbol, interval, n_bars))
            if on_progress is not None:
                on_progress(len(outcomes), total, symbol)
        return outcomes

    async def _sync_one(self, symbol: str, interval: Interval, n_bars: int) -> SyncOutcome:
        try:
            result = await self._bus.execute(SyncHistory(symbol, interval, n_bars))
        except (ProviderError, InvalidSymbol) as exc:
            log.warning("sync %s %s failed: %s", symbol, interval.value, exc)
            return SyncOutcome(symbol, None, failure_text(symbol, exc))
        except PyMongoError as exc:
            log.error("sync %s %s: database error: %s", symbol, interval.value, exc)
            return SyncOutcome(symbol, None, f"database error: {exc}")
        return SyncOutcome(result.symbol, result, None)
