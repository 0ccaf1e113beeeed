"""Logging: always to a rotating file in the user state dir, never to the terminal by default.

While the TUI runs, a line on stderr would tear the screen, so the root logger gets only the
file handler (and a NullHandler if the file cannot be opened, which also keeps Python's
"last resort" stderr handler quiet). ``-v`` on the headless CLI adds a stderr handler.
"""

from __future__ import annotations

import logging
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path

from tui_market import paths

FORMAT = "%(asctime)s %(levelname)-7s %(process)d %(name)s: %(message)s"
_MAX_BYTES = 2_000_000
_BACKUPS = 3
_OURS = "_tui_market_handler"


def configure_logging(
    level: str | int = "INFO", *, verbose: bool = False, log_path: Path | None = None
) -> Path | None:
    """Install our handlers on the root logger (idempotent). Returns the log file, if open."""
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, _OURS, False):
            root.removeHandler(old)
            old.close()
    root.setLevel(logging.DEBUG if verbose else level)
    path = log_path or paths.log_file()
    opened: Path | None = path
    handler: logging.Handler
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(
            path, maxBytes=_MAX_BYTES, backupCount=_BACKUPS, encoding="utf-8"
        )
        handler.setFormatter(logging.Formatter(FORMAT))
    except OSError as exc:
        handler = logging.NullHandler()
        opened = None
        if verbose:
            print(f"tui-market: cannot write log file {path}: {exc.strerror}", file=sys.stderr)
    _install(root, handler)
    if verbose:
        console = logging.StreamHandler(sys.stderr)
        console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        _install(root, console)
    # Driver chatter (heartbeats, server selection) drowns our own lines at DEBUG.
    for noisy in ("pymongo", "websockets", "asyncio", "urllib3", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return opened


def _install(root: logging.Logger, handler: logging.Handler) -> None:
    setattr(handler, _OURS, True)
    root.addHandler(handler)


def remove_console_handlers() -> None:
    """Drop stderr handlers (call before the TUI takes the terminal)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if (
            getattr(handler, _OURS, False)
            and isinstance(handler, logging.StreamHandler)
            and (not isinstance(handler, logging.FileHandler))
        ):
            root.removeHandler(handler)
