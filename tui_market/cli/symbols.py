"""``tui-market symbols add|list|remove``: the watchlist, headless.

Each one builds the same runtime as the TUI and sends the same commands and queries through
the bus; none of them builds a network provider.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from tui_market.cli.common import (
    IntervalOpt,
    fail,
    num,
    parse_symbols,
    run_async,
    say_old_layout,
    settings_for,
)
from tui_market.models.price_format import NO_VOLUME, format_price
from tui_market.models.symbol_info import SymbolInfo
from tui_market.runtime import offline_providers, open_runtime

app = typer.Typer(help="Manage the watchlist.", no_args_is_help=True)


@app.command("add")
def symbols_add(
    ctx: typer.Context,
    symbols: Annotated[list[str], typer.Argument(help="EXCHANGE:TICKER, e.g. NASDAQ:AAPL")],
    description: Annotated[str, typer.Option(help="A note shown beside the symbol.")] = "",
) -> None:
    """Add symbols to the watchlist (adding one twice changes nothing) and resolve each one's
    metadata from the provider (exchange session, price scale, delay)."""
    wanted = parse_symbols(symbols)
    settings = settings_for(ctx)

    async def work() -> None:
        from tui_market.services.watchlist import add_symbol

        async with open_runtime(settings, seed=False) as rt:
            for symbol in wanted:
                outcome = await add_symbol(rt.bus, symbol, description)
                state = "added" if outcome.created else "already in the watchlist"
                typer.echo(f"{outcome.symbol}: {state} ({outcome.summary})")

    run_async(work())


@app.command("list")
def symbols_list(ctx: typer.Context, interval: IntervalOpt = None) -> None:
    """The watchlist, in the order symbols were added, with their latest figures."""
    settings = settings_for(ctx, interval=interval)

    async def work() -> None:
        from tui_market.queries.list_symbols import ListSymbols

        async with open_runtime(settings, seed=False, providers=offline_providers) as rt:
            rows = await rt.bus.execute(ListSymbols(settings.interval))
        say_old_layout(rt.old_bars)
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
            figures = (
                price_cell(row.last_close, row.info),
                price_cell(row.change, row.info),
                num(row.change_pct),
                volume_cell(row.volume, row.info),
                synced,
                status,
            )
            table.add_row(row.symbol, *((row.description,) if notes else ()), *figures)
        Console().print(table)

    run_async(work())


def price_cell(value: float | None, info: SymbolInfo | None) -> str:
    """Last / Change: the symbol's tick decimals, thousands separated; empty when missing."""
    return "" if value is None else format_price(value, info)


def volume_cell(value: float | None, info: SymbolInfo | None) -> str:
    """The full volume, thousands separated; "-" for an index that reports none."""
    if info is not None and info.type == "index" and not value:
        return NO_VOLUME
    return num(value, 0)


@app.command("remove")
def symbols_remove(
    ctx: typer.Context,
    symbol: Annotated[str, typer.Argument(help="EXCHANGE:TICKER")],
    drop_bars: Annotated[bool, typer.Option("--drop-bars", help="Also delete its bars.")] = False,
) -> None:
    """Remove a symbol from the watchlist, and its alerts (its bars stay unless --drop-bars)."""
    (wanted,) = parse_symbols([symbol])
    settings = settings_for(ctx)

    async def work() -> None:
        from tui_market.commands.remove_symbol import RemoveSymbol, alerts_text

        async with open_runtime(settings, seed=False, providers=offline_providers) as rt:
            result = await rt.bus.execute(RemoveSymbol(wanted, drop_bars))
        if not result.removed and not result.bars_deleted and not result.alerts_deleted:
            fail(f"{wanted}: not in the watchlist")
        dropped = f", {result.bars_deleted} bars deleted" if drop_bars else ""
        typer.echo(f"{wanted}: removed{alerts_text(result.alerts_deleted, ' with ')}{dropped}")

    run_async(work())
