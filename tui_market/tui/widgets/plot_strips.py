"""A plotext figure drawn straight from its cell matrix, without the ANSI round trip.

``PlotextPlot.render`` has plotext write the figure as one ANSI string, which Rich parses back
into ``Text``, which Textual converts to ``Content`` and wraps into lines: ~70 ms for one
118x21 candle chart on this machine, where building the cells takes ~9 ms. ``PlotVisual``
turns the cells (character, colour, style, background per cell) into the same Strips directly:
each run of cells with one colour triple is one segment, styled as the ANSI path styles it
(the triple's ANSI codes decoded once by Rich, then converted by Textual), so the screen is
the same to the cell (``tests/ui/test_plot_strips.py`` compares the two paths).
"""

from __future__ import annotations

from typing import Any

from rich.ansi import AnsiDecoder
from rich.segment import Segment
from rich.style import Style as RichStyle
from rich.terminal_theme import TerminalTheme
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual

Run = tuple[str, Style | None]  # text, style of the run (None: no colours, the widget's own)
_STYLES: dict[tuple[Any, Any, Any, int], Style | None] = {}


def _run_style(triple: tuple[Any, Any, Any], ansi_theme: TerminalTheme | None) -> Style | None:
    """The style the ANSI path gives a cell coloured ``(fullground, style, background)``."""
    key = (*triple, id(ansi_theme))
    if key in _STYLES:
        return _STYLES[key]
    from plotext._utility import colors_to_ansi  # plotext: imported with the charts

    prefix = colors_to_ansi(*triple)
    style: Style | None = None
    if prefix:
        # A fresh decoder: one keeps the style of its last line, so a prefix with no
        # foreground code (blank canvas cells) took the colour decoded before it.
        spans = next(iter(AnsiDecoder().decode(f"{prefix}x"))).spans
        if spans and isinstance(spans[0].style, RichStyle):
            style = Style.from_rich_style(spans[0].style, ansi_theme)
    _STYLES[key] = style
    return style


def matrix_runs(matrix: Any, ansi_theme: TerminalTheme | None) -> list[list[Run]]:
    """Rows of runs, top row first, from a plotext ``matrix_class`` (rows stored bottom-up)."""
    rows: list[list[Run]] = []
    for r in range(matrix.rows - 1, -1, -1):
        markers, fg, st, bg = (
            matrix.marker[r],
            matrix.fullground[r],
            matrix.style[r],
            matrix.background[r],
        )
        runs: list[Run] = []
        start = 0
        for c in range(1, matrix.cols + 1):
            if c < matrix.cols and fg[c] == fg[start] and st[c] == st[start] and bg[c] == bg[start]:
                continue
            runs.append(
                (
                    "".join(markers[start:c]),
                    _run_style((fg[start], st[start], bg[start]), ansi_theme),
                )
            )
            start = c
        rows.append(runs)
    return rows


def _with_offset(template: RichStyle, x: int, y: int) -> RichStyle:
    """``template`` with the cell offset in its meta: what Textual's
    ``Style.rich_style_with_offset`` builds (text selection reads it), from the same values."""
    return RichStyle(
        color=template.color,
        bgcolor=template.bgcolor,
        bold=template.bold,
        dim=template.dim,
        italic=template.italic,
        underline=template.underline,
        underline2=template.underline2,
        reverse=template.reverse,
        strike=template.strike,
        blink=template.blink,
        link=template.link,
        meta={**template.meta, "offset": (x, y)},
    )


class PlotVisual(Visual):
    """Rows of styled runs, rendered at their own size (the figure is built at the widget's)."""

    def __init__(self, rows: list[list[Run]]) -> None:
        self.rows = rows

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        del options
        rows = self.rows if height is None else self.rows[:height]
        templates: dict[Style | None, RichStyle] = {}
        strips: list[Strip] = []
        for y, runs in enumerate(rows):
            segments: list[Segment] = []
            x = 0
            for text, run_style in runs:
                template = templates.get(run_style)
                if template is None:
                    combined = style if run_style is None else style + run_style
                    template = templates[run_style] = (style + combined).rich_style
                segments.append(Segment(text, _with_offset(template, x, y)))
                x += len(text)
            strips.append(Strip(segments))
        return strips

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return max((sum(len(text) for text, _ in runs) for runs in self.rows), default=0)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return len(self.rows)
