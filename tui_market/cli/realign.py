"""``tui-market realign``: find series whose bars are not on their symbol's session grid, and
with ``--fix`` drop those bars and re-sync the series.

One line per stored series on stdout. Exit code 1 when a series needs realigning and
``--fix`` was not given, or when a fix failed (so a script can run the check alone).
"""

from __future__ import annotations

from typing import Annotated

import typer

from tui_market.cli.common import fail, parse_symbols, run_async, settings_for
from tui_market.runtime import open_runtime
from tui_market.services.realign import SeriesReport
from tui_market.settings import Settings


def realign(
    ctx: typer.Context,
    symbols: Annotated[
        list[str] | None, typer.Argument(help="EXCHANGE:TICKER ... (default: the watchlist)")
    ] = None,
    fix: Annotated[
        bool, typer.Option("--fix", help="Drop the misaligned bars and re-sync each series.")
    ] = False,
    n_bars: Annotated[
        int, typer.Option("--bars", "-n", min=1, max=20_000, help="Bars fetched by a re-sync.")
    ] = 5000,
    demo: Annotated[bool, typer.Option("--demo", help="The demo database and data.")] = False,
) -> None:
    """Check that stored bars follow each symbol's exchange session (bars saved before
    sessions were known sit on UTC hours); with --fix, drop the misaligned ones and re-sync."""
    wanted = parse_symbols(symbols or [])
    settings = settings_for(ctx, demo=demo or None)
    if run_async(_realign(settings, wanted, fix, n_bars)):
        raise typer.Exit(1)


async def _realign(settings: Settings, wanted: list[str], fix: bool, n_bars: int) -> int:
    from tui_market.queries.list_symbols import ListSymbols
    from tui_market.services.realign import check_symbol, realign_series

    bad = 0
    async with open_runtime(settings, seed=False) as rt:
        rows = {row.symbol: row for row in await rt.bus.execute(ListSymbols())}
        for symbol in wanted:
            if symbol not in rows:
                fail(f"{symbol}: not in the watchlist (its session is not known)")
        for symbol in wanted or list(rows):
            info = rows[symbol].info
            if info is None:
                typer.echo(f"{symbol}: no metadata stored yet; `tui-market sync {symbol}` gets it")
                continue
            for report in await check_symbol(rt.bus, symbol, info):
                if fix:
                    report = await realign_series(rt.bus, report, n_bars)
                line, failed = describe(report, fix)
                bad += failed
                typer.echo(line, err=bool(report.error))
    return bad


def describe(report: SeriesReport, fix: bool) -> tuple[str, bool]:
    """The series' line, and whether it counts as a failure for the exit code."""
    check = report.check
    head = f"{report.symbol} {report.interval.value}: {check.total} bars"
    if not check.needs_realign:
        return f"{head}, aligned", False
    found = f"{len(check.misaligned)} off the session grid"
    extra = len(check.to_drop) - len(check.misaligned)
    if extra:
        found += f", {extra} more outside the session"
    if not fix:
        return f"{head}, {found}: run `tui-market realign --fix`", True
    if report.error:
        return f"{head}: dropped {report.dropped} ({found}); re-sync failed: {report.error}", True
    result = report.resynced
    assert result is not None
    return (
        f"{head}: dropped {report.dropped} ({found}); re-synced: {result.new} new, "
        f"{result.updated} updated, {result.unchanged} unchanged",
        False,
    )
