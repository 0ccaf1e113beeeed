"""``tui-market sync``: fetch history for symbols (or the whole watchlist) with a progress bar.

Progress goes to stderr and disappears when done; stdout gets one summary line per symbol,
and failures one line each on stderr (exit code 1 when any symbol failed).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from tui_market.cli.common import (
    IntervalOpt,
    err_console,
    fail,
    parse_symbols,
    run_async,
    settings_for,
)
from tui_market.runtime import open_runtime
from tui_market.settings import Settings


def sync(
    ctx: typer.Context,
    symbols: Annotated[
        list[str] | None, typer.Argument(help="EXCHANGE:TICKER ... (default: the watchlist)")
    ] = None,
    interval: IntervalOpt = None,
    n_bars: Annotated[
        int, typer.Option("--bars", "-n", min=1, max=20_000, help="How many recent bars to fetch.")
    ] = 5000,
    demo: Annotated[
        bool,
        typer.Option("--demo", help="Use the offline replay data (stored in the demo database)."),
    ] = False,
) -> None:
    """Fetch history into the database; only new or changed bars are written."""
    wanted = parse_symbols(symbols or [])
    settings = settings_for(ctx, interval=interval, demo=demo or None)
    failed = run_async(_sync(settings, wanted, n_bars))
    if failed:
        raise typer.Exit(1)


async def _sync(settings: Settings, wanted: list[str], n_bars: int) -> int:
    from tui_market.queries.list_symbols import ListSymbols
    from tui_market.services.data_sync_service import DataSyncService

    interval = settings.interval
    async with open_runtime(settings, seed=False) as rt:
        if not wanted:
            wanted = [row.symbol for row in await rt.bus.execute(ListSymbols(interval))]
            if not wanted:
                fail("nothing to sync: name symbols, or add some with `tui-market symbols add`")
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=err_console(), transient=True) as progress:
            task = progress.add_task(f"syncing {wanted[0]} {interval.value}", total=len(wanted))

            def on_progress(done: int, total: int, symbol: str) -> None:
                following = wanted[done] if done < total else symbol
                progress.update(
                    task,
                    completed=done,
                    total=total,
                    description=f"syncing {following} {interval.value}",
                )

            outcomes = await DataSyncService(rt.bus).sync_many(
                wanted, interval, n_bars, on_progress=on_progress
            )
    failed = 0
    for outcome in outcomes:
        result = outcome.result
        if result is None:
            failed += 1
            typer.echo(f"{outcome.symbol} {interval.value}: failed: {outcome.error}", err=True)
            continue
        rejected = f", {result.rejected} rejected" if result.rejected else ""
        typer.echo(
            f"{result.symbol} {interval.value}: {result.new} new, {result.updated} "
            f"updated, {result.unchanged} unchanged{rejected}"
        )
    return failed
