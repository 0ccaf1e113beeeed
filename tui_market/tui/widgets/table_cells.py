"""Faster cell renders for a DataTable whose cells change every frame (the Ticker's).

Relies on ``DataTable`` internals of the pinned Textual (8.2.8): the cell/row/line caches and
``_get_styles_to_render_cell``. ``tests/ui/test_ticker_cells.py`` checks the segments against
Textual's own, so an upgrade that changes them fails there.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual._types import SegmentLines
from textual.cache import LRUCache
from textual.widgets import DataTable


def evict(cache: LRUCache[Any, Any], part: int | slice, wanted: Collection[object]) -> None:
    """Drop the entries of ``cache`` whose key's item ``part`` is in ``wanted``."""
    held = cache.keys()  # LRUCache has no __iter__
    for stale in [k for k in held if k[part] in wanted]:
        cache.discard(stale)


def fast_text_cell(
    table: DataTable[Any],
    cell: Text,
    row_index: int,
    column_index: int,
    base_style: Style,
    width: int,
    cursor: bool,
    hover: bool,
) -> SegmentLines | None:
    """The segments ``DataTable._render_cell`` makes for a one-line right-aligned ``Text``
    that fits its column (Rich ``Padding`` + ``Styled`` + ``render_lines``, ~0.2 ms a cell),
    built directly (a body cell, no fixed rows/columns); ``None`` for anything else."""
    pad = table.cell_padding
    inner = width - 2 * pad
    plain = cell.plain
    if cell.spans or cell.end != "\n" or "\n" in plain or cell_len(plain) > inner:
        return None
    if cell.justify != "right":  # every live value is right-aligned; Rich pads others apart
        return None
    body = " " * (inner - cell_len(plain)) + plain
    component, post_style = table._get_styles_to_render_cell(
        False,
        False,
        False,
        hover,
        cursor,
        table.show_cursor,
        table._show_hover_cursor,
        table.cursor_foreground_priority == "css",
        table.cursor_background_priority == "css",
    )
    console = table.app.console
    pre = console.get_style(
        base_style + Style.from_meta({"row": row_index, "column": column_index}) + component
    )
    post = console.get_style(post_style)
    edge = pre + Style.null() + post
    text_style = pre + (Style.null() + console.get_style(cell.style)) + post
    segments = [Segment(body, text_style)]
    if pad:
        segments = [Segment(" " * pad, edge), *segments, Segment(" " * pad, edge)]
    return [segments]
