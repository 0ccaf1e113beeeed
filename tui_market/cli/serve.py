"""``tui-market serve``: the dashboard in a browser, through textual-serve.

Each browser tab runs its own ``tui-market`` process with the same root options (``--demo``,
``--data-dir``, ...), so it sees the same store. Bound to 127.0.0.1 unless ``--host`` names
another address: the page is the whole app (adding and removing symbols, syncing), with no
login, so exposing it is a choice the user makes out loud.
"""

from __future__ import annotations

import logging
import shlex
import sys
from typing import Annotated

import typer

from tui_market.cli.common import EXIT_USAGE, err_console, fail, state_of

log = logging.getLogger(__name__)
LOOPBACK = "127.0.0.1"
ROOT_OPTIONS = {  # CliState.overrides key -> the root option that sets it
    "mongodb_uri": "--mongodb-uri",
    "database": "--database",
    "data_dir": "--data-dir",
    "provider": "--provider",
    "interval": "--interval",
}


def app_command(ctx: typer.Context) -> str:
    """The shell command each browser session runs: this Python, this package, the same
    root options as ``serve`` was given."""
    state = state_of(ctx)
    argv = [sys.executable, "-m", "tui_market"]
    if state.config is not None:
        argv += ["--config", str(state.config)]
    if state.overrides.get("demo"):
        argv.append("--demo")
    if state.overrides.get("feed") == "database":  # every tab a desk follower
        argv.append("--follow")
    for key, option in ROOT_OPTIONS.items():
        value = state.overrides.get(key)
        if value is not None:
            argv += [option, str(value)]
    return shlex.join(argv)


def serve(
    ctx: typer.Context,
    port: Annotated[int, typer.Option("--port", "-p", help="TCP port to listen on.")] = 8000,
    host: Annotated[
        str | None,
        typer.Option("--host", help="Address to bind (default 127.0.0.1, this machine only)."),
    ] = None,
) -> None:
    """Serve the dashboard to a web browser (http://127.0.0.1:8000 by default)."""
    if not 0 < port < 65536:
        fail(f"--port {port}: not a TCP port (1-65535)", EXIT_USAGE)
    if host is not None and host not in (LOOPBACK, "localhost", "::1"):
        err_console().print(
            f"tui-market: warning: serving on {host}: anyone who can reach this address "
            "can use your dashboard (no login).",
            markup=False,
        )
    from textual_serve.server import Server  # aiohttp: only for this command

    command = app_command(ctx)
    log.info("serve on %s:%d: %s", host or LOOPBACK, port, command)
    Server(command, host=host or LOOPBACK, port=port, title="tui-market").serve()
