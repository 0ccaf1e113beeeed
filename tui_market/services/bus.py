"""The bus: one place that maps a command or query type to its handler.

The CLI and the TUI build one ``Bus(db, provider)`` and send every message through
``execute``; handlers are created once here with their dependencies.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, overload

from tui_market.commands.add_alert import AddAlert, AddAlertHandler
from tui_market.commands.add_symbol import AddSymbol, AddSymbolHandler, AddSymbolResult
from tui_market.commands.alert_events_seen import MarkAlertEventsSeen, MarkAlertEventsSeenHandler
from tui_market.commands.desk_jobs import (
    ClaimJob,
    ClaimScheduled,
    DeskJobsHandler,
    FinishJob,
    RenewLease,
)
from tui_market.commands.drop_bars import DropBars, DropBarsHandler
from tui_market.commands.migrate_bars import MigrateBars, MigrateBarsHandler, MigrateResult
from tui_market.commands.publish_live import PublishLive, PublishLiveHandler
from tui_market.commands.record_alert import RecordAlertFired, RecordAlertFiredHandler
from tui_market.commands.remove_alert import RemoveAlert, RemoveAlertHandler
from tui_market.commands.remove_symbol import (
    RemoveSymbol,
    RemoveSymbolHandler,
    RemoveSymbolResult,
)
from tui_market.commands.save_bars import SaveBars, SaveBarsHandler, SaveBarsResult
from tui_market.commands.save_indicators import SaveIndicators, SaveIndicatorsHandler
from tui_market.commands.seed_watchlist import SeedWatchlist, SeedWatchlistHandler
from tui_market.commands.symbol_info import RefreshSymbolInfo, RefreshSymbolInfoHandler
from tui_market.commands.sync_history import SyncHistory, SyncHistoryHandler, SyncResult
from tui_market.infrastructure.database import Database
from tui_market.infrastructure.interfaces import IDataProvider
from tui_market.models import Bar, Interval
from tui_market.models.alert import Alert
from tui_market.models.indicator import IndicatorSpec
from tui_market.models.symbol_info import SymbolInfo
from tui_market.queries.alerts_version import AlertsVersion, AlertsVersionHandler
from tui_market.queries.desk_changes import ReadDesk, ReadDeskHandler
from tui_market.queries.get_bars import GetBars, GetBarsHandler
from tui_market.queries.get_indicators import (
    ChartIndicators,
    GetIndicators,
    GetIndicatorsHandler,
)
from tui_market.queries.get_sync_state import GetSyncState, GetSyncStateHandler, SyncState
from tui_market.queries.list_alert_events import (
    AlertEvent,
    ListAlertEvents,
    ListAlertEventsHandler,
)
from tui_market.queries.list_alerts import ListAlerts, ListAlertsHandler
from tui_market.queries.list_symbols import ListSymbols, ListSymbolsHandler, SymbolRow
from tui_market.queries.old_layout import OldLayoutBars, OldLayoutBarsHandler
from tui_market.queries.series_times import SeriesTimes, SeriesTimesHandler

Handler = Callable[[Any], Awaitable[Any]]


class Bus:
    def __init__(self, db: Database, provider: IDataProvider) -> None:
        self.db = db
        self.provider = provider
        self._handlers: dict[type, Handler] = self._defaults()
        self._registered: set[type] = set()

    def _defaults(self) -> dict[type, Handler]:
        db, provider = self.db, self.provider
        return {
            AddSymbol: AddSymbolHandler(db),
            RemoveSymbol: RemoveSymbolHandler(db),
            DropBars: DropBarsHandler(db),
            MigrateBars: MigrateBarsHandler(db),
            OldLayoutBars: OldLayoutBarsHandler(db),
            SyncHistory: SyncHistoryHandler(db, provider),
            RefreshSymbolInfo: RefreshSymbolInfoHandler(db, provider),
            SaveBars: SaveBarsHandler(db),
            SeedWatchlist: SeedWatchlistHandler(db, provider),
            ListSymbols: ListSymbolsHandler(db),
            GetBars: GetBarsHandler(db),
            GetSyncState: GetSyncStateHandler(db),
            AddAlert: AddAlertHandler(db),
            RemoveAlert: RemoveAlertHandler(db),
            RecordAlertFired: RecordAlertFiredHandler(db),
            MarkAlertEventsSeen: MarkAlertEventsSeenHandler(db),
            ListAlerts: ListAlertsHandler(db),
            ListAlertEvents: ListAlertEventsHandler(db),
            AlertsVersion: AlertsVersionHandler(db),
            SeriesTimes: SeriesTimesHandler(db),
            SaveIndicators: SaveIndicatorsHandler(db),
            GetIndicators: GetIndicatorsHandler(db),
            PublishLive: PublishLiveHandler(db),
            ReadDesk: ReadDeskHandler(db),
            **self._job_handlers(db),
        }

    @staticmethod
    def _job_handlers(db: Database) -> dict[type, Handler]:
        jobs = DeskJobsHandler(db)
        return {
            ClaimJob: jobs.claim,
            RenewLease: jobs.renew,
            FinishJob: jobs.finish,
            ClaimScheduled: jobs.claim_scheduled,
        }

    def register(self, message_type: type, handler: Handler) -> None:
        """Add (or replace) the handler of a message type (for later phases)."""
        self._handlers[message_type] = handler
        self._registered.add(message_type)

    def rebind(self) -> None:
        """The database got a new client (``Database.rebind``): rebuild the built-in
        handlers, which hold collections of the old one. Registered handlers are kept."""
        fresh = self._defaults()
        for message_type in self._registered:
            fresh.pop(message_type, None)
        self._handlers.update(fresh)

    @overload
    async def execute(self, message: AddSymbol) -> AddSymbolResult: ...
    @overload
    async def execute(self, message: RemoveSymbol) -> RemoveSymbolResult: ...
    @overload
    async def execute(self, message: DropBars) -> int: ...
    @overload
    async def execute(self, message: MigrateBars) -> MigrateResult: ...
    @overload
    async def execute(self, message: OldLayoutBars) -> int: ...
    @overload
    async def execute(self, message: SeriesTimes) -> dict[Interval, list[int]]: ...
    @overload
    async def execute(self, message: SyncHistory) -> SyncResult: ...
    @overload
    async def execute(self, message: RefreshSymbolInfo) -> SymbolInfo | None: ...
    @overload
    async def execute(self, message: SaveBars) -> SaveBarsResult: ...
    @overload
    async def execute(self, message: SeedWatchlist) -> int: ...
    @overload
    async def execute(self, message: ListSymbols) -> list[SymbolRow]: ...
    @overload
    async def execute(self, message: GetBars) -> list[Bar]: ...
    @overload
    async def execute(self, message: GetSyncState) -> SyncState | None: ...
    @overload
    async def execute(self, message: AddAlert) -> Alert: ...
    @overload
    async def execute(self, message: RemoveAlert) -> Alert | None: ...
    @overload
    async def execute(self, message: RecordAlertFired) -> int: ...
    @overload
    async def execute(self, message: MarkAlertEventsSeen) -> int: ...
    @overload
    async def execute(self, message: ListAlerts) -> list[Alert]: ...
    @overload
    async def execute(self, message: ListAlertEvents) -> list[AlertEvent]: ...
    @overload
    async def execute(self, message: AlertsVersion) -> int: ...
    @overload
    async def execute(self, message: SaveIndicators) -> tuple[IndicatorSpec, ...]: ...
    @overload
    async def execute(self, message: GetIndicators) -> ChartIndicators: ...
    @overload
    async def execute(self, message: object) -> Any: ...

    async def execute(self, message: object) -> Any:
        handler = self._handlers.get(type(message))
        if handler is None:
            raise TypeError(f"no handler for {type(message).__name__}")
        return await handler(message)
