"""The route table: request type -> handler, worker group, exclusive.

A handler takes the runtime and the request, runs in a worker (never touching a widget) and
returns its answer: a fact (a ``Message``, posted to the request's asker, or to the app when
nobody asked), a ``Notice`` (a notification), or None. Expected failures become facts or
notices; anything unexpected ends the worker in ERROR, which the app reports once.

Adding a request: a message class in ``messages.py``, a handler here, a row in ``ROUTES``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from pymongo.errors import PyMongoError
from textual.message import Message

from tui_market.commands.add_alert import AddAlert
from tui_market.commands.alert_events_seen import MarkAlertEventsSeen
from tui_market.commands.remove_symbol import RemoveSymbol, alerts_text
from tui_market.commands.save_indicators import SaveIndicators
from tui_market.commands.sync_history import SyncHistory
from tui_market.errors import MarketError
from tui_market.models import InvalidSymbol
from tui_market.models.alert import InvalidAlert
from tui_market.models.indicator import InvalidIndicator
from tui_market.queries.get_bars import GetBars
from tui_market.queries.get_indicators import GetIndicators
from tui_market.queries.list_alert_events import ListAlertEvents
from tui_market.queries.list_alerts import ListAlerts
from tui_market.queries.list_symbols import ListSymbols
from tui_market.services import watchlist
from tui_market.services.data_sync_service import DataSyncService, SyncOutcome, failure_text
from tui_market.tui.messages import (
    AlertAddRequested,
    AlertsChanged,
    AlertsStale,
    BarsLoaded,
    BarsRequested,
    IndicatorsChanged,
    IndicatorsChosen,
    IndicatorsStale,
    MissedAlertsRequested,
    Request,
    SymbolAdded,
    SymbolAddRequested,
    SymbolRemoveRequested,
    SymbolSearchRequested,
    SymbolSearchResults,
    SyncAllRequested,
    SyncFailed,
    SyncFinished,
    SyncProgress,
    SyncRequested,
    WatchlistChanged,
    WatchlistStale,
)
from tui_market.tui.screens.history_text import finished_text

if TYPE_CHECKING:
    from tui_market.runtime import Runtime

log = logging.getLogger(__name__)
Severity = Literal["information", "warning", "error"]
EXPECTED = (MarketError, InvalidSymbol, PyMongoError, OSError)
HISTORY_BARS = 5000  # bars fetched by a sync from the TUI (a series' whole stored window)


@dataclass(frozen=True, slots=True)
class Notice:
    """An answer that is only a notification."""

    text: str
    severity: Severity = "information"
    title: str = ""


Answer = Message | Notice | None
Handler = Callable[["Runtime", Any], Awaitable[Answer]]


@dataclass(frozen=True, slots=True)
class Route:
    what: str  # for the user: "<what> failed: <error>"
    handler: Handler
    group: Callable[[Any], str]  # workers of one group with ``exclusive`` replace each other
    exclusive: bool = False
    reload_watchlist: bool = False  # the watchlist's figures change when it succeeds
    reload_alerts: bool = False  # the alerts the charts draw change when it succeeds


async def load_bars(rt: Runtime, request: BarsRequested) -> BarsLoaded:
    bars = await rt.bus.execute(GetBars(request.symbol, request.interval, last=request.last))
    return BarsLoaded(request.symbol, request.interval, bars)


async def sync_one(rt: Runtime, request: SyncRequested) -> SyncFinished | SyncFailed:
    symbol, interval = request.symbol, request.interval
    try:
        result = await rt.bus.execute(SyncHistory(symbol, interval, HISTORY_BARS))
    except EXPECTED as exc:
        log.warning("sync %s %s failed: %s", symbol, interval.value, exc)
        return SyncFailed(symbol, interval, failure_text(symbol, exc))
    return SyncFinished([SyncOutcome(symbol, result, None)], total=1)


async def sync_all(rt: Runtime, request: SyncAllRequested) -> SyncFinished:
    symbols = [row.symbol for row in await rt.bus.execute(ListSymbols(request.interval))]
    if symbols:
        request.reply(SyncProgress(0, len(symbols), symbols[0]))

    def progress(done: int, total: int, symbol: str) -> None:
        request.reply(SyncProgress(done, total, symbol))

    outcomes = await DataSyncService(rt.bus).sync_many(
        symbols, request.interval, HISTORY_BARS, on_progress=progress, cancel=request.cancel
    )
    return SyncFinished(outcomes, total=len(symbols))


async def add_symbol(rt: Runtime, request: SymbolAddRequested) -> SymbolAdded | Notice:
    try:
        outcome = await watchlist.add_symbol(rt.bus, request.text, request.description)
    except InvalidSymbol as exc:
        log.info("add symbol refused: %s", exc)
        return Notice(f"Not added: {exc}", "error")
    return SymbolAdded(outcome.symbol, outcome.created, outcome.problem)


async def remove_symbol(rt: Runtime, request: SymbolRemoveRequested) -> Notice:
    result = await rt.bus.execute(RemoveSymbol(request.symbol, request.drop_bars))
    if not result.removed:
        return Notice(f"{request.symbol} was not on the watchlist", "warning")
    return Notice(f"Removed {result.symbol}{alerts_text(result.alerts_deleted, ' and ')}")


async def search(rt: Runtime, request: SymbolSearchRequested) -> SymbolSearchResults:
    try:
        results = await rt.provider.search(request.text)
    except EXPECTED as exc:
        log.warning("symbol search for %r failed: %s", request.text, exc)
        return SymbolSearchResults(request.text, [], str(exc))
    return SymbolSearchResults(request.text, list(results))


async def add_alert(rt: Runtime, r: AlertAddRequested) -> Notice:
    try:
        alert = await rt.bus.execute(AddAlert(r.symbol, r.kind, r.level, r.interval, r.rearm))
    except (InvalidAlert, InvalidSymbol) as exc:
        log.info("alert refused: %s", exc)
        return Notice(f"No alert added: {exc}", "error", "Alert")
    return Notice(f"Alert {alert.id}: {alert.condition}", title="Alert added")


async def load_alerts(rt: Runtime, request: AlertsStale) -> AlertsChanged:
    return AlertsChanged(tuple(await rt.bus.execute(ListAlerts(active_only=True))))


async def missed_alerts(rt: Runtime, request: MissedAlertsRequested) -> Notice | None:
    """Alerts fired while the TUI was closed, said once at start (then marked seen)."""
    events = await rt.bus.execute(ListAlertEvents(unseen_only=True, limit=20))
    if not events:
        return None
    await rt.bus.execute(MarkAlertEventsSeen(tuple(e.id for e in events)))
    lines = [f"{e.ts:%Y-%m-%d %H:%M} {e.text}" for e in reversed(events)]
    said = f"{len(events)} alert{'s' if len(events) > 1 else ''} fired while you were away"
    return Notice("\n".join(lines), "warning", said)


async def reload_watchlist(rt: Runtime, request: WatchlistStale) -> WatchlistChanged:
    return WatchlistChanged(await rt.bus.execute(ListSymbols(request.interval)))


async def save_indicators(rt: Runtime, request: IndicatorsChosen) -> IndicatorsChanged | Notice:
    try:
        specs = await rt.bus.execute(SaveIndicators(request.chart, request.text))
    except InvalidIndicator as exc:
        log.info("indicators refused: %s", exc)
        return Notice(f"Indicators not changed: {exc}", "error")
    return IndicatorsChanged({request.chart: specs})


async def load_indicators(rt: Runtime, request: IndicatorsStale) -> IndicatorsChanged:
    return IndicatorsChanged(await rt.bus.execute(GetIndicators()))


def added_notice(fact: SymbolAdded) -> Notice:
    """What an add did: the app says it, then syncs the new symbol's history."""
    if not fact.created:
        return Notice(f"{fact.symbol} is already on the watchlist")
    if fact.problem:
        text = f"Added {fact.symbol}; its metadata is not resolved ({fact.problem}): "
        return Notice(text + "fetching its history…", "warning")
    return Notice(f"Added {fact.symbol}; fetching its history…")


