"""Candlestick and volume charts: a pure ``Canvas`` (``candle_canvas.py``) drawn through
Textual's line API.

The owner calls ``show`` with the bars to draw (see ``ChartWindow``); the widget computes the
canvas once per bars, size and style and keeps its strips, so a repaint only hands them out.
Up/down colours come from the theme variables ``$candle-up``/``$candle-down`` (then
``$price-up``/``$price-down``, then ``$success``/``$error``); axis text is in the widget's own
style. Both charts use the same fixed-width y axis, so candles and volume line up.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Sequence

from rich.segment import Segment
from rich.style import Style
from textual.color import Color, ColorParseError
from textual.strip import Strip
from textual.widget import Widget

from tui_market.models import Bar, Interval
from tui_market.tui.widgets.candle_canvas import candle_canvas, volume_canvas
from tui_market.tui.widgets.chart_grid import Canvas, Role
from tui_market.tui.widgets.chart_labels import fitted, time_label
from tui_market.tui.widgets.chart_lines import LINE_ROLES, Values

__all__ = ["RGB", "CandleChart", "ChartWidget", "VolumeChart", "canvas_strips", "time_label"]
log = logging.getLogger(__name__)
RGB = tuple[int, int, int]
FALLBACK: RGB = (200, 200, 200)
UP_COLOURS = ("candle-up", "price-up", "success")
DOWN_COLOURS = ("candle-down", "price-down", "error")
ALERT_COLOURS = ("warning",)  # the theme's own: alerts are warnings everywhere
LINE_COLOURS = (
    ("indicator-1", "accent"),
    ("indicator-2", "primary"),
    ("indicator-3", "secondary"),
    ("indicator-4", "warning"),
)


def canvas_strips(canvas: Canvas, styles: dict[Role, Style]) -> list[Strip]:
    """One strip per canvas row, each run styled by its role."""
    return [
        Strip([Segment(text, styles[role]) for text, role in row], canvas.width)
        for row in canvas.rows
    ]


class ChartWidget(Widget):
    """A chart drawn from a ``Canvas``: subclasses say how (``draw``) and from what
    (``drawn_from``); the strips are cached until either, the size or the style changes."""

    DEFAULT_CSS = """
    ChartWidget {
        width: 1fr;
        height: 1fr;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.bars: Sequence[Bar] = ()
        self.shown = 0  # show() calls so far: new bars, a new canvas
        self.cached: tuple[Hashable, list[Strip]] | None = None

    def draw(self, width: int, height: int) -> Canvas:
        raise NotImplementedError

    def drawn_from(self) -> Hashable:
        return self.shown

    def theme_rgb(self, *names: str) -> RGB:
        """The first of the theme variables ``names`` that parses as a colour."""
        variables = self.app.theme_variables
        for name in names:
            text = variables.get(name)
            if not text:
                continue
            try:
                return Color.parse(text).rgb
            except ColorParseError as exc:
                log.warning("theme variable %s=%r is not a colour: %s", name, text, exc)
        return FALLBACK

    def role_styles(self, base: Style) -> dict[Role, Style]:
        up, down = self.theme_rgb(*UP_COLOURS), self.theme_rgb(*DOWN_COLOURS)
        styles = {
            Role.AXIS: base,
            Role.UP: base + Style(color=Color(*up).rich_color),
            Role.DOWN: base + Style(color=Color(*down).rich_color),
        }
        for role, names in zip(LINE_ROLES, LINE_COLOURS, strict=True):
            styles[role] = base + Style(color=Color(*self.theme_rgb(*names)).rich_color)
        styles[Role.ALERT] = base + Style(color=Color(*self.theme_rgb(*ALERT_COLOURS)).rich_color)
        return styles

    def strips(self) -> list[Strip]:
        """The chart's rows at the current size and style, computed once for each."""
        width, height = self.size
        base = self.rich_style
        key = (self.drawn_from(), width, height, self.app.theme, base)
        if self.cached is None or self.cached[0] != key:
            strips = canvas_strips(self.draw(width, height), self.role_styles(base))
            self.cached = (key, strips)
        return self.cached[1]

    def render_line(self, y: int) -> Strip:
        strips = self.strips()
        if y < len(strips):
            return strips[y]
        return Strip.blank(self.size.width, self.rich_style)


class CandleChart(ChartWidget):
    """Candles for ``bars`` (the owner appends a forming bar last when there is one)."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.interval = Interval.D1
        self.title = ""
        self.fit: int | None = None
        self.time_axis = True
        self.overlays: Sequence[tuple[Values, Role]] = ()
        self.legend: Sequence[tuple[str, Role]] = ()
        self.levels: Sequence[float] = ()

    def show(
        self,
        bars: Sequence[Bar],
        interval: Interval,
        title: str = "",
        *,
        fit: int | None = None,
        overlays: Sequence[tuple[Values, Role]] = (),
        legend: Sequence[tuple[str, Role]] = (),
        levels: Sequence[float] = (),
    ) -> None:
        """Draw ``bars``; with ``fit`` (columns per candle) only the newest that fit the
        width at render time (so a paint before layout never draws the wrong count).
        ``overlays`` (indicator lines aligned to the newest bar) are drawn over them, and
        ``levels`` (alert prices) as dashed lines under them."""
        self.bars, self.interval, self.title, self.fit = bars, interval, title, fit
        self.overlays, self.legend, self.levels = overlays, legend, levels
        self.shown += 1
        self.refresh()

    def drawn_from(self) -> Hashable:
        return (self.shown, self.time_axis)

    def draw(self, width: int, height: int) -> Canvas:
        return candle_canvas(
            fitted(self.bars, self.fit, width),
            width,
            height,
            interval=self.interval,
            fit=self.fit,
            title=self.title,
            time_axis=self.time_axis,
            overlays=self.overlays,
            legend=self.legend,
            levels=self.levels,
        )


class VolumeChart(ChartWidget):
    """Volume bars under a ``CandleChart``, coloured by the candle's direction."""

    def show(self, bars: Sequence[Bar]) -> None:
        self.bars = bars
        self.shown += 1
        self.refresh()

    def draw(self, width: int, height: int) -> Canvas:
        return volume_canvas(self.bars, width, height)
