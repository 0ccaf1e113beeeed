"""``tui-market watch --follow SYMBOL...``: a desk's live feed read from the database.

No TradingView connection: the closed bars and the ingester's state come from the database,
where ``tui-market ingest`` writes them (``DeskFollower``). Prints each bar as it closes, and
the ingester's state when it changes ("ingester: live", "ingester: silent 3 s"). Ctrl-C stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal

import typer

from tui_market.cli.watch import bar_line
from tui_market.models import FeedState
from tui_market.models.live import BarClosedEvent, LiveEvent
from tui_market.runtime import open_runtime
from tui_market.services.db_supervisor import DatabaseHealth, DatabaseSupervisor
from tui_market.services.desk_follower import DeskFollower
from tui_market.settings import Settings


async def follow_feed(settings: Settings, symbols: list[str], max_bars: int | None) -> int:
    """Print the desk's closed bars of ``symbols`` until Ctrl-C (or ``max_bars``)."""
    async with open_runtime(settings, seed=False) as rt:
        follower = DeskFollower(rt.db)
        await follower.set_symbols(set(symbols))
        typer.echo(f"following {len(symbols)} symbols through the database ({rt.db.describe()})")
        wanted = settings.interval
        shown = 0

        def on_event(event: LiveEvent) -> None:
            nonlocal shown
            if isinstance(event, BarClosedEvent) and event.bar.interval is wanted:
                typer.echo(bar_line(event.bar))
                shown += 1
                if max_bars is not None and shown >= max_bars:
                    asyncio.get_running_loop().create_task(follower.close())
            elif isinstance(event, FeedState):
                typer.echo(f"ingester: {follower.ingester().text.removeprefix('ingester ')}")

        def on_database(health: DatabaseHealth) -> None:
            typer.echo(f"database: {'up' if health.up else f'down ({health.detail})'}", err=True)

        loop = asyncio.get_running_loop()
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signal.SIGINT, lambda: loop.create_task(follower.close()))
            loop.add_signal_handler(signal.SIGTERM, lambda: loop.create_task(follower.close()))
        supervisor = DatabaseSupervisor(rt.db, rt.embedded, rt.bus)
        watching = asyncio.create_task(supervisor.run(on_database), name="database watch")
        try:
            await follower.run(on_event)
        finally:
            watching.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watching
        return shown
