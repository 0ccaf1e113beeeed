"""Headless data subcommands: ``symbols add|list|remove`` and ``bars`` (``sync``: cli_sync).

Each one builds the same runtime as the TUI and sends the same commands and queries through
the bus. Read-only commands never build a network provider.
"""

from __future__ import annotations

import csv
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from tui_market.cli_support import fail, parse_symbols, run_async, settings_for
from tui_market.models import Bar
from tui_market.runtime import offline_providers, open_runtime

symbols_app = typer.Typer(help="Manage the watchlist.", no_args_is_help=True)
IntervalOpt = Annotated[
    str | None, typer.Option("--interval", "-i", help="Bar interval: 1m 5m 15m 1h 4h 1D 1W 1M ...")
]


def _num(value: float | None, places: int = 2) -> str:
    return "" if value is None else f"{value:,.{places}f}"


@symbols_app.command("add")
def symbols_add(
    ctx: typer.Context,
    symbols: Annotated[list[str], typer.Argument(help="EXCHANGE:TICKER, e.g. NASDAQ:AAPL")],
    description: Annotated[str, typer.Option(help="A note shown beside the symbol.")] = "",
) -> None:
    """Add symbols to the watchlist (adding one twice changes nothing)."""
    wanted = parse_symbols(symbols)
    settings = settings_for(ctx)

    async def work() -> None:
        from tui_market.commands.add_symbol import AddSymbol

        async with open_runtime(settings, seed=False, providers=offline_providers) as rt:
            for symbol in wanted:
                result = await rt.bus.execute(AddSymbol(symbol, description))
                state = "added" if result.created else "already in the watchlist"
                typer.echo(f"{result.symbol}: {state}")

    run_async(work())


@symbols_app.command("list")
def symbols_list(ctx: typer.Context, interval: IntervalOpt = None) -> None:
    """The watchlist, in the order symbols were added, with their latest figures."""
    settings = settings_for(ctx, interval=interval)

    async def work() -> None:
        from tui_market.queries.list_symbols import ListSymbols

        async with open_runtime(settings, seed=False, providers=offline_providers) as rt:
            rows = await rt.bus.execute(ListSymbols(settings.interval))
        if not rows:
            typer.echo("the watchlist is empty; add one with: tui-market symbols add NASDAQ:AAPL")
            return
        notes = any(row.description for row in rows)
        table = Table(title=f"watchlist ({settings.interval.value} bars)")
        table.add_column("Symbol", no_wrap=True)
        if notes:
            table.add_column("Description")
        for name in ("Last", "Change", "Change %", "Volume"):
            table.add_column(name, justify="right", no_wrap=True)
        table.add_column("Last sync (UTC)", no_wrap=True)
        table.add_column("Status")
        for row in rows:
            synced = row.last_sync.strftime("%Y-%m-%d %H:%M") if row.last_sync else ""
            status = row.sync_error or row.sync_status or ""
            figures = (_num(row.last_close), _num(row.change), _num(row.change_pct),
                       _num(row.volume, 0), synced, status)
            table.add_row(row.symbol, *((row.description,) if notes else ()), *figures)
        Console().print(table)

    run_async(work())


@symbols_app.command("remove")
def symbols_remove(
    ctx: typer.Context,
    symbol: Annotated[str, typer.Argument(help="EXCHANGE:TICKER")],
    drop_bars: Annotated[bool, typer.Option("--drop-bars", help="Also delete its bars.")] = False,
) -> None:
    """Remove a symbol from the watchlist (its bars stay unless --drop-bars)."""
    (wanted,) = parse_symbols([symbol])
    settings = settings_for(ctx)

    async def work() -> None:
        from tui_market.commands.remove_symbol import RemoveSymbol

        async with open_runtime(settings, seed=False, providers=offline_providers) as rt:
            result = await rt.bus.execute(RemoveSymbol(wanted, drop_bars))
        if not result.removed and not result.bars_deleted:
            fail(f"{wanted}: not in the watchlist")
        dropped = f", {result.bars_deleted} bars deleted" if drop_bars else ""
        typer.echo(f"{wanted}: removed{dropped}")

    run_async(work())


def bars(
    ctx: typer.Context,
    symbol: Annotated[str, typer.Argument(help="EXCHANGE:TICKER")],
    interval: IntervalOpt = None,
    last: Annotated[int, typer.Option("--last", "-l", min=1, help="How many bars.")] = 20,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV on stdout, for scripts.")] = False,
    demo: Annotated[bool, typer.Option("--demo", help="Read the demo database.")] = False,
) -> None:
    """Print stored bars, oldest first (times are bar open times, UTC)."""
    (wanted,) = parse_symbols([symbol])
    settings = settings_for(ctx, interval=interval, demo=demo or None)

    async def work() -> list[Bar]:
        from tui_market.queries.get_bars import GetBars

        async with open_runtime(settings, seed=False, providers=offline_providers) as rt:
            return await rt.bus.execute(GetBars(wanted, settings.interval, last=last))

    found = run_async(work())
    iv = settings.interval.value
    if not found:
        demo_flag = " --demo" if settings.demo else ""
        fail(f"no {iv} bars stored for {wanted} in database {settings.database}; fetch them "
             f"with: tui-market sync {wanted} --interval {iv}{demo_flag}")
    if as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["time", "open", "high", "low", "close", "volume"])
        for bar in found:
            writer.writerow([bar.time.isoformat(), bar.open, bar.high, bar.low, bar.close,
                             bar.volume])
        return
    table = Table(title=f"{wanted} {iv}: last {len(found)} bars")
    table.add_column("Time (UTC)", no_wrap=True)
    for name in ("Open", "High", "Low", "Close", "Volume"):
        table.add_column(name, justify="right", no_wrap=True)
    for bar in found:
        table.add_row(bar.time.strftime("%Y-%m-%d %H:%M"), _num(bar.open, 4), _num(bar.high, 4),
                      _num(bar.low, 4), _num(bar.close, 4), _num(bar.volume, 0))
    Console().print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(symbols_app, name="symbols")
    app.command("bars")(bars)
