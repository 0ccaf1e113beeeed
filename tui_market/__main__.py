"""``tui-market`` (and ``python -m tui_market``): the embedded database is started first.

Opening the TUI, the watchlist waits for the embedded server, which takes about a second to
answer; the CLI's own imports (typer, pymongo, Textual) would otherwise come before it is even
started. Here, for a TUI invocation (no subcommand), the root options are read by hand, the
settings are loaded with ``load_settings`` (the same precedence the CLI uses), and the server
for their data dir is begun (``EarlyServer.begin``) before the CLI is imported. The CLI then
claims it (``EarlyServer.start``) when its settings agree, or releases it.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from pathlib import Path

log = logging.getLogger(__name__)
# The root command's options (tui_market/cli/app.py) -> load_settings' names; and its flags.
_VALUED = {
    "--mongodb-uri": "mongodb_uri",
    "--database": "database",
    "--data-dir": "data_dir",
    "--provider": "provider",
    "--interval": "interval",
    "--config": "config",
}
_FLAGS = {"--demo", "--verbose", "-v"}


def root_options(argv: Sequence[str]) -> dict[str, str] | None:
    """The root options of a TUI invocation (by setting name; ``demo`` when given); None when
    there is a subcommand, ``--help`` or anything else this reading does not know."""
    options: dict[str, str] = {}
    args = iter(argv)
    for arg in args:
        name, has_value, value = arg.partition("=")
        if name in _VALUED:
            options[_VALUED[name]] = value if has_value else next(args, "")
        elif arg == "--demo":
            options["demo"] = "true"
        elif arg not in _FLAGS:
            return None
    return options


def tui_data_dir(argv: Sequence[str]) -> Path | None:
    """The embedded server's data dir of this TUI invocation; None when it uses none (a
    MongoDB URI), is no TUI invocation, or its settings do not load (the CLI will say why)."""
    options = root_options(argv)
    if options is None:
        return None
    from tui_market.errors import ConfigError
    from tui_market.settings import load_settings

    config = options.pop("config", None)
    try:
        settings = load_settings(Path(config) if config else None, **options)
    except ConfigError as exc:
        log.debug("early start: settings not loaded: %s", exc)
        return None
    return None if settings.mongodb_uri else settings.data_dir


def main() -> None:
    """Console script entry point."""
    data_dir = tui_data_dir(sys.argv[1:])
    if data_dir is not None:
        from tui_market.infrastructure.early_server import EarlyServer

        EarlyServer.begin(data_dir)
    from tui_market.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
