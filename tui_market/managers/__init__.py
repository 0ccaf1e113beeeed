"""Pure domain logic (no I/O): live ticks -> bars."""

from tui_market.managers.bar_manager import (
    BarBuilder,
    BarManager,
    BarStats,
    ClosedBar,
    FormingBar,
)

__all__ = ["BarBuilder", "BarManager", "BarStats", "ClosedBar", "FormingBar"]
