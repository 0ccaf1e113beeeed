"""``tui-market``: with no subcommand, the TUI; with one, a headless job for scripts and cron.

One typer app. Each subcommand is a function in its own module (``symbols``, ``alerts``,
``bars``, ``sync``, ``realign``, ``watch``, ``ingest``, ``serve``), added below; they share
``common`` (``settings_for``, ``run_async``, ``fail``).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from tui_market import paths
from tui_market.cli import alerts, bars, ingest, migrate, realign, serve, symbols, sync, watch
from tui_market.cli.common import CliState, err_console, fail, settings_for, state_of
from tui_market.errors import ConfigError
from tui_market.infrastructure.early_server import EarlyServer
from tui_market.infrastructure.uri_text import mask_uri
from tui_market.logging_setup import configure_logging, remove_console_handlers
from tui_market.settings import load_settings

log = logging.getLogger(__name__)

app = typer.Typer(
    name="tui-market",
    help="A terminal dashboard for traders. Run without a command to open the TUI.",
    invoke_without_command=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def root(
    ctx: typer.Context,
    demo: Annotated[bool, typer.Option("--demo", help="Offline demo on recorded data.")] = False,
    mongodb_uri: Annotated[
        str | None,
        typer.Option("--mongodb-uri", help="MongoDB URI (default: the embedded server)."),
    ] = None,
    database: Annotated[str | None, typer.Option(help="Database name.")] = None,
    data_dir: Annotated[
        Path | None, typer.Option(help="Where the embedded database keeps its files.")
    ] = None,
    provider: Annotated[str | None, typer.Option(help="tradingview or replay.")] = None,
    interval: Annotated[
        str | None, typer.Option(help="Default bar interval (1h, 1D, ...).")
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="Config file (default: see `tui-market locate`)."),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log to stderr too.")] = False,
    follow: Annotated[
        bool,
        typer.Option("--follow", help="Follow the desk's `tui-market ingest` via the database."),
    ] = False,
) -> None:
    overrides = {
        "demo": demo or None,
        "mongodb_uri": mongodb_uri,
        "database": database,
        "data_dir": data_dir,
        "provider": provider,
        "interval": interval,
        "feed": "database" if follow else None,
    }
    ctx.obj = CliState(config=config, overrides=overrides, verbose=verbose)
    configure_logging(verbose=verbose and ctx.invoked_subcommand is not None)
    log.info("tui-market %s", ctx.invoked_subcommand or "(tui)")
    if ctx.invoked_subcommand is None:
        _run_tui(ctx)


def _run_tui(ctx: typer.Context) -> None:
    settings = settings_for(ctx)
    configure_logging(settings.log_level, verbose=False)
    remove_console_handlers()
    early = EarlyServer.start(settings)  # begun by tui_market/__main__ before the imports
    try:
        from tui_market.tui.run import run_tui
    except ImportError as exc:
        log.warning("the TUI cannot be loaded: %s", exc)
        if early is not None:
            early.abandon()
        fail(
            "the TUI is not available in this build yet; see `tui-market --help` "
            "for the headless commands",
            1,
        )
    run_tui(settings, early=early)


@app.command()
def locate(ctx: typer.Context) -> None:
    """Print where config, themes, data and logs live."""
    state = state_of(ctx)
    config_file = state.config or paths.config_file()
    try:
        settings = load_settings(state.config, **state.overrides)
        data_dir = settings.data_dir
        where = mask_uri(settings.mongodb_uri) if settings.mongodb_uri else f"embedded, {data_dir}"
        database = f"{where} (database {settings.database})"
    except ConfigError as exc:
        log.error("locate: configuration error: %s", exc)
        err_console().print(f"tui-market: warning: {exc}", markup=False)
        data_dir, database = paths.data_dir(), "unknown (the configuration is invalid)"
    exists = "" if config_file.exists() else "  (not created yet)"
    for label, value in (
        ("config", f"{config_file}{exists}"),
        ("themes", str(paths.themes_dir())),
        ("data", str(data_dir)),
        ("database", database),
        ("logs", str(paths.log_file())),
    ):
        typer.echo(f"{label:<9} {value}")


app.add_typer(symbols.app, name="symbols")
app.add_typer(alerts.app, name="alerts")
app.command("bars")(bars.bars)
app.command("sync")(sync.sync)
app.command("realign")(realign.realign)
app.command("migrate")(migrate.migrate)
app.command("watch")(watch.watch)
app.command("serve")(serve.serve)
app.command("ingest")(ingest.ingest)


def main() -> None:
    """Console script entry point."""
    app()
