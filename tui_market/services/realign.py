"""Series stored on another bar grid than their symbol's session: find them, and fix them.

Bars saved before sessions were known sit on UTC hours (NASDAQ:AAPL 1h at 14:00, 15:00 UTC),
while the history and the live service now put them on the session's grid (14:30, 15:30 UTC in
winter). A series must never hold both. ``check_symbol`` runs the pure check
(``bar_align.check_alignment``) over every stored series of a symbol; ``realign_series``
deletes the bars that do not belong (``DropBars``) and re-syncs the series (``SyncHistory``),
so the store holds the provider's session bars again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from tui_market.commands.drop_bars import DropBars
from tui_market.commands.sync_history import SyncHistory, SyncResult
from tui_market.errors import ProviderError
from tui_market.managers.bar_align import AlignmentCheck, check_alignment
from tui_market.managers.session_clock import clock_for
from tui_market.models import Interval
from tui_market.models.symbol_info import SymbolInfo
from tui_market.queries.series_times import SeriesTimes
from tui_market.services.bus import Bus

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SeriesReport:
    symbol: str
    interval: Interval
    check: AlignmentCheck
    dropped: int = 0
    resynced: SyncResult | None = None
    error: str = ""


async def check_symbol(bus: Bus, symbol: str, info: SymbolInfo | None) -> list[SeriesReport]:
    """Every stored series of ``symbol`` against the clock of its metadata (UTC without)."""
    clock = clock_for(info)
    series = await bus.execute(SeriesTimes(symbol))
    return [
        SeriesReport(symbol, interval, check_alignment(times, interval, clock))
        for interval, times in series.items()
    ]


async def realign_series(bus: Bus, report: SeriesReport, n_bars: int) -> SeriesReport:
    """Drop the series' bars that are off its grid, then re-sync it from the provider."""
    if not report.check.needs_realign:
        return report
    dropped = await bus.execute(DropBars(report.symbol, report.interval, report.check.to_drop))
    try:
        result = await bus.execute(SyncHistory(report.symbol, report.interval, n_bars))
    except ProviderError as exc:
        log.error("realign %s %s: re-sync failed: %s", report.symbol, report.interval.value, exc)
        return replace(report, dropped=dropped, error=str(exc) or type(exc).__name__)
    return replace(report, dropped=dropped, resynced=result)
