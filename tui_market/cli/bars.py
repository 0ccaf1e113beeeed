"""``tui-market bars SYMBOL``: stored bars as a table, or CSV for scripts, with indicator
columns on request (``--with ema:21,rsi:14``)."""

from __future__ import annotations

import csv
import logging
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from tui_market.cli.common import (
    EXIT_USAGE,
    IntervalOpt,
    fail,
    num,
    parse_symbols,
    run_async,
    say_old_layout,
    settings_for,
)
from tui_market.managers.indicators import IndicatorSet, session_anchor
from tui_market.models import Bar
from tui_market.models.indicator import IndicatorSpec, InvalidIndicator, parse_specs
from tui_market.models.symbol_info import SymbolInfo
from tui_market.runtime import offline_providers, open_runtime

log = logging.getLogger(__name__)
WithOpt = Annotated[
    str,
    typer.Option(
        "--with",
        "-w",
        help="Indicator columns, e.g. ema:21,rsi:14,bb:20,2,macd:12,26,9,sma:50,vwap.",
    ),
]


def bars(
    ctx: typer.Context,
    symbol: Annotated[str, typer.Argument(help="EXCHANGE:TICKER")],
    interval: IntervalOpt = None,
    last: Annotated[int, typer.Option("--last", "-l", min=1, help="How many bars.")] = 20,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV on stdout, for scripts.")] = False,
    demo: Annotated[bool, typer.Option("--demo", help="Read the demo database.")] = False,
    with_: WithOpt = "",
) -> None:
    """Print stored bars, oldest first (times are bar open times, UTC). Indicators are
    computed over the whole stored series, so the first rows printed are warmed up."""
    (wanted,) = parse_symbols([symbol])
    try:
        specs = parse_specs(with_)
    except InvalidIndicator as exc:
        log.error("bad --with: %s", exc)
        fail(f"--with: {exc}", EXIT_USAGE)
    settings = settings_for(ctx, interval=interval, demo=demo or None)

    async def work() -> tuple[list[Bar], SymbolInfo | None]:
        from tui_market.queries.get_bars import GetBars
        from tui_market.queries.list_symbols import ListSymbols

        async with open_runtime(settings, seed=False, providers=offline_providers) as rt:
            query = GetBars(wanted, settings.interval, last=None if specs else last)
            found = await rt.bus.execute(query)
            say_old_layout(rt.old_bars)
            info = None
            if specs:
                rows = await rt.bus.execute(ListSymbols(settings.interval))
                info = next((row.info for row in rows if row.symbol == wanted), None)
            return found, info

    found, info = run_async(work())
    iv = settings.interval.value
    if not found:
        demo_flag = " --demo" if settings.demo else ""
        fail(
            f"no {iv} bars stored for {wanted} in database {settings.database}; fetch them "
            f"with: tui-market sync {wanted} --interval {iv}{demo_flag}"
        )
    extra = _indicator_columns(specs, found, info, last)
    found = found[-last:]
    names = [name for spec in specs for name in spec.columns()]
    if as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["time", "open", "high", "low", "close", "volume", *names])
        for i, bar in enumerate(found):
            values = ["" if v is None else repr(v) for v in extra[i]]
            writer.writerow(
                [bar.time.isoformat(), bar.open, bar.high, bar.low, bar.close, bar.volume, *values]
            )
        return
    table = Table(title=f"{wanted} {iv}: last {len(found)} bars")
    table.add_column("Time (UTC)", no_wrap=True)
    for name in ("Open", "High", "Low", "Close", "Volume", *names):
        table.add_column(name, justify="right", no_wrap=True)
    for i, bar in enumerate(found):
        table.add_row(
            bar.time.strftime("%Y-%m-%d %H:%M"),
            num(bar.open, 4),
            num(bar.high, 4),
            num(bar.low, 4),
            num(bar.close, 4),
            num(bar.volume, 0),
            *(num(v, 4) for v in extra[i]),
        )
    Console().print(table)


def _indicator_columns(
    specs: tuple[IndicatorSpec, ...], found: list[Bar], info: SymbolInfo | None, last: int
) -> list[list[float | None]]:
    """Per printed row (the newest ``last`` of ``found``), every indicator line's value."""
    shown = min(last, len(found))
    if not specs:
        return [[] for _ in range(shown)]
    computed = IndicatorSet(specs, session_anchor(info)).extend(found)
    lines = [line[-shown:] for study in computed.studies for line in study.lines]
    return [[line[i] for line in lines] for i in range(shown)]
