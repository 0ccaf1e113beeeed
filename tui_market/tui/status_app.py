"""Status wiring: the live worker, the scheduled syncs and the database ping, and the one
``HealthState`` every health line paints. MarketApp builds on this; it adds screens and keys.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING

from textual import on
from textual.message import Message
from textual.reactive import reactive

from tui_market.tui import schedule
from tui_market.tui.live_bridge import LiveNotice
from tui_market.tui.messages import (
    FeedStateChanged,
    SyncAllRequested,
    SyncRequested,
    WatchlistChanged,
)
from tui_market.tui.routing import WatchlistStale
from tui_market.tui.screens.symbols import SymbolsScreen
from tui_market.tui.watchlist_routing import WatchlistApp
from tui_market.tui.widgets.health import HealthState

if TYPE_CHECKING:  # imported when used: the first screen paints without them (start-up time)
    from tui_market.jobs.sync_jobs import JobRun, SyncJobs
    from tui_market.services.db_supervisor import DatabaseHealth
    from tui_market.tui.live_bridge import LiveBridge


@dataclass
class DatabasePinged(Message, bubble=False):
    up: bool
    detail: str = ""


@dataclass
class JobRan(Message, bubble=False):
    run: JobRun


class StatusApp(WatchlistApp):
    health: reactive[HealthState] = reactive(HealthState, init=False)
    live: LiveBridge | None = None
    jobs: SyncJobs | None = None
    _first_sync_done = False

    def start_status(self, provider_label: str) -> None:
        """Called once at mount: start the live worker, the jobs and the ping."""
        self.health = HealthState(
            database=self.runtime.db.describe(),
            provider=provider_label,
            schedule=schedule.health_text(self.jobs),
        )
        if self.live is not None:
            self.live.start()
            self.set_interval(0.1, self._frame, name="live frame")
        if self.jobs is not None:
            self.jobs.start()
        self._watch_database()

    async def stop_status(self) -> None:
        if self.live is not None:
            await self.live.stop()
        if self.jobs is not None:
            self.jobs.shutdown()

    def _frame(self) -> None:
        from tui_market.tui.screens.ticker import TickerScreen

        assert self.live is not None
        snapshot, health = self.live.frame(self.health)
        ticker = self.mode_screens.get("ticker")
        if snapshot is not None and isinstance(ticker, TickerScreen) and ticker.is_mounted:
            ticker.snapshot = snapshot
        if health != self.health:
            self.health = health

    def _watch_database(self) -> None:
        """Ping every second; restart the embedded server when it dies (DatabaseSupervisor)."""
        from tui_market.services.db_supervisor import DatabaseSupervisor

        rt = self.runtime
        self.supervisor = DatabaseSupervisor(rt.db, rt.embedded, rt.bus)

        def changed(health: DatabaseHealth) -> None:
            self.post_message(DatabasePinged(health.up, health.detail))

        self._spawn(
            partial(self.supervisor.run, changed),
            name="ping",
            group="ping",
            exclusive=True,
            description="database watch",
        )

    def job_ran(self, run: JobRun) -> None:
        """SyncJobs' callback (runs on the loop, outside any widget): post it as a fact."""
        self.post_message(JobRan(run))

    def _show_schedule(self) -> None:
        symbols = self.mode_screens.get("symbols")
        if isinstance(symbols, SymbolsScreen):
            symbols.schedule = schedule.infos(self.jobs, [r.symbol for r in self.watchlist])
        self.health = replace(self.health, schedule=schedule.health_text(self.jobs))

    def toggle_schedule(self) -> None:
        if self.jobs is None:
            self.notify(
                "Scheduled sync is off: set sync_every_minutes in the config file.",
                severity="warning",
            )
            return
        paused = self.jobs.toggle()
        self.notify("Scheduled sync paused." if paused else "Scheduled sync resumed.")
        self._show_schedule()

    # ---- facts --------------------------------------------------------------------------------
    @on(WatchlistChanged)
    def _watchlist_changed(self, fact: WatchlistChanged) -> None:
        self.watchlist = list(fact.rows)
        self.tell_screens(fact)
        symbols = [row.symbol for row in fact.rows]
        if self.current_symbol is None and symbols:
            self.current_symbol = symbols[0]
        if not self._first_sync_done:  # fill never-synced rows once, at start
            self._first_sync_done = True
            never = [row.symbol for row in fact.rows if row.last_sync is None]
            if never and len(never) == len(fact.rows):  # first start: one run, one summary
                self.post_message(SyncAllRequested(self.interval))
            for symbol in never if len(never) < len(fact.rows) else ():
                self.post_message(SyncRequested(symbol, self.interval))
        if self.live is not None:
            self.live.set_symbols(symbols)
        if self.jobs is not None:
            self.jobs.set_symbols(symbols)
        self._show_schedule()

    @on(FeedStateChanged)
    def _feed_changed(self, fact: FeedStateChanged) -> None:
        if self.live is not None:
            self.health = self.live.feed_changed(fact.state, self.health)
        else:
            self.health = replace(self.health, feed=fact.state)
        self.tell_screens(fact)

    @on(DatabasePinged)
    def _pinged(self, fact: DatabasePinged) -> None:
        was = self.health.database_up
        self.health = replace(self.health, database_up=fact.up, database_detail=fact.detail)
        if not fact.up and was is not False:
            self.notify(
                f"Database down ({fact.detail}). The live screen goes on; closed bars "
                "are kept in memory until it is back.",
                title="Database",
                severity="error",
                timeout=10,
            )
        elif fact.up and was is False:
            self.notify("Database back up.", title="Database")

    @on(JobRan)
    def _job_done(self, fact: JobRan) -> None:
        self.post_message(WatchlistStale())
        self._show_schedule()

    @on(LiveNotice)
    def _live_notice(self, fact: LiveNotice) -> None:
        self.notify(
            fact.text,
            title=fact.title,
            severity=(
                "error"
                if fact.severity == "error"
                else "information"
                if fact.severity == "information"
                else "warning"
            ),
        )
