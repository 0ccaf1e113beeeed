"""The Ticker's table: a header line and one line per watchlist symbol, painted from a
``LiveSnapshot``, drawn by Textual's line API (``ScrollView.render_line``) like toolong's
``LogLines``.

Performance (50 symbols ticking every frame): ``paint`` builds the ``RowView`` of the rows on
screen only and refreshes only the lines whose view changed. A rendered line is cached by its
view, the styles it is drawn in (zebra, cursor, focus, theme), the scroll and the width, so an
unchanged row costs a cache hit. ``line_renders`` counts the lines actually built.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence

from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region, Size, Spacing
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui_market.models import Interval
from tui_market.models.live import LiveSnapshot
from tui_market.models.symbol_info import SymbolInfo
from tui_market.tui.widgets.ticker_lines import TABLE_CSS, TABLE_WIDTH, THEME_VARIABLES, draw_line
from tui_market.tui.widgets.ticker_rows import (
    COLUMNS,
    FLASH_SECONDS,
    WIDTHS,
    Flashes,
    RowView,
    countdown,
    paint_rows,
)

__all__ = ["COLUMNS", "FLASH_SECONDS", "WIDTHS", "TickerTable", "countdown"]


class TickerTable(ScrollView, can_focus=True):
    DEFAULT_CSS = TABLE_CSS
    COMPONENT_CLASSES = {
        "ticker-table--header",
        "ticker-table--cursor",
        "ticker-table--even",
        "ticker-table--odd",
    }
    BINDINGS = [
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
    ]

    class Highlighted(Message):
        """The row cursor is on another symbol (a key, a click, or the symbols changed)."""

        def __init__(self, table: TickerTable, symbol: str) -> None:
            super().__init__()
            self.table = table
            self.symbol = symbol

        @property
        def control(self) -> TickerTable:
            return self.table

    def __init__(self, *, id: str | None = None, wall: Callable[[], float] = time.monotonic):
        super().__init__(id=id)
        self.wall = wall  # monotonic seconds for the flash (a test may fix it)
        self.line_renders = 0  # lines built (cache misses): what a paint cost on screen
        self._symbols: tuple[str, ...] = ()
        self._rows: dict[str, RowView] = {}
        self._infos: dict[str, SymbolInfo | None] = {}
        self._cursor = 0
        self._flashes = Flashes()
        self._lines: LRUCache[tuple[object, ...], Strip] = LRUCache(maxsize=256)
        self.virtual_size = Size(TABLE_WIDTH, 1)

    # ---- the public API ------------------------------------------------------------------
    @property
    def symbols(self) -> tuple[str, ...]:
        return self._symbols

    @property
    def cursor_row(self) -> int:
        return self._cursor

    @property
    def selected_symbol(self) -> str | None:
        if not 0 <= self._cursor < len(self._symbols):
            return None
        return self._symbols[self._cursor]

    def get_row(self, symbol: str) -> tuple[str, ...]:
        """The row's cells as shown (``KeyError`` for a symbol not in the table)."""
        return self._rows[symbol].cells

    def set_symbols(
        self, symbols: Sequence[str], infos: Mapping[str, SymbolInfo | None] | None = None
    ) -> None:
        """The rows to show; ``infos``: each symbol's metadata (its price decimals)."""
        self._infos = dict(infos or {})
        wanted = tuple(dict.fromkeys(symbols))
        if wanted == self._symbols:
            return
        selected = self.selected_symbol
        self._symbols = wanted
        self._rows = {symbol: RowView.empty(symbol) for symbol in wanted}
        self._flashes.clear()
        self.virtual_size = Size(TABLE_WIDTH, len(wanted) + 1)
        cursor = wanted.index(selected) if selected in wanted else 0
        self._cursor = -1  # moved below: the row is drawn and scrolled to in any case
        self.move_cursor(cursor, announce=wanted[cursor : cursor + 1] != (selected,))
        self.refresh()
        # The new height is laid out on the next refresh: scroll again once it is known.
        self.call_after_refresh(self.keep_cursor_in_view)

    def visible_symbols(self) -> tuple[str, ...]:
        """The symbols whose rows are on screen (all of them before the first layout)."""
        height = self.scrollable_content_region.height - 1  # the header is line 0
        if height < 0:
            return self._symbols
        first = self.scroll_offset.y
        return self._symbols[first : first + height]

    def paint(self, snapshot: LiveSnapshot, interval: Interval) -> None:
        shown = self.visible_symbols()
        if len(shown) < len(self._symbols):
            for symbol in set(self._symbols).difference(shown):
                self._flashes.forget(symbol)  # no stale flash when it scrolls back in
        changed = paint_rows(
            self._rows, shown, self._flashes, snapshot, interval, self.wall(), self._infos
        )
        for symbol in changed:
            self.refresh_line(self._symbols.index(symbol) + 1)

    def move_cursor(self, row: int, *, announce: bool = True) -> None:
        """Put the cursor on ``row`` (clamped), keep it on screen, post ``Highlighted``."""
        count = len(self._symbols)
        row = max(0, min(row, count - 1))
        old, self._cursor = self._cursor, row
        if row == old:
            return
        for line in (old, row):
            if 0 <= line < count:
                self.refresh_line(line + 1)
        if row < count:
            self.keep_cursor_in_view()
            if announce:
                self.post_message(self.Highlighted(self, self._symbols[row]))

    def keep_cursor_in_view(self) -> None:
        # Line 0 is the fixed header: keep one line above the cursor's row in view.
        region = Region(0, self._cursor + 1, 1, 1)
        self.scroll_to_region(region, spacing=Spacing(top=1), animate=False, immediate=True)

    # ---- keys and mouse ------------------------------------------------------------------
    def action_move(self, step: int) -> None:
        self.move_cursor(self._cursor + step)

    def action_page(self, step: int) -> None:
        page = max(1, self.scrollable_content_region.height - 1)
        self.move_cursor(self._cursor + step * page)

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(len(self._symbols) - 1)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is not None and offset.y >= 1:
            row = self.scroll_offset.y + offset.y - 1
            if row < len(self._symbols):
                self.move_cursor(row)

    # ---- drawing -------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        var = self.app.theme_variables
        palette = tuple(var.get(name, "") for name in THEME_VARIABLES)
        if y == 0:
            view, cursor = RowView(COLUMNS), False
            style = self.get_component_rich_style("ticker-table--header")
        else:
            index = scroll_y + y - 1
            if index >= len(self._symbols):
                return Strip.blank(width, self.rich_style)
            view = self._rows[self._symbols[index]]
            cursor = index == self._cursor
            part = "cursor" if cursor else ("odd" if index % 2 else "even")
            style = self.get_component_rich_style(f"ticker-table--{part}")
        key = (view, cursor, y == 0, style, palette, scroll_x, width)
        strip = self._lines.get(key)
        if strip is None:
            self.line_renders += 1
            line = draw_line(view, style, cursor, y == 0, palette)
            strip = line.crop_extend(scroll_x, scroll_x + width, style)
            self._lines[key] = strip
        return strip
