"""``tui-market ingest [SYMBOLS...]``: a desk's one TradingView connection, into the database.

It runs the live worker (the same ``QuoteService`` the TUI and ``watch`` use), saves closed
bars, and publishes each symbol's quote and forming bars (``live``, at most ten writes a second
per symbol) and a heartbeat, which terminals started with ``--follow`` read. With no symbols it
ingests the stored watchlist, and follows its changes. It prints each closed bar and each feed
state, like ``watch``. Ctrl-C (or SIGTERM) stops it: queued bars are saved first.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Annotated

import typer

from tui_market.cli.common import parse_symbols, run_async, settings_for
from tui_market.cli.watch import check_symbols, event_line, fetch_metadata
from tui_market.models.feed import QuoteInfo
from tui_market.models.live import BarClosedEvent, LiveEvent
from tui_market.queries.list_symbols import ListSymbols
from tui_market.runtime import open_runtime
from tui_market.services.db_supervisor import DatabaseHealth
from tui_market.services.desk_ingest import Ingester
from tui_market.settings import Settings

log = logging.getLogger(__name__)


async def ingest_feed(settings: Settings, symbols: list[str]) -> int:
    """Run until Ctrl-C; returns the closed bars saved."""
    async with open_runtime(settings, seed=not symbols) as rt:
        ingester = Ingester(rt.db, rt.embedded, rt.bus, rt.provider, rt.stream, [settings.interval])
        if symbols:
            await check_symbols(rt.provider, symbols, settings.interval)
            infos = {s: await fetch_metadata(rt.provider, s) for s in symbols}
        else:
            rows = await rt.bus.execute(ListSymbols())
            symbols = [row.symbol for row in rows]
            infos = {row.symbol: row.info for row in rows}
            ingester.service.set_references({row.symbol: row.prev_close for row in rows})
        await ingester.start_symbols(symbols, infos)
        typer.echo(f"ingesting {len(symbols)} symbols: {' '.join(symbols)}", err=True)
        stopping: list[asyncio.Task[None]] = []

        def stop() -> None:
            if not stopping:
                stopping.append(asyncio.create_task(ingester.stop()))

        shown: dict[str, tuple[str, int]] = {}

        def on_event(event: LiveEvent) -> None:
            if isinstance(event, BarClosedEvent) and event.bar.interval is not settings.interval:
                return  # every interval is published; the saved one is printed
            if isinstance(event, QuoteInfo):
                if shown.get(event.symbol) == (event.status, event.delay):
                    return
                shown[event.symbol] = (event.status, event.delay)
            typer.echo(event_line(event))

        def on_database(health: DatabaseHealth) -> None:
            typer.echo(f"database: {'up' if health.up else f'down ({health.detail})'}", err=True)

        loop = asyncio.get_running_loop()
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signal.SIGINT, stop)
            loop.add_signal_handler(signal.SIGTERM, stop)
        try:
            await ingester.run(on_event, on_database, follow_watchlist=not symbols)
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError):
                    loop.remove_signal_handler(sig)
        saved = ingester.service.saved
        typer.echo(f"saved {saved} closed bars", err=True)
        return saved


def ingest(
    ctx: typer.Context,
    symbols: Annotated[
        list[str] | None,
        typer.Argument(help="EXCHANGE:TICKER ... (default: the watchlist, followed)"),
    ] = None,
    interval: Annotated[
        str | None, typer.Option("--interval", "-i", help="Interval whose bars are saved.")
    ] = None,
    demo: Annotated[bool, typer.Option("--demo", help="Offline replay feed.")] = False,
    ws_url: Annotated[
        str | None,
        typer.Option("--ws-url", help="TradingView websocket URL (e.g. a local fake server)."),
    ] = None,
) -> None:
    """Hold the desk's one live connection: save closed bars, publish quotes for --follow."""
    wanted = parse_symbols(symbols or [])
    settings = settings_for(ctx, interval=interval, demo=demo or None, tv_ws_url=ws_url)
    if settings.feed == "database":
        settings = settings.model_copy(update={"feed": "provider"})  # the ingester is the feed
    log.info("ingest %s via %s", " ".join(wanted) or "(watchlist)", settings.provider)
    run_async(ingest_feed(settings, wanted))
