"""TickerTable draws one-line Text cells itself: the segments must equal Textual's own."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from tui_market.tui.widgets.ticker_table import COLUMNS, DASH, TickerTable

VALUES = [
    Text("123.45", justify="right"),
    Text("1,234.50", style="on #2a6e3f", justify="right"),
    Text("+1.25%", style="#4caf50", justify="right"),
    Text("-0.40%", style="bold", justify="right"),
    Text("12,345,678", justify="right"),
    Text("00:42", justify="right"),
    DASH,
    Text("left"),
]


class _TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield TickerTable(id="t")


async def test_fast_cells_equal_textual_cells() -> None:
    app = _TableApp()
    async with app.run_test(size=(120, 20)) as pilot:
        table = app.query_one(TickerTable)
        table.set_symbols(["AAA", "BBB", "CCC"])
        for row, symbol in enumerate(table.symbols):
            for col, name in enumerate(COLUMNS[1:], 1):
                table._set(symbol, name, VALUES[(row + col) % len(VALUES)])
        table._flush()
        await pilot.pause()
        checked = 0
        for row in range(3):
            for col, column in enumerate(table.ordered_columns):
                width = column.get_render_width(table)
                for cursor, hover in ((False, False), (True, False), (False, True)):
                    for style in (
                        table.rich_style,
                        table.get_component_rich_style("datatable--even-row"),
                    ):
                        table._cell_render_cache.clear()
                        ours = table._render_cell(row, col, style, width, cursor, hover)
                        table._cell_render_cache.clear()
                        theirs = DataTable._render_cell(
                            table, row, col, style, width, cursor, hover
                        )
                        assert ours == theirs, (row, col, cursor, hover)
                        checked += 1
        assert checked == 3 * len(COLUMNS) * 6
