"""Candlestick and volume charts, drawn by us (``candle_canvas``) through Textual's line API.

The owner calls ``show`` with the bars to draw (History: the window that fits; the Ticker's
``LiveChart``: all, fitted to the width at render time). The rows are laid out once per
(bars, size, colours) and each line is a ``Strip`` of the theme's styles: ``$candle-up`` /
``$candle-down`` (then ``$price-up`` / ``$price-down``, then ``$success`` / ``$error``) for the
candles, the widget's own colours for the frame and labels.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from rich.segment import Segment
from rich.style import Style
from textual.color import Color, ColorParseError
from textual.strip import Strip
from textual.widget import Widget

from tui_market.models import Bar, Interval
from tui_market.tui.widgets.candle_canvas import Row, candle_rows, fitted, volume_rows

__all__ = ["CandleChart", "LiveChart", "VolumeChart"]
log = logging.getLogger(__name__)


class ChartLines(Widget):
    """Lines from rows of ``(text, role)`` runs; laid out again only when what they show, the
    size or the colours change."""

    DEFAULT_CSS = """
    ChartLines { color: $text-muted; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.bars: Sequence[Bar] = ()
        self.shown = 0  # show() calls so far: part of the layout's key
        self._key: tuple[object, ...] | None = None
        self._lines: list[Strip] = []

    def layout_rows(self, width: int, height: int) -> list[Row]:
        raise NotImplementedError

    def colour(self, *names: str) -> Color:
        """The first of the theme variables ``names`` that parses as a colour."""
        variables = self.app.theme_variables
        for name in names:
            text = variables.get(name)
            if not text:
                continue
            try:
                return Color.parse(text)
            except ColorParseError as exc:
                log.warning("theme variable %s=%r is not a colour: %s", name, text, exc)
        return Color(200, 200, 200)

    def render_line(self, y: int) -> Strip:
        width, height = self.size
        base = self.rich_style
        up = self.colour("candle-up", "price-up", "success")
        down = self.colour("candle-down", "price-down", "error")
        key = (self.shown, width, height, up, down, base)
        if key != self._key:
            styles = {
                "up": base + Style(color=up.rich_color),
                "down": base + Style(color=down.rich_color),
                "axis": base,
                "title": base + Style(bold=True),
                "": base,
            }
            self._lines = [
                Strip([Segment(text, styles[role]) for text, role in row]).adjust_cell_length(
                    width, base
                )
                for row in self.layout_rows(width, height)
            ]
            self._key = key
        if 0 <= y < len(self._lines):
            return self._lines[y]
        return Strip.blank(width, base)


class CandleChart(ChartLines):
    """Candles for ``bars`` (the owner appends a forming bar last when there is one)."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.interval = Interval.D1
        self.title = ""
        self.fit: int | None = None
        self.time_axis = True

    def show(
        self, bars: Sequence[Bar], interval: Interval, title: str = "", *, fit: int | None = None
    ) -> None:
        """Draw ``bars``; with ``fit`` (columns per candle) only the newest that fit the width
        at render time (a paint before layout never draws the wrong count)."""
        self.bars, self.interval, self.title, self.fit = bars, interval, title, fit
        self.shown += 1
        self.refresh()

    def layout_rows(self, width: int, height: int) -> list[Row]:
        title: list[Row] = [[(self.title.center(width), "title")]] if self.title else []
        bars = fitted(self.bars, self.fit, width)
        plot = candle_rows(
            bars, width, height - len(title), self.interval, time_axis=self.time_axis
        )
        return title + plot


class LiveChart(CandleChart):
    """The Ticker's chart: no time axis (the table says when the bar closes)."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.time_axis = False


class VolumeChart(ChartLines):
    """Volume bars under a ``CandleChart``, coloured by the candle's direction."""

    def show(self, bars: Sequence[Bar]) -> None:
        self.bars = bars
        self.shown += 1
        self.refresh()

    def layout_rows(self, width: int, height: int) -> list[Row]:
        return volume_rows(self.bars, width, height)
