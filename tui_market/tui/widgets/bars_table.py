"""The OHLCV table under the History chart: the bars the chart shows, newest first."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import DataTable

from tui_market.models import Bar, Interval
from tui_market.models.price_format import NO_VOLUME, format_price, no_volume
from tui_market.models.symbol_info import SymbolInfo
from tui_market.tui.widgets.chart_labels import time_label

# Fixed widths: auto-sized columns keep the width of the first rows they saw, so a later,
# wider series (BTC after AAPL) would be cut off.
COLUMNS = {
    "Time (UTC)": 11,
    "Open": 12,
    "High": 12,
    "Low": 12,
    "Close": 12,
    "Change %": 9,
    "Volume": 15,
}


def fmt_volume(value: float, info: SymbolInfo | None) -> str:
    """Whole units, a coin's fraction to 4 places (0.2566); "-" for an index that reports no
    volume (as Symbols and Ticker show it)."""
    if no_volume(value, info):
        return NO_VOLUME
    if value == int(value) or abs(value) >= 1e5:
        return f"{value:,.0f}"
    return f"{value:,.4f}".rstrip("0").rstrip(".")


class BarsTable(DataTable[Text | str]):
    """Read-only; the screen pans it together with the chart, so it never takes focus."""

    can_focus = False

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, zebra_stripes=True, cursor_type="none")

    def on_mount(self) -> None:
        for name, width in COLUMNS.items():
            self.add_column(name, key=name, width=width)

    def show(
        self,
        bars: Sequence[Bar],
        interval: Interval,
        previous: Bar | None,
        info: SymbolInfo | None = None,
    ) -> None:
        """``previous`` is the bar before ``bars[0]`` (for its change %), when there is one;
        ``info`` the symbol's metadata, for its own price decimals."""
        up = self.app.theme_variables.get("price-up", "green")
        down = self.app.theme_variables.get("price-down", "red")
        rows = []
        before = previous
        for bar in bars:
            change = Text("")
            if before is not None and before.close:
                pct = (bar.close - before.close) / before.close * 100.0
                change = Text(f"{pct:+.2f}%", style=up if pct >= 0 else down, justify="right")
            rows.append(
                (
                    time_label(bar.time, interval),
                    Text(format_price(bar.open, info), justify="right"),
                    Text(format_price(bar.high, info), justify="right"),
                    Text(format_price(bar.low, info), justify="right"),
                    Text(format_price(bar.close, info), justify="right"),
                    change,
                    Text(fmt_volume(bar.volume, info), justify="right"),
                )
            )
            before = bar
        self.clear()
        self.add_rows(reversed(rows))
