"""``tui-market alerts add|list|remove``: price alerts, headless.

``alerts add NASDAQ:AAPL above 200`` (kinds: above, below, close-above, close-below, change);
the alert is watched by every running live worker (the TUI's, ``watch``'s) within seconds. Bad
input gets one line on stderr, exit 2, and stores nothing.
"""

from __future__ import annotations

import logging
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from tui_market.cli.common import EXIT_USAGE, IntervalOpt, fail, run_async, settings_for
from tui_market.models.alert import Alert, InvalidAlert
from tui_market.runtime import offline_providers, open_runtime

log = logging.getLogger(__name__)
app = typer.Typer(help="Price alerts: told when a price crosses a level.", no_args_is_help=True)
KINDS = "above | below | close-above | close-below | change"


@app.command("add")
def alerts_add(
    ctx: typer.Context,
    symbol: Annotated[str, typer.Argument(help="EXCHANGE:TICKER on the watchlist")],
    kind: Annotated[str, typer.Argument(help=KINDS)],
    level: Annotated[str, typer.Argument(help="A price (a percentage for change)")],
    interval: IntervalOpt = None,
    rearm: Annotated[
        bool, typer.Option("--rearm", help="Fire again on each new crossing (default: once).")
    ] = False,
) -> None:
    """Add an alert, e.g. `alerts add NASDAQ:AAPL above 200` or `... close-below 180 -i 1h`."""
    settings = settings_for(ctx, interval=interval)

    async def work() -> Alert:
        from tui_market.commands.add_alert import AddAlert

        async with open_runtime(settings, seed=False, providers=offline_providers) as rt:
            try:
                return await rt.bus.execute(
                    AddAlert(symbol, kind, level, settings.interval, rearm=rearm)
                )
            except InvalidAlert as exc:
                log.error("alert refused: %s", exc)
                fail(str(exc), EXIT_USAGE)

    alert = run_async(work())
    mode = "re-arms after each firing" if alert.rearm else "fires once"
    typer.echo(f"alert {alert.id}: {alert.condition} ({mode})")


@app.command("list")
def alerts_list(ctx: typer.Context) -> None:
    """Every alert with its state, and when it last fired."""
    settings = settings_for(ctx)

    async def work() -> list[Alert]:
        from tui_market.queries.list_alerts import ListAlerts

        async with open_runtime(settings, seed=False, providers=offline_providers) as rt:
            return await rt.bus.execute(ListAlerts())

    alerts = run_async(work())
    if not alerts:
        typer.echo("no alerts; add one with: tui-market alerts add NASDAQ:AAPL above 200")
        return
    table = Table(title="alerts")
    for name in ("ID", "Alert", "Mode", "State", "Last fired (UTC)"):
        table.add_column(name, justify="right" if name == "ID" else "left", no_wrap=name != "Alert")
    for alert in alerts:
        fired = f"{alert.fired_at:%Y-%m-%d %H:%M:%S}" if alert.fired_at else ""
        state = "watching" if alert.active else "fired"
        table.add_row(
            str(alert.id), alert.condition, "re-arm" if alert.rearm else "once", state, fired
        )
    Console().print(table)


@app.command("remove")
def alerts_remove(
    ctx: typer.Context, alert_id: Annotated[int, typer.Argument(help="The alert's ID")]
) -> None:
    """Remove an alert (its past firings stay in the history)."""
    settings = settings_for(ctx)

    async def work() -> Alert | None:
        from tui_market.commands.remove_alert import RemoveAlert

        async with open_runtime(settings, seed=False, providers=offline_providers) as rt:
            return await rt.bus.execute(RemoveAlert(alert_id))

    removed = run_async(work())
    if removed is None:
        fail(f"no alert with ID {alert_id} (see: tui-market alerts list)")
    typer.echo(f"alert {removed.id} removed: {removed.condition}")
