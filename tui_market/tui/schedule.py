"""What the Symbols screen and the health line show about the scheduled syncs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # APScheduler is imported only when jobs are configured (start-up time)
    from tui_market.jobs.sync_jobs import SyncJobs


@dataclass(frozen=True, slots=True)
class ScheduleInfo:
    """One symbol's scheduled sync, as the Symbols screen shows it."""

    next_run: datetime | None
    last_result: str  # "" before the first run
    paused: bool = False


def _every(seconds: float) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{seconds / 3600:.0f}h"
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds / 60:.0f}m"
    return f"{seconds:g}s"


def health_text(jobs: SyncJobs | None) -> str:
    if jobs is None:
        return ""
    if jobs.paused:
        return "sync jobs paused (p)"
    return f"sync every {_every(jobs.period)} ({jobs.interval.value})"


def infos(jobs: SyncJobs | None, symbols: list[str]) -> dict[str, ScheduleInfo]:
    """Next run and last result per watchlist symbol; empty when scheduling is off."""
    if jobs is None:
        return {}
    result = {}
    for symbol in symbols:
        run = jobs.last_runs.get(symbol)
        last = "" if run is None else (run.summary if run.ok else f"error: {run.summary}")
        result[symbol] = ScheduleInfo(jobs.next_run(symbol), last, jobs.paused)
    return result
