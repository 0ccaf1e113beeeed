"""The app's links to the running world: the live feed, the database watch and the scheduled
syncs, and the ``HealthState`` they feed.

``Status`` belongs to one ``MarketApp``: the app calls it from its message handlers and its
frame timer, and it sets only the app's own reactives (``snapshot``, ``health``, ``schedule``),
which flow down to the screens. Its workers never touch widgets: they post facts to the app.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING

from textual.message import Message

from tui_market.infrastructure.interfaces import FeedState, IDataProvider
from tui_market.models import Interval
from tui_market.models.alert import Alert
from tui_market.queries.list_symbols import SymbolRow
from tui_market.tui import schedule
from tui_market.tui.health import HealthState
from tui_market.tui.live import FRAME, LiveBridge
from tui_market.tui.messages import (
    AlertsChanged,
    DatabasePinged,
    FeedStateChanged,
    JobRan,
    LiveNotice,
    Request,
    SyncAllRequested,
    SyncRequested,
    WatchlistStale,
)
from tui_market.tui.routes import Notice

if TYPE_CHECKING:  # imported when used: the first screen paints without them (start-up time)
    from tui_market.jobs.sync_jobs import JobRun, SyncJobs
    from tui_market.runtime import Runtime
    from tui_market.services.db_supervisor import DatabaseHealth, DatabaseSupervisor
    from tui_market.tui.app import MarketApp

log = logging.getLogger(__name__)


class Status:
    def __init__(self, app: MarketApp, *, live: bool, sync_period: float | None) -> None:
        self.app = app
        settings = app.settings
        tradingview = settings.provider == "tradingview"
        self.provider = "TradingView" if tradingview else "demo (replay data)"
        self.desk = settings.feed == "database"
        if self.desk:
            self.provider = "desk (via the database)"
        minutes = settings.sync_every_minutes
        self._period = sync_period or (minutes * 60.0 if minutes else None)
        self._live_wanted = live
        self.live: LiveBridge | None = None
        self.jobs: SyncJobs | None = None
        self.can_search = False
        self._runtime: Runtime | None = None
        self.supervisor: DatabaseSupervisor | None = None
        self._first_sync_done = False

    def attach(self, runtime: Runtime, interval: Interval) -> None:
        """The runtime is open: build the live service and the schedule (not started yet)."""
        from tui_market.infrastructure.desktop_notices import DesktopNotices
        from tui_market.services.alert_service import AlertWatch
        from tui_market.services.quote_service import QuoteService

        self._runtime = runtime
        self.can_search = type(runtime.provider).search is not IDataProvider.search
        if self._live_wanted and self.desk:  # the desk's ingester is the feed
            from tui_market.services.desk_follower import DeskFollower

            follower = DeskFollower(runtime.db)
            self.live = LiveBridge(self.app, follower, follower)
        elif self._live_wanted:  # every interval shown live; the working one saved
            service = QuoteService(
                runtime.stream,
                runtime.bus,
                runtime.provider,
                tuple(Interval),
                persist=(interval,),
                backfill_on_start=True,
                alerts=AlertWatch(
                    runtime.bus, "tui", desktop=DesktopNotices(), on_change=self._alerts_read
                ),
            )
            self.live = LiveBridge(self.app, service, runtime.stream)
        if self._period and not self.desk:  # a desk's scheduled syncs run in the ingester
            from tui_market.jobs.sync_jobs import SyncJobs  # APScheduler: only when used

            self.jobs = SyncJobs(runtime.bus, interval, self._period, on_run=self._job_ran)

    def start(self) -> HealthState:
        """Start the live worker, the frame, the jobs and the database watch."""
        assert self._runtime is not None
        app = self.app
        if self.live is not None:
            self.live.start()
            app.set_interval(FRAME, self._frame, name="live frame")
        if self.jobs is not None:
            self.jobs.start()
        from tui_market.services.db_supervisor import DatabaseSupervisor

        rt = self._runtime
        self.supervisor = supervisor = DatabaseSupervisor(rt.db, rt.embedded, rt.bus)
        watch: Callable[[], Awaitable[None]] = partial(supervisor.run, self._database_changed)
        app.run_worker(
            watch,
            name="database watch",
            group="ping",
            exclusive=True,
            description="database watch",
            exit_on_error=False,
        )
        return HealthState(
            database=rt.db.describe(),
            provider=self.provider,
            schedule=schedule.health_text(self.jobs),
        )

    async def stop(self) -> None:
        if self.live is not None:
            await self.live.stop()
        if self.jobs is not None:
            self.jobs.shutdown()

    def _frame(self) -> None:
        assert self.live is not None
        app = self.app
        snapshot, health = self.live.frame(app.health)
        if snapshot is not None:
            app.snapshot = snapshot
        if health != app.health:
            app.health = health

    def _alerts_read(self, alerts: tuple[Alert, ...]) -> None:
        """The live worker read a new set of alerts (one added from the CLI, one spent)."""
        self.app.post_message(AlertsChanged(alerts))

    def _database_changed(self, health: DatabaseHealth) -> None:
        self.app.post_message(DatabasePinged(health.up, health.detail))

    def _job_ran(self, run: JobRun) -> None:
        """SyncJobs' callback (on the loop, outside any widget): posted as a fact."""
        self.app.post_message(JobRan(run))

    # ---- facts the app hands over -----------------------------------------------------------
    def follow(self, fact: Message) -> Notice | None:
        """A fact from the live worker, the database watch or the jobs; a notice to show."""
        if isinstance(fact, FeedStateChanged):
            self.feed_changed(fact.state)
        elif isinstance(fact, DatabasePinged):
            return self.database_pinged(fact)
        elif isinstance(fact, JobRan):
            self.app.post_message(WatchlistStale(self.app.interval))
        elif isinstance(fact, LiveNotice):
            return Notice(fact.text, fact.severity, fact.title)
        return None

    def feed_changed(self, state: FeedState) -> None:
        app = self.app
        if self.live is not None:
            app.health = self.live.feed_changed(state, app.health)
        else:
            app.health = replace(app.health, feed=state)

    def database_pinged(self, fact: DatabasePinged) -> Notice | None:
        """The health line follows the database; a change is also said once."""
        app = self.app
        was = app.health.database_up
        app.health = replace(app.health, database_up=fact.up, database_detail=fact.detail)
        if not fact.up and was is not False:
            return Notice(
                f"Database down ({fact.detail}). The live screen goes on; closed bars "
                "are kept in memory until it is back.",
                "error",
                "Database",
            )
        if fact.up and was is False:
            return Notice("Database back up.", title="Database")
        return None

    def watchlist_changed(self, rows: list[SymbolRow], interval: Interval) -> list[Request]:
        """Follow the watchlist (live subscriptions, jobs); the first time, the syncs of rows
        never synced: one run on a first start, else one sync per such row."""
        symbols = [row.symbol for row in rows]
        if self.live is not None:
            # metadata first: a symbol's bars follow its session from its first tick
            self.live.service.set_metadata({row.symbol: row.info for row in rows})
            self.live.service.set_references({row.symbol: row.prev_close for row in rows})
            self.live.set_symbols(symbols)
        if self.jobs is not None:
            self.jobs.set_symbols(symbols)
        self.show_schedule(symbols)
        if self._first_sync_done:
            return []
        self._first_sync_done = True
        never = [row.symbol for row in rows if row.last_sync is None]
        if never and len(never) == len(rows):
            return [SyncAllRequested(interval)]
        return [SyncRequested(symbol, interval) for symbol in never]

    def interval_changed(self, interval: Interval) -> None:
        if self.jobs is not None:
            self.jobs.set_interval(interval)

    def show_schedule(self, symbols: list[str] | None = None) -> None:
        app = self.app
        wanted = symbols if symbols is not None else [row.symbol for row in app.watchlist]
        app.schedule = schedule.infos(self.jobs, wanted)
        app.health = replace(app.health, schedule=schedule.health_text(self.jobs))

    def toggle_schedule(self) -> Notice:
        if self.jobs is None:
            return Notice(
                "Scheduled sync is off: set sync_every_minutes in the config file.", "warning"
            )
        paused = self.jobs.toggle()
        self.show_schedule()
        return Notice("Scheduled sync paused." if paused else "Scheduled sync resumed.")
