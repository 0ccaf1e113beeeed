"""What one Ticker row says, as plain values: formatted cells, the change's tone, the flash.

No Textual here: the table (``ticker_table.py``) turns a ``RowView`` into a styled line and
caches that line by the ``RowView`` itself, so a row whose view is equal is never re-rendered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tui_market.models import Interval
from tui_market.models.feed import delay_text, market_status
from tui_market.models.live import LiveSnapshot, SymbolQuote
from tui_market.models.price_format import format_price, format_volume
from tui_market.models.symbol_info import SymbolInfo

# No "Close": the forming bar's close is the last trade, the Last column. Volume is short
# (1.23M, as on Symbols) so that the Status column fits a 120-column terminal with a scrollbar.
COLUMNS = ("Symbol", "Last", "Chg %", "Open", "High", "Low", "Volume", "Closes in", "Status")
WIDTHS = (16, 10, 8, 10, 10, 10, 8, 9, 19)  # fixed: live values never make columns jump
FLASH_SECONDS = 0.8
DASH = "—"
LAST, CHANGE, CLOSES_IN = 1, 2, COLUMNS.index("Closes in")  # styled or updated alone
STATUS = len(COLUMNS) - 1
STATUS_WIDTH = WIDTHS[STATUS]


def status_cell(quote: SymbolQuote) -> str:
    """The market status and delay as Symbols shows them ("open, delayed 15m"); where that is
    wider than the column (pre- or post-market and delayed) the market word is shortened
    ("post, delayed 15m")."""
    text = quote.status
    if len(text) > STATUS_WIDTH:
        word = market_status(quote.session).removesuffix("-market")
        text = ", ".join(t for t in (word, delay_text(quote.delay)) if t)
    return text or DASH


def countdown(seconds: float) -> str:
    total = int(seconds + 0.999)  # round up: "00:01" until the bar really closes
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


@dataclass(frozen=True, slots=True)
class RowView:
    """One row's content. ``rising``: the change % is >= 0 (None: no change known);
    ``flash``: the last price is flashing up (True) or down (False), or not (None)."""

    cells: tuple[str, ...]
    rising: bool | None = None
    flash: bool | None = None

    @classmethod
    def empty(cls, symbol: str) -> RowView:
        return cls((symbol, *([DASH] * (len(COLUMNS) - 1))))

    def with_countdown(self, left: str) -> RowView:
        if self.cells[CLOSES_IN] == left:
            return self
        cells = (*self.cells[:CLOSES_IN], left, *self.cells[CLOSES_IN + 1 :])
        return RowView(cells, self.rising, self.flash)


def quote_row(
    symbol: str,
    q: SymbolQuote,
    interval: Interval,
    left: str,
    flash: bool | None,
    info: SymbolInfo | None = None,
) -> RowView:
    """``info``: the symbol's metadata, for its own price decimals (BTCUSD on Bitstamp 25,753,
    EURUSD 1.08345), as Symbols shows them."""
    pct = q.change_pct
    bar = q.forming.get(interval)
    values = (None,) * 4 if bar is None else (bar.open, bar.high, bar.low, bar.volume)
    cells = (
        symbol,
        DASH if q.last is None else format_price(q.last, info),
        DASH if pct is None else f"{pct:+.2f}%",
        *(DASH if v is None else format_price(v, info) for v in values[:3]),
        DASH if values[3] is None else format_volume(values[3], info),
        left,
        status_cell(q),
    )
    return RowView(cells, None if pct is None else pct >= 0, flash if q.last is not None else None)


class Flashes:
    """A new last price flashes for ``FLASH_SECONDS``: up if it rose, down if it fell.

    Only a change seen between two paints of the row flashes (not the first paint, nor a row
    that was off screen: ``forget`` it then, so it does not flash a stale change coming back).
    """

    def __init__(self) -> None:
        self._painted: dict[str, float | None] = {}
        self._until: dict[str, tuple[float, bool]] = {}  # symbol -> (until, up)

    def forget(self, symbol: str) -> None:
        self._painted.pop(symbol, None)

    def clear(self) -> None:
        self._painted.clear()

    def update(self, symbol: str, last: float | None, now: float) -> bool | None:
        """Record the painted ``last``; the direction of the flash showing at ``now``."""
        if symbol in self._painted:
            before = self._painted[symbol]
            if last != before and before is not None and last is not None:
                self._until[symbol] = (now + FLASH_SECONDS, last >= before)
        self._painted[symbol] = last
        flash = self._until.get(symbol)
        if flash is None:
            return None
        if flash[0] > now:
            return flash[1]
        del self._until[symbol]
        return None


def paint_rows(
    rows: dict[str, RowView],
    shown: tuple[str, ...],
    flashes: Flashes,
    snapshot: LiveSnapshot,
    interval: Interval,
    now: float,
    infos: Mapping[str, SymbolInfo | None] | None = None,
) -> list[str]:
    """Update ``rows`` of the symbols ``shown`` from ``snapshot``; the symbols that changed."""
    changed = []
    for symbol in shown:
        old = rows.get(symbol) or RowView.empty(symbol)
        left = countdown(snapshot.seconds_to_close(interval, symbol))
        quote = snapshot.quotes.get(symbol)
        if quote is None:
            new = old.with_countdown(left)  # no quote (yet): keep what the row showed
        else:
            flash = flashes.update(symbol, quote.last, now)
            info = None if infos is None else infos.get(symbol)
            new = quote_row(symbol, quote, interval, left, flash, info)
        if new != old:
            rows[symbol] = new
            changed.append(symbol)
    return changed
