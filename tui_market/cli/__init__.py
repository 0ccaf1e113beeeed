"""The ``tui-market`` command line (``app``): the TUI, and the headless subcommands."""

from tui_market.cli.app import app, main

__all__ = ["app", "main"]