def sync_notice(fact: SyncFinished | SyncFailed) -> Notice:
    """How a sync ended, said once: by the asker, or by the app when nobody asked."""
    if isinstance(fact, SyncFailed):
        text = f"{fact.symbol} {fact.interval.value}: {fact.message}"
        return Notice(text, "error", "Sync failed")
    text, severity = finished_text(fact.outcomes, fact.total)
    return Notice(text, severity, "Sync")


def _constant(name: str) -> Callable[[Any], str]:
    return lambda request: name


ROUTES: dict[type[Request], Route] = {
    BarsRequested: Route(
        "load bars", load_bars, lambda r: f"bars:{r.symbol}:{r.interval.value}", exclusive=True
    ),
    SyncRequested: Route(
        "sync", sync_one, lambda r: f"sync:{r.symbol}", exclusive=True, reload_watchlist=True
    ),
    SyncAllRequested: Route(
        "sync all", sync_all, _constant("sync-all"), exclusive=True, reload_watchlist=True
    ),
    SymbolAddRequested: Route(
        "add symbol", add_symbol, _constant("watchlist-edit"), reload_watchlist=True
    ),
    SymbolRemoveRequested: Route(
        "remove symbol",
        remove_symbol,
        _constant("watchlist-edit"),
        reload_watchlist=True,
        reload_alerts=True,
    ),
    SymbolSearchRequested: Route("symbol search", search, _constant("search"), exclusive=True),
    AlertAddRequested: Route("add alert", add_alert, _constant("alerts"), reload_alerts=True),
    AlertsStale: Route("read alerts", load_alerts, _constant("alerts-read"), exclusive=True),
    MissedAlertsRequested: Route("list missed alerts", missed_alerts, _constant("alerts-missed")),
    WatchlistStale: Route(
        "read the watchlist", reload_watchlist, _constant("watchlist"), exclusive=True
    ),
    IndicatorsChosen: Route("save indicators", save_indicators, _constant("indicators")),
    IndicatorsStale: Route("read indicators", load_indicators, _constant("indicators")),
}
