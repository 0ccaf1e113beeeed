"""Scheduled re-syncs of the watchlist: one APScheduler job per symbol for the chosen interval.

Jobs are added and removed as the watchlist changes; the whole schedule can be paused. Each run
executes ``SyncHistory`` through the bus and records a ``JobRun`` (shown on the Symbols screen).
A job that no longer exists when removed is logged, not an error. No Textual here.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import STATE_PAUSED, STATE_STOPPED
from pymongo.errors import PyMongoError

from tui_market.commands.desk_jobs import ClaimScheduled
from tui_market.commands.sync_history import SyncHistory, SyncResult
from tui_market.errors import MarketError
from tui_market.models import Interval

log = logging.getLogger(__name__)


class BusLike(Protocol):
    async def execute(self, message: Any) -> Any: ...


@dataclass(frozen=True, slots=True)
class JobRun:
    """The outcome of one scheduled sync."""

    symbol: str
    interval: Interval
    at: datetime
    ok: bool
    summary: str  # "3 new, 1 updated" or the error message


OnRun = Callable[[JobRun], None]


class SyncJobs:
    """The schedule. ``period`` is seconds between runs of each symbol's job."""

    def __init__(
        self,
        bus: BusLike,
        interval: Interval,
        period: float,
        *,
        n_bars: int = 500,
        on_run: OnRun | None = None,
    ) -> None:
        self._bus = bus
        self.interval = interval
        self.period = period
        self._n_bars = n_bars
        self._on_run = on_run
        self._owner = f"{socket.gethostname()}:{os.getpid()}"
        self._scheduler = AsyncIOScheduler(
            timezone=UTC, job_defaults={"coalesce": True, "max_instances": 1}
        )
        self._symbols: list[str] = []
        self.last_runs: dict[str, JobRun] = {}

    # ---- lifecycle ----------------------------------------------------------------------------
    def start(self, *, paused: bool = False) -> None:
        """Start on the running event loop."""
        self._scheduler.start(paused=paused)

    def shutdown(self) -> None:
        if self._scheduler.state != STATE_STOPPED:
            self._scheduler.shutdown(wait=False)

    @property
    def paused(self) -> bool:
        return self._scheduler.state == STATE_PAUSED

    def pause(self) -> None:
        if self._scheduler.state != STATE_STOPPED:
            self._scheduler.pause()

    def resume(self) -> None:
        if self._scheduler.state == STATE_PAUSED:
            self._scheduler.resume()

    def toggle(self) -> bool:
        """Pause or resume; returns True when now paused."""
        self.resume() if self.paused else self.pause()
        return self.paused

    async def _claim(self, symbol: str, interval: Interval) -> bool:
        try:
            mine: bool = await self._bus.execute(
                ClaimScheduled(symbol, interval, self.period, self._owner)
            )
        except PyMongoError as exc:  # the sync's own writes will say what is wrong
            log.warning("cannot claim the scheduled sync of %s: %s", symbol, exc)
            return True
        return mine

    # ---- jobs ---------------------------------------------------------------------------------
    @staticmethod
    def job_id(symbol: str) -> str:
        return f"sync:{symbol}"

    def set_symbols(self, symbols: Iterable[str]) -> None:
        """Make the jobs match ``symbols``: add the new ones, remove the gone ones."""
        wanted = list(dict.fromkeys(symbols))
        for symbol in set(self._symbols) - set(wanted):
            self._remove(symbol)
        for symbol in wanted:
            if self._scheduler.get_job(self.job_id(symbol)) is None:
                self._add(symbol)
        self._symbols = wanted

    def set_interval(self, interval: Interval) -> None:
        """Sync ``interval`` from now on (jobs keep their times)."""
        self.interval = interval

    def next_run(self, symbol: str) -> datetime | None:
        job = self._scheduler.get_job(self.job_id(symbol))
        return job.next_run_time if job is not None else None

    def _add(self, symbol: str) -> None:
        first = datetime.now(UTC) + timedelta(seconds=self.period)
        self._scheduler.add_job(
            self.run_once,
            "interval",
            args=[symbol],
            seconds=self.period,
            id=self.job_id(symbol),
            name=f"sync {symbol}",
            next_run_time=first,
            replace_existing=True,
            misfire_grace_time=max(1, int(self.period)),
        )
        log.info("scheduled %s every %.0f s", symbol, self.period)

    def _remove(self, symbol: str) -> None:
        try:
            self._scheduler.remove_job(self.job_id(symbol))
        except JobLookupError:
            log.info("no scheduled job for %s to remove (already gone)", symbol)
        self.last_runs.pop(symbol, None)

    async def run_once(self, symbol: str) -> JobRun:
        """One scheduled sync of ``symbol``; never raises (the outcome is recorded). Each
        period's run is claimed in the database first: however many terminals and ingesters
        schedule the same series, one of them runs it."""
        interval = self.interval
        if not await self._claim(symbol, interval):
            log.info("scheduled sync of %s %s ran in another process", symbol, interval.value)
            return JobRun(symbol, interval, datetime.now(UTC), True, "run by another process")
        try:
            result: SyncResult = await self._bus.execute(
                SyncHistory(symbol, interval, n_bars=self._n_bars)
            )
        except (MarketError, PyMongoError, OSError) as exc:
            log.warning("scheduled sync of %s %s failed: %s", symbol, interval.value, exc)
            run = JobRun(symbol, interval, datetime.now(UTC), False, str(exc) or type(exc).__name__)
        else:
            summary = f"{result.new} new, {result.updated} updated"
            log.info("scheduled sync of %s %s: %s", symbol, interval.value, summary)
            run = JobRun(symbol, interval, datetime.now(UTC), True, summary)
        if symbol in self._symbols:
            self.last_runs[symbol] = run
        if self._on_run is not None:
            self._on_run(run)
        return run
