"""``tui-market`` (and ``python -m tui_market``): the embedded database is started first.

Opening the TUI, the watchlist waits for the embedded server, which needs ~0.8-1.2 s to answer,
and the CLI's own imports (typer, pydantic, pymongo: ~0.5 s) used to come before it was even
started. Here, for a TUI invocation (no subcommand), the server for the data dir the settings
will most likely name is begun before those imports (``EarlyServer.begin``), reading only the
standard library's way what ``load_settings`` reads: the flags, ``TUI_MARKET_*`` variables and
the config file. The CLI then claims it when the settings agree, or releases it
(``EarlyServer.start``): a wrong guess costs a server start, never a wrong database.
"""

from __future__ import annotations

import logging
import os
import sys
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
# The root command's options (tui_market/cli.py): with a value, and flags.
_VALUED = {"--mongodb-uri", "--database", "--data-dir", "--provider", "--interval", "--config"}
_FLAGS = {"--demo", "--verbose", "-v"}


def root_options(argv: Sequence[str]) -> dict[str, str] | None:
    """The root options of a TUI invocation; None when there is a subcommand, ``--help`` or
    anything else this reading does not know."""
    options: dict[str, str] = {}
    args = iter(argv)
    for arg in args:
        name, has_value, value = arg.partition("=")
        if name in _VALUED:
            options[name] = value if has_value else next(args, "")
        elif arg not in _FLAGS:
            return None
    return options


def _setting(
    name: str, options: Mapping[str, str], environ: Mapping[str, str], file: Mapping[str, Any]
) -> str | None:
    """``name`` as ``load_settings`` ranks it: flag, environment (any case), config file."""
    flag = options.get("--" + name.replace("_", "-"))
    if flag is not None:
        return flag
    wanted = f"TUI_MARKET_{name}".upper()
    for key, value in environ.items():
        if key.upper() == wanted:
            return value
    found = file.get(name)
    return str(found) if found is not None else None


def tui_data_dir(argv: Sequence[str], environ: Mapping[str, str]) -> Path | None:
    """The embedded server's data dir this TUI invocation will most likely use; None when it
    uses none (a MongoDB URI), is no TUI invocation, or the guess cannot be made."""
    from tui_market import paths  # platformdirs only

    options = root_options(argv)
    if options is None:
        return None
    config = options.get("--config") or environ.get(paths.CONFIG_FILE_ENV)
    path = Path(config).expanduser() if config else paths.config_file()
    try:
        with path.open("rb") as handle:
            file = tomllib.load(handle)
    except FileNotFoundError:
        file = {}
    except (OSError, ValueError, RuntimeError) as exc:  # TOMLDecodeError is a ValueError
        log.debug("early start: config file %s not read: %s", path, exc)
        return None
    if (_setting("mongodb_uri", options, environ, file) or "").strip():
        return None
    data_dir = _setting("data_dir", options, environ, file)
    try:
        return Path(data_dir).expanduser() if data_dir else paths.data_dir()
    except RuntimeError as exc:  # "~nosuchuser": the settings will say so
        log.debug("early start: data dir %r not expanded: %s", data_dir, exc)
        return None


def main() -> None:
    """Console script entry point."""
    data_dir = tui_data_dir(sys.argv[1:], os.environ)
    if data_dir is not None:
        from tui_market.infrastructure.early_server import EarlyServer

        EarlyServer.begin(data_dir)
    from tui_market.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
