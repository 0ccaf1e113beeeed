"""``tui-market migrate``: move stored bars from the one-document-per-bar layout of earlier
versions to buckets (``bar_buckets``). Every start says when it is needed; bars still in the
old layout are not read by the app until then."""

from __future__ import annotations

from typing import Annotated

import typer

from tui_market.cli.common import run_async, settings_for
from tui_market.runtime import open_runtime
from tui_market.settings import Settings


def migrate(
    ctx: typer.Context,
    demo: Annotated[bool, typer.Option("--demo", help="The demo database.")] = False,
) -> None:
    """Move bars stored by an earlier version into the bucket layout (once per store)."""
    settings = settings_for(ctx, demo=demo or None)
    if run_async(_migrate(settings)):
        raise typer.Exit(1)


async def _migrate(settings: Settings) -> int:
    from tui_market.commands.migrate_bars import MigrateBars

    def progress(read: int) -> None:
        typer.echo(f"  {read:,} bars moved ...", err=True)

    async with open_runtime(settings, seed=False) as rt:
        result = await rt.bus.execute(MigrateBars(progress=progress))
    if not result.read:
        typer.echo("nothing to migrate: every stored bar is in the bucket layout")
        return 0
    typer.echo(f"{result.read:,} bars read, {result.written:,} written to buckets")
    if result.unreadable:
        typer.echo(
            f"{result.unreadable:,} stored documents were not readable bars: the old collection "
            "'ohlcv' is kept (see the log)",
            err=True,
        )
        return 1
    return 0
