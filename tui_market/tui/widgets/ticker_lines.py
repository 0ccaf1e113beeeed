"""How the Ticker's table looks: the CSS of its component classes, and a row's ``RowView``
drawn as one line (a ``Strip``) in the style of its class.

Both copy DataTable's (Textual 8.2.8) so the screen looks as it did: its colours under the
table's own class names; one blank each side of a fixed-width column, symbol, status and header
labels left-aligned, numbers right-aligned.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from tui_market.tui.widgets.ticker_rows import CHANGE, LAST, STATUS, WIDTHS, RowView

PAD = 1  # blanks each side of a column, as DataTable's cell_padding
TABLE_WIDTH = sum(WIDTHS) + 2 * PAD * len(WIDTHS)
THEME_VARIABLES = ("price-up", "price-down", "flash-up", "flash-down")
Palette = tuple[str, ...]  # the colours of THEME_VARIABLES ("" for one the theme lacks)
TABLE_CSS = """
TickerTable {
    background: $surface;
    color: $foreground;
    height: auto;
    max-height: 100%;
    &:focus {
        background-tint: $foreground 5%;
        & > .ticker-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .ticker-table--header {
            background-tint: $foreground 5%;
        }
    }
    &:dark > .ticker-table--even {
        background: $surface-darken-1 40%;
    }
    & > .ticker-table--header {
        text-style: bold;
        background: $panel;
        color: $foreground;
    }
    &:ansi > .ticker-table--header {
        background: ansi_bright_blue;
        color: ansi_default;
    }
    & > .ticker-table--even {
        background: $surface-lighten-1 50%;
    }
    & > .ticker-table--cursor {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
        text-style: $block-cursor-blurred-text-style;
    }
}
"""


def fit(text: str, width: int, left: bool) -> str:
    if len(text) > width:
        return text[: width - 1] + "…"
    return text.ljust(width) if left else text.rjust(width)


def cell_style(view: RowView, column: int, cursor: bool, palette: Palette) -> Style | None:
    """A price's colour: the change % up or down, a new last price flashing. On the cursor the
    cursor's colours win (as DataTable's did): a flash there is only bold, to be seen."""
    if column == LAST and view.flash is not None:
        if cursor:
            return Style(bold=True)
        colour = palette[2] if view.flash else palette[3]
        return Style.parse(f"on {colour}") if colour else Style(reverse=True)
    if column == CHANGE and view.rising is not None and not cursor:
        colour = palette[0] if view.rising else palette[1]
        return Style.parse(colour) if colour else None
    return None


def draw_line(view: RowView, style: Style, cursor: bool, header: bool, palette: Palette) -> Strip:
    """The whole row, ``TABLE_WIDTH`` cells wide; the padding takes the line's ``style``."""
    pad = " " * PAD
    segments = []
    for column, (text, width) in enumerate(zip(view.cells, WIDTHS, strict=True)):
        body = fit(text, width, left=header or column in (0, STATUS))
        extra = None if header else cell_style(view, column, cursor, palette)
        if extra is None:
            segments.append(Segment(pad + body + pad, style))
        else:
            segments += [Segment(pad, style), Segment(body, style + extra), Segment(pad, style)]
    return Strip(segments, TABLE_WIDTH)
