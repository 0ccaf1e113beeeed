"""``tui-market bars SYMBOL``: stored bars as a table, or CSV for scripts."""

from __future__ import annotations

import csv
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from tui_market.cli.common import IntervalOpt, fail, num, parse_symbols, run_async, settings_for
from tui_market.models import Bar
from tui_market.runtime import offline_providers, open_runtime


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
        fail(
            f"no {iv} bars stored for {wanted} in database {settings.database}; fetch them "
            f"with: tui-market sync {wanted} --interval {iv}{demo_flag}"
        )
    if as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["time", "open", "high", "low", "close", "volume"])
        for bar in found:
            writer.writerow(
                [bar.time.isoformat(), bar.open, bar.high, bar.low, bar.close, bar.volume]
            )
        return
    table = Table(title=f"{wanted} {iv}: last {len(found)} bars")
    table.add_column("Time (UTC)", no_wrap=True)
    for name in ("Open", "High", "Low", "Close", "Volume"):
        table.add_column(name, justify="right", no_wrap=True)
    for bar in found:
        table.add_row(
            bar.time.strftime("%Y-%m-%d %H:%M"),
            num(bar.open, 4),
            num(bar.high, 4),
            num(bar.low, 4),
            num(bar.close, 4),
            num(bar.volume, 0),
        )
    Console().print(table)
