"""Scheduled syncs: SyncJobs on its own (real bus, replay provider, real db) and in the app."""

from __future__ import annotations

import logging

import pytest
from textual.widgets import DataTable

from tests.ui.conftest import SYNCED_AT, WATCHLIST, app_for, replay_provider, seed, settle, until
from tui_market.infrastructure.database import Database
from tui_market.jobs.sync_jobs import JobRun, SyncJobs
from tui_market.models import Interval
from tui_market.runtime import Runtime, make_bus
from tui_market.tui.screens.symbols import SymbolsScreen


async def test_jobs_follow_the_watchlist_and_a_missing_job_is_only_logged(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    jobs = SyncJobs(make_bus(database, replay_provider()), Interval.D1, period=3600)
    jobs.start()
    try:
        jobs.set_symbols(["NASDAQ:AAPL", "SP:SPX"])
        assert jobs.next_run("NASDAQ:AAPL") is not None
        jobs.set_symbols(["SP:SPX", "TVC:DXY"])
        assert jobs.next_run("NASDAQ:AAPL") is None
        assert jobs.next_run("TVC:DXY") is not None
        jobs._scheduler.remove_job(jobs.job_id("SP:SPX"))  # gone behind our back
        with caplog.at_level(logging.INFO, logger="tui_market.jobs.sync_jobs"):
            jobs.set_symbols(["TVC:DXY"])
        assert "no scheduled job for SP:SPX" in caplog.text
        assert jobs.toggle() is True and jobs.paused
        assert jobs.toggle() is False and not jobs.paused
    finally:
        jobs.shutdown()


async def test_a_run_records_success_and_failure(database: Database) -> None:
    runs: list[JobRun] = []
    jobs = SyncJobs(
        make_bus(database, replay_provider()), Interval.D1, period=3600, on_run=runs.append
    )
    jobs.set_symbols(["NASDAQ:AAPL", "NASDAQ:NOPE"])
    good = await jobs.run_once("NASDAQ:AAPL")
    bad = await jobs.run_once("NASDAQ:NOPE")
    assert good.ok and good.summary.endswith("updated") and int(good.summary.split()[0]) > 0
    assert not bad.ok and "NOPE" in bad.summary
    assert runs == [good, bad]
    assert jobs.last_runs == {"NASDAQ:AAPL": good, "NASDAQ:NOPE": bad}


async def test_scheduled_job_fires_and_updates_last_sync(
    runtime: Runtime, database: Database
) -> None:
    await seed(database, WATCHLIST[:2])
    app = app_for(runtime, live=False, sync_period=1.0)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert app.status.jobs is not None
        assert "sync every 1s (1D)" in app.health.schedule

        def synced_again() -> bool:
            return all(
                row.last_sync is not None and row.last_sync > SYNCED_AT for row in app.watchlist
            )

        await until(
            pilot,
            lambda: len(app.status.jobs.last_runs) == 2 and synced_again(),  # type: ignore[union-attr]
            what="both scheduled syncs",
        )
        await settle(pilot)
        screen = app.mode_screens["symbols"]
        assert isinstance(screen, SymbolsScreen)
        table = screen.query_one("#watchlist", DataTable)
        labels = [str(column.label) for column in table.columns.values()]
        assert labels[-2:] == ["Next sync", "Last result"]
        results = [str(table.get_row(symbol)[-1]) for symbol in WATCHLIST[:2]]
        assert all(r.endswith("updated") for r in results)
        await pilot.press("p")
        assert app.status.jobs.paused
        assert "paused" in app.health.schedule
        assert str(table.get_row(WATCHLIST[0])[-2]) == "paused"
