"""Desk jobs on the real database: a sync asked for by followers runs once, in the runner that
claims it (an atomic claim with a lease); a dead runner's job is taken over when its lease
ends; a scheduled sync of one series runs in one place however many schedules hold it."""

from __future__ import annotations

import asyncio

import pytest

from tests.fakes.memory_provider import MemoryProvider, make_bars
from tui_market.commands.desk_jobs import ClaimJob, FinishJob
from tui_market.commands.queued_sync import QueuedSyncHandler
from tui_market.commands.sync_history import SyncHistory
from tui_market.errors import SymbolNotFound
from tui_market.infrastructure.database import Database
from tui_market.jobs.sync_jobs import SyncJobs
from tui_market.models import Interval
from tui_market.queries.get_bars import GetBars
from tui_market.runtime import make_bus, offline_providers
from tui_market.services.bus import Bus
from tui_market.services.job_runner import JobRunner
from tui_market.settings import load_settings

SYMBOL = "NASDAQ:AAPL"


def history() -> MemoryProvider:
    provider = MemoryProvider()
    provider.set_bars(SYMBOL, Interval.H1, make_bars(SYMBOL, Interval.H1, 40))
    return provider


def follower_bus(db: Database) -> Bus:
    """A terminal with ``feed = "database"``: no provider; its syncs are queued."""
    bus = make_bus(db, offline_providers(load_settings())[0])
    bus.register(SyncHistory, QueuedSyncHandler(db, poll=0.05, timeout=60))
    return bus


async def test_a_sync_asked_by_three_followers_runs_once(database: Database) -> None:
    providers = [history(), history()]
    runners = [
        JobRunner(make_bus(database, p), every=0.05, owner=f"runner-{i}")
        for i, p in enumerate(providers)
    ]
    tasks = [asyncio.create_task(r.run()) for r in runners]
    try:
        asks = [follower_bus(database).execute(SyncHistory(SYMBOL, Interval.H1, 100))]
        await asyncio.sleep(0)  # the first is queued; the next two join it
        asks += [
            follower_bus(database).execute(SyncHistory(SYMBOL, Interval.H1, 100)) for _ in "ab"
        ]
        results = await asyncio.gather(*asks)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    assert sum(len(p.calls) for p in providers) == 1
    assert sum(r.ran for r in runners) == 1
    assert {(r.new, r.updated, r.unchanged) for r in results} == {(40, 0, 0)}
    stored = await make_bus(database, history()).execute(GetBars(SYMBOL, Interval.H1))
    assert len(stored) == 40


async def test_an_unknown_symbol_fails_the_followers_sync_with_its_message(
    database: Database,
) -> None:
    runner = JobRunner(make_bus(database, history()), every=0.05)
    task = asyncio.create_task(runner.run())
    try:
        with pytest.raises(SymbolNotFound, match="NASDAQ:NOPE"):
            await follower_bus(database).execute(SyncHistory("NASDAQ:NOPE", Interval.H1, 10))
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_a_dead_runners_job_is_taken_over_when_its_lease_ends(database: Database) -> None:
    asked = asyncio.create_task(
        follower_bus(database).execute(SyncHistory(SYMBOL, Interval.H1, 100))
    )
    dead = make_bus(database, history())
    claimed = None
    while claimed is None:  # the runner that will die claims the job, then never finishes it
        claimed = await dead.execute(ClaimJob("dead-runner", lease=1.0))
        await asyncio.sleep(0.02)
    provider = history()
    alive = JobRunner(make_bus(database, provider), owner="alive-runner", lease=1.0)
    assert await alive.run_once() is False  # the lease holds: not claimable yet
    while not await alive.run_once():
        await asyncio.sleep(0.1)
    result = await asked
    assert result.new == 40 and len(provider.calls) == 1
    late = await dead.execute(
        FinishJob(str(claimed["_id"]), str(claimed["request"]), "dead-runner", None, "too late")
    )
    assert late is False  # its outcome does not overwrite the one that ran


async def test_a_scheduled_sync_runs_in_one_place(database: Database) -> None:
    providers = [history(), history(), history()]
    schedules = [SyncJobs(make_bus(database, p), Interval.H1, period=3600) for p in providers]
    for jobs in schedules:
        jobs.set_symbols([SYMBOL])
    runs = await asyncio.gather(*(jobs.run_once(SYMBOL) for jobs in schedules))
    assert sum(len(p.calls) for p in providers) == 1
    assert sorted(r.summary for r in runs) == [
        "40 new, 0 updated",
        "run by another process",
        "run by another process",
    ]
