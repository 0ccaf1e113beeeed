"""tui-market: a terminal dashboard for traders, backed by MongoDB."""

__version__ = "0.1.0"
