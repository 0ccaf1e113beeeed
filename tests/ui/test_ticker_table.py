"""TickerTable in a real Textual app: what its lines show, what a paint re-renders, the flash,
the cursor and its ``Highlighted`` message. Lines are read with ``render_line`` (what the
compositor draws); keys and clicks go through the pilot."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.style import Style
from textual import on
from textual.app import App, ComposeResult
from textual.strip import Strip

from tui_market.models import Bar, Interval
from tui_market.models.live import LiveSnapshot, SymbolQuote
from tui_market.tui.widgets.ticker_table import COLUMNS, FLASH_SECONDS, WIDTHS, TickerTable

OPEN = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
CLOCK = OPEN.timestamp() + 15.0  # 45 s before the 1m bar closes
COLOURS = {
    "price-up": "#00ff00",
    "price-down": "#ff0000",
    "flash-up": "#003300",
    "flash-down": "#330000",
}
LAST_X = 19  # the Last column's first character: 1 + 16 + 1 (symbol) + 1 (padding)


class CountingTable(TickerTable):
    """Records which lines the compositor asked for (refreshes reach render_line)."""

    asked: list[int]

    def render_line(self, y: int) -> Strip:
        self.asked.append(y)
        return super().render_line(y)


class TableApp(App[None]):
    def __init__(self, clock: list[float] | None = None) -> None:
        super().__init__()
        self.clock = clock or [0.0]
        self.highlighted: list[str] = []

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return COLOURS

    def compose(self) -> ComposeResult:
        table = CountingTable(id="t", wall=lambda: self.clock[0])
        table.asked = []
        yield table

    @on(TickerTable.Highlighted, "#t")
    def _highlighted(self, message: TickerTable.Highlighted) -> None:
        assert message.control is self.query_one(TickerTable)
        self.highlighted.append(message.symbol)


def quote(
    symbol: str,
    last: float,
    reference: float = 100.0,
    volume: float = 5.0,
    session: str | None = None,
    delay: int = 0,
) -> SymbolQuote:
    bar = Bar(
        symbol=symbol,
        interval=Interval.M1,
        time=OPEN,
        open=reference,
        high=max(reference, last),
        low=min(reference, last),
        close=last,
        volume=volume,
    )
    return SymbolQuote(
        symbol, last, reference=reference, forming={Interval.M1: bar}, session=session, delay=delay
    )


def snapshot(*quotes: SymbolQuote) -> LiveSnapshot:
    return LiveSnapshot(1, CLOCK, None, {q.symbol: q for q in quotes}, {})


def style_at(strip: Strip, x: int) -> Style:
    at = 0
    for segment in strip:
        at += segment.cell_length
        if at > x and segment.style is not None:
            return segment.style
    raise AssertionError(f"no style at {x}")


def table_of(app: App[None]) -> CountingTable:
    return app.query_one(CountingTable)


async def test_paint_shows_the_prices_formatted() -> None:
    app = TableApp()
    async with app.run_test(size=(120, 10)) as pilot:
        table = table_of(app)
        table.set_symbols(["AAA", "BBB"])
        await pilot.pause()  # laid out: paint() draws the rows on screen only
        table.paint(snapshot(quote("AAA", 1234.5, 1200.0, 12_345_678)), Interval.M1)
        await pilot.pause()
        header = table.render_line(0).text
        assert header.split() == " ".join(COLUMNS).split()
        assert header.startswith(" Symbol" + " " * 12 + "Last")  # left-aligned, fixed widths
        aaa = table.render_line(1).text
        assert aaa.split() == [
            "AAA",
            "1,234.50",
            "+2.88%",
            "1,200.00",
            "1,234.50",
            "1,200.00",
            "12.35M",
            "00:45",
            "—",  # no market status or delay known
        ]
        assert aaa.index("1,234.50") + len("1,234.50") == LAST_X + 10  # right-aligned
        assert table.render_line(2).text.split() == ["BBB", *["—"] * 6, "00:45", "—"]
        assert table.get_row("AAA")[1] == "1,234.50"
        assert style_at(table.render_line(0), 1).bold  # the header


async def test_the_status_column_shows_market_status_and_delay() -> None:
    """As Symbols shows them; pre-/post-market with a delay is shortened to fit its column."""
    app = TableApp()
    async with app.run_test(size=(120, 10)) as pilot:
        table = table_of(app)
        table.set_symbols(["AAA", "BBB", "CCC", "DDD"])
        await pilot.pause()
        quotes = (
            quote("AAA", 101.0, session="market", delay=900),
            quote("BBB", 101.0, session="post_market", delay=900),
            quote("CCC", 101.0, session="pre_market"),
            quote("DDD", 101.0, session="out_of_session"),
        )
        table.paint(snapshot(*quotes), Interval.M1)
        await pilot.pause()
        x = sum(width + 2 for width in WIDTHS[:-1]) + 1  # the Status column's first character
        status = [table.render_line(y).text[x : x + WIDTHS[-1]].rstrip() for y in range(1, 5)]
        assert status == ["open, delayed 15m", "post, delayed 15m", "pre-market", "closed"]
        assert table.render_line(0).text.rstrip().endswith("Closes in  Status")
        assert len(table.render_line(0).text.rstrip()) <= 118  # room for a scrollbar


async def test_a_paint_re_renders_only_the_rows_that_changed() -> None:
    app = TableApp()
    symbols = [f"S{i}" for i in range(8)]
    async with app.run_test(size=(120, 12)) as pilot:
        table = table_of(app)
        table.set_symbols(symbols)
        await pilot.pause()
        first = [quote(s, 100.0 + i) for i, s in enumerate(symbols)]
        table.paint(snapshot(*first), Interval.M1)
        await pilot.pause()
        table.asked.clear()
        built = table.line_renders

        table.paint(snapshot(*first), Interval.M1)  # nothing new
        await pilot.pause()
        assert table.asked == [] and table.line_renders == built

        second = list(first)
        second[5] = quote("S5", 200.0)
        table.paint(snapshot(*second), Interval.M1)
        await pilot.pause()
        assert set(table.asked) == {6}  # S5's line (the header is line 0)
        assert table.line_renders == built + 1
        assert "200.00" in table.render_line(6).text


async def test_a_new_price_flashes_then_stops_after_flash_seconds() -> None:
    clock = [1000.0]
    app = TableApp(clock)
    async with app.run_test(size=(120, 10)) as pilot:
        table = table_of(app)
        table.set_symbols(["AAA", "BBB", "CCC"])  # the cursor is on AAA
        app.set_focus(None)  # the focused cursor is bold all along; the blurred one is not
        await pilot.pause()
        table.paint(snapshot(quote("AAA", 10), quote("BBB", 10), quote("CCC", 10)), Interval.M1)
        await pilot.pause()
        calm = style_at(table.render_line(2), LAST_X)
        assert calm.bgcolor is not None

        moved = snapshot(quote("AAA", 11), quote("BBB", 11), quote("CCC", 9))
        table.paint(moved, Interval.M1)
        await pilot.pause()
        up, down = Style.parse(f"on {COLOURS['flash-up']}"), Style.parse("on #330000")
        assert style_at(table.render_line(2), LAST_X).bgcolor == up.bgcolor  # BBB rose
        assert style_at(table.render_line(3), LAST_X).bgcolor == down.bgcolor  # CCC fell
        cursor_row = table.render_line(1)
        assert style_at(cursor_row, LAST_X).bold  # on the cursor's row: bold only
        assert style_at(cursor_row, LAST_X).bgcolor == style_at(cursor_row, 1).bgcolor
        assert not style_at(cursor_row, 1).bold
        assert style_at(table.render_line(2), LAST_X - 1).bgcolor == calm.bgcolor  # padding

        clock[0] += FLASH_SECONDS - 0.05
        table.paint(moved, Interval.M1)
        await pilot.pause()
        assert style_at(table.render_line(2), LAST_X).bgcolor == up.bgcolor

        clock[0] += 0.1
        table.paint(moved, Interval.M1)
        await pilot.pause()
        assert style_at(table.render_line(2), LAST_X) == calm
        assert not style_at(table.render_line(1), LAST_X).bold


async def test_change_percent_takes_the_price_colours() -> None:
    app = TableApp()
    async with app.run_test(size=(120, 10)) as pilot:
        table = table_of(app)
        table.set_symbols(["AAA", "UP", "DOWN"])
        await pilot.pause()
        table.paint(snapshot(quote("UP", 110), quote("DOWN", 90)), Interval.M1)
        await pilot.pause()
        change_x = LAST_X + 10 + 2  # Last, its right padding, Chg %'s left padding
        assert style_at(table.render_line(2), change_x + 2).color == Style.parse("#00ff00").color
        assert style_at(table.render_line(3), change_x + 2).color == Style.parse("#ff0000").color


async def test_cursor_keys_move_the_selection_and_post_highlighted() -> None:
    app = TableApp()
    symbols = [f"S{i}" for i in range(30)]
    async with app.run_test(size=(120, 10)) as pilot:
        table = table_of(app)
        table.set_symbols(symbols)
        table.focus()
        await pilot.pause()
        assert table.selected_symbol == "S0" and app.highlighted == ["S0"]

        for key, expected in [
            ("down", "S1"),
            ("down", "S2"),
            ("up", "S1"),
            ("end", "S29"),
            ("home", "S0"),
            ("pagedown", "S9"),  # 10 lines: the header and 9 rows
            ("pageup", "S0"),
        ]:
            await pilot.press(key)
            await pilot.pause()
            assert table.selected_symbol == expected, key
            assert app.highlighted[-1] == expected, key
            assert expected in table.visible_symbols(), key  # the cursor stays on screen
        posted = len(app.highlighted)
        await pilot.press("up")  # already on the first row: nothing moves, nothing posted
        await pilot.pause()
        assert table.selected_symbol == "S0" and len(app.highlighted) == posted

        await pilot.click(TickerTable, offset=(3, 4))  # line 4: the fourth row
        await pilot.pause()
        assert table.selected_symbol == "S3" and app.highlighted[-1] == "S3"
        assert (
            style_at(table.render_line(4), 1).bgcolor != style_at(table.render_line(3), 1).bgcolor
        )


async def test_set_symbols_keeps_the_selected_symbol() -> None:
    app = TableApp()
    async with app.run_test(size=(120, 10)) as pilot:
        table = table_of(app)
        table.set_symbols(["AAA", "BBB", "CCC"])
        table.focus()
        await pilot.press("down")
        await pilot.pause()
        assert table.selected_symbol == "BBB"
        posted = len(app.highlighted)

        table.set_symbols(["NEW", "CCC", "AAA", "BBB"])
        await pilot.pause()
        assert table.symbols == ("NEW", "CCC", "AAA", "BBB")
        assert table.selected_symbol == "BBB" and table.cursor_row == 3
        assert len(app.highlighted) == posted  # the same symbol: no new highlight

        table.set_symbols(["NEW", "CCC"])  # BBB gone: the first row, announced
        await pilot.pause()
        assert table.selected_symbol == "NEW" and app.highlighted[-1] == "NEW"


async def test_the_header_stays_on_line_0_when_scrolled() -> None:
    app = TableApp()
    symbols = [f"S{i}" for i in range(30)]
    async with app.run_test(size=(120, 10)) as pilot:
        table = table_of(app)
        table.set_symbols(symbols)
        table.focus()
        await pilot.press("end")
        await pilot.pause()
        assert table.scroll_offset.y == 30 + 1 - 10  # scrolled to the bottom
        assert table.render_line(0).text.split()[:2] == ["Symbol", "Last"]
        assert table.render_line(1).text.split()[0] == "S21"
        assert table.render_line(9).text.split()[0] == "S29"
        assert table.visible_symbols() == tuple(symbols[21:])
