"""Cell text for the watchlist table (pure functions: numbers, ages, schedule)."""

from __future__ import annotations

from datetime import datetime

from tui_market.models.feed import delay_text
from tui_market.models.live import SymbolQuote
from tui_market.models.price_format import format_price, format_volume
from tui_market.models.symbol_info import SymbolInfo
from tui_market.queries.list_symbols import SymbolRow


def live_figures(
    row: SymbolRow, quote: SymbolQuote | None
) -> tuple[float | None, float | None, float | None, str]:
    """Last, change, change % and status for a watchlist row: the live quote's while the feed
    gives a price (change from the previous session's close: the feed's, else the stored
    daily one), else the stored figures; the delay known from the metadata until the feed says."""
    delay = delay_text(row.info.delay_seconds) if row.info is not None else ""
    if quote is None or quote.last is None:
        return row.last_close, row.change, row.change_pct, delay
    reference = quote.reference if quote.reference is not None else row.prev_close
    change = quote.last - reference if reference is not None else None
    pct = change / reference * 100.0 if change is not None and reference else None
    return quote.last, change, pct, quote.status or delay


def price(value: float | None, info: SymbolInfo | None = None) -> str:
    """A price with the symbol's tick decimals (``format_price``); the old rule without info."""
    return format_price(value, info)


def signed(value: float | None, suffix: str = "", info: SymbolInfo | None = None) -> str:
    if value is None:
        return "—"
    text = price(abs(value), info)
    sign = "+" if value > 0 else "-" if value < 0 else ""
    return f"{sign}{text}{suffix}"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:+.2f}%"


def volume(value: float | None, info: SymbolInfo | None = None) -> str:
    """A short volume (1.23M); "-" for an index (``format_volume``)."""
    return format_volume(value, info)


def age(then: datetime | None, now: datetime) -> str:
    """``then`` relative to ``now``: "just now", "5m ago", "3h ago", "2d ago", "never"."""
    if then is None:
        return "never"
    seconds = (now - then).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)}m ago"
    if seconds < 86_400:
        return f"{int(seconds // 3600)}h ago"
    return f"{int(seconds // 86_400)}d ago"


def until(when: datetime | None, now: datetime) -> str:
    if when is None:
        return "—"
    seconds = max(0.0, (when - now).total_seconds())
    if seconds < 60:
        return f"in {int(seconds)}s"
    if seconds < 3600:
        return f"in {int(seconds // 60)}m"
    return f"in {int(seconds // 3600)}h{int(seconds % 3600 // 60):02d}m"


def direction(value: float | None) -> str:
    """ "up", "down" or "flat": the theme variable suffix for a change."""
    if value is None or value == 0:
        return "flat"
    return "up" if value > 0 else "down"
