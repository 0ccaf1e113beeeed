"""The Ticker's table: one row per watchlist symbol, painted from a ``LiveSnapshot``.

Cells are rewritten only when their text or style changes. A new last price flashes
``$flash-up``/``$flash-down`` for ``FLASH_SECONDS`` (wall time); change % uses
``$price-up``/``$price-down``.

Performance (50 symbols ticking every frame): only the rows on screen are painted, and a
changed cell invalidates only its own row's render caches. ``DataTable.update_cell`` bumps
``_update_count``, which is part of every cache key in Textual 8.2.8, so one changed cell
re-rendered every visible cell; here the cell is written into the table's data and the
entries of that row are dropped from the caches (see ``_flush``; textual is pinned).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from rich.style import Style
from rich.text import Text
from textual._types import SegmentLines
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

from tui_market.models import Interval
from tui_market.models.live import LiveSnapshot, SymbolQuote
from tui_market.tui.widgets.bars_table import fmt_price
from tui_market.tui.widgets.table_cells import evict, fast_text_cell

COLUMNS = ("Symbol", "Last", "Chg %", "Open", "High", "Low", "Close", "Volume", "Closes in")
WIDTHS = (16, 10, 8, 10, 10, 10, 10, 12, 9)  # fixed: live values never make columns jump
FLASH_SECONDS = 0.8
DASH = Text("—", justify="right")


def countdown(seconds: float) -> str:
    total = int(seconds + 0.999)  # round up: "00:01" until the bar really closes
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def _num(value: float | None, fmt: Callable[[float], str], style: str = "") -> Text:
    if value is None:
        return DASH
    return Text(fmt(value), style=style, justify="right")


class TickerTable(DataTable[Text | str]):
    def __init__(self, *, id: str | None = None, wall: Callable[[], float] = time.monotonic):
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.wall = wall  # monotonic seconds for the flash (a test may fix it)
        self._symbols: tuple[str, ...] = ()
        self._cells: dict[tuple[str, str], Text | str] = {}
        self._painted_last: dict[str, float | None] = {}
        self._flash: dict[str, tuple[float, bool]] = {}  # symbol -> (until, up)
        self._dirty: set[tuple[str, str]] = set()  # (symbol, column) changed in this paint

    def on_mount(self) -> None:
        for name, width in zip(COLUMNS, WIDTHS, strict=True):
            self.add_column(name, key=name, width=width)

    @property
    def symbols(self) -> tuple[str, ...]:
        return self._symbols

    def set_symbols(self, symbols: Sequence[str]) -> None:
        wanted = tuple(dict.fromkeys(symbols))
        if wanted == self._symbols:
            return
        selected = self.selected_symbol
        self._symbols = wanted
        self.clear()
        self._cells.clear()
        self._painted_last.clear()
        for symbol in wanted:
            self.add_row(symbol, *([DASH] * (len(COLUMNS) - 1)), key=symbol)
        if selected in wanted:
            self.move_cursor(row=wanted.index(selected))

    @property
    def selected_symbol(self) -> str | None:
        if not self._symbols or not 0 <= self.cursor_row < len(self._symbols):
            return None
        return self._symbols[self.cursor_row]

    def visible_symbols(self) -> tuple[str, ...]:
        """The symbols whose rows are on screen (all of them before the first layout)."""
        height = self.size.height
        if height <= 0:
            return self._symbols
        first = int(self.scroll_y)
        return self._symbols[first : first + height]  # one line per row; the header is extra

    def paint(self, snapshot: LiveSnapshot, interval: Interval) -> None:
        now = self.wall()
        var = self.app.theme_variables
        shown = self.visible_symbols()
        if len(shown) < len(self._symbols):
            hidden = set(self._symbols).difference(shown)
            for symbol in hidden:  # no stale flash when the row scrolls back in
                self._painted_last.pop(symbol, None)
        for symbol in shown:
            quote = snapshot.quotes.get(symbol)
            if quote is not None:
                self._paint_quote(symbol, quote, interval, now, var)
            left = countdown(snapshot.seconds_to_close(interval, symbol))
            self._set(symbol, "Closes in", Text(left, justify="right"))
        self._flush()

    def _paint_quote(
        self, symbol: str, q: SymbolQuote, interval: Interval, now: float, var: dict[str, str]
    ) -> None:
        if symbol in self._painted_last and q.last != self._painted_last[symbol]:
            before = self._painted_last[symbol]
            if before is not None and q.last is not None:
                self._flash[symbol] = (now + FLASH_SECONDS, q.last >= before)
        self._painted_last[symbol] = q.last
        flash = self._flash.get(symbol)
        style = ""
        if flash is not None:
            if flash[0] > now:
                colour = var.get("flash-up" if flash[1] else "flash-down")
                style = f"on {colour}" if colour else "reverse"
                if symbol == self.selected_symbol:
                    style = "bold"  # the cursor's own colours win there: keep the text readable
            else:
                del self._flash[symbol]
        self._set(symbol, "Last", _num(q.last, fmt_price, style))
        pct = q.change_pct
        tone = var.get("price-up" if (pct or 0) >= 0 else "price-down", "")
        self._set(symbol, "Chg %", _num(pct, lambda v: f"{v:+.2f}%", tone))
        bar = q.forming.get(interval)
        values = (None,) * 4 if bar is None else (bar.open, bar.high, bar.low, bar.close)
        for name, value in zip(("Open", "High", "Low", "Close"), values, strict=True):
            self._set(symbol, name, _num(value, fmt_price))
        volume = None if bar is None else bar.volume
        self._set(symbol, "Volume", _num(volume, lambda v: f"{v:,.0f}"))

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> SegmentLines:
        """Textual's cell render (Rich ``Padding`` + ``Styled`` + ``render_lines``, ~0.2 ms a
        cell) done directly for a one-line ``Text`` value that fits; the same segments
        (``tests/ui/test_ticker_cells.py`` compares both). Anything else: Textual's own."""
        if row_index < 0 or column_index < 0 or self.fixed_rows or self.fixed_columns:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row_key = self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        if row_key is None or column_key is None:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        key = (
            row_key,
            column_key,
            base_style,
            cursor,
            hover,
            self._show_hover_cursor,
            self._update_count,
            self._pseudo_class_state,
        )
        cached = self._cell_render_cache.get(key)
        if cached is not None:
            return cached
        cell = self._data[row_key][column_key]
        lines = (
            None
            if not isinstance(cell, Text)
            else fast_text_cell(
                self, cell, row_index, column_index, base_style, width, cursor, hover
            )
        )
        if lines is None:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        self._cell_render_cache[key] = lines
        return lines

    def _set(self, symbol: str, column: str, value: Text) -> None:
        key = (symbol, column)
        old = self._cells.get(key)
        if isinstance(old, Text) and old.plain == value.plain and old.style == value.style:
            return
        self._cells[key] = value
        self._data[RowKey(symbol)][ColumnKey(column)] = value
        self._dirty.add(key)

    def _flush(self) -> None:
        """Drop the cached renders of the rows changed in this paint and refresh only them."""
        if not self._dirty:
            return
        keys = {RowKey(symbol) for symbol, _ in self._dirty}
        rows = {self._row_locations.get(key) for key in keys}
        rows.discard(None)
        header = 1 if self.show_header else 0
        lines = {row + header for row in rows if row is not None}
        cells = {(RowKey(symbol), ColumnKey(column)) for symbol, column in self._dirty}
        evict(self._cell_render_cache, slice(0, 2), cells)  # only the cells that changed
        evict(self._row_render_cache, 0, keys)
        evict(self._row_renderable_cache, 1, rows)
        evict(self._line_cache, 0, lines)
        for row in rows:
            if row is not None:
                self.refresh_row(row)
        self._dirty.clear()
