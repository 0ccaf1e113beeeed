"""The Ticker's live chart: a ``CandleChart`` whose plotext figure is built in a thread.

A figure (plotext's build of its cells, then their strips: ``plot_strips.py``) costs 10-30 ms
of CPU, more on a busy machine (through plotext's ANSI text, before ``plot_strips``, ~2x that).
Built in ``render`` it ran inside the screen's update pass, so the table's new prices and a key
press waited behind it: under the live load (50 symbols, 2,000 ticks/s, ANSI path) the passes
that drew the chart took p50 29 / p90 57 / max 101 ms, table-only passes 5 ms.

Here ``show`` hands what the figure is made of to a thread worker (one build at a time; a
request made during a build is built after it, the newest wins) and the widget refreshes when
the figure is ready: the update pass only draws finished rows. A render that finds no figure
for the current bars, size and theme (first paint, resize, theme change) builds it in place,
as ``CandleChart`` does. A figure is dismantled after its build: its reference cycles would
otherwise reach the collector's oldest generation (~1,000 objects a build).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from rich.terminal_theme import TerminalTheme
from rich.text import Text
from textual.app import RenderResult
from textual.worker import Worker, WorkerState
from textual_plotext.plot import Plot

from tui_market.models import Bar, Interval
from tui_market.tui.widgets.candle_figure import RGB, draw_candles, fitted, plot_visual
from tui_market.tui.widgets.candles import CandleChart

log = logging.getLogger(__name__)
GROUP = "live-chart"
PLOTEXT = ("plotext.", "textual_plotext.")  # modules whose objects a figure is made of
Key = tuple[int, int, int, str]  # (show() count, width, height, plotext theme)


@dataclass(frozen=True, slots=True)
class Figure:
    """Everything a figure is built from, read on the event loop."""

    bars: tuple[Bar, ...]
    interval: Interval
    title: str
    width: int
    height: int
    colors: tuple[RGB, RGB] | None
    theme: str
    time_axis: bool
    ansi_theme: TerminalTheme | None


def build_figure(spec: Figure) -> RenderResult:
    """The figure as ``CandleChart.render`` draws it (``draw_candles``, then ``plot_visual``, as
    ``_ThemedPlot.draw``); touches no widget, so it may run in a thread."""
    plot = Plot()
    try:
        draw_candles(
            plot,
            spec.bars,
            spec.colors,
            spec.interval,
            spec.title,
            width=spec.width,
            time_axis=spec.time_axis,
        )
        visual = plot_visual(plot, spec.width, spec.height, spec.theme, spec.ansi_theme)
        return Text.from_ansi(plot.build()) if visual is None else visual
    finally:
        _dismantle(plot)


def _dismantle(figure: object, seen: set[int] | None = None) -> None:
    """Clear the attributes of the figure and of the plotext objects it holds (its
    sub-figures, monitors, matrices): no cycles left, all freed by refcount at once."""
    seen = set() if seen is None else seen
    module = type(figure).__module__
    if id(figure) in seen or not module.startswith(PLOTEXT) or not hasattr(figure, "__dict__"):
        return
    seen.add(id(figure))
    attributes = vars(figure)
    for value in list(attributes.values()):
        for part in value if isinstance(value, list) else (value,):
            for item in part if isinstance(part, list) else (part,):
                _dismantle(item, seen)
    attributes.clear()


class LiveChart(CandleChart):
    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.time_axis = False
        self._shown = 0  # show() calls so far
        self._ready: tuple[Key, RenderResult] | None = None  # the newest figure built
        self._building: Key | None = None

    def show(
        self,
        bars: Sequence[Bar],
        interval: Interval,
        title: str = "",
        *,
        fit: int | None = None,
    ) -> None:
        self.bars, self.interval, self.title, self.fit = bars, interval, title, fit
        self._shown += 1
        if not self.is_mounted or self.size.area == 0:
            self.refresh()  # no size yet: the first render builds in place
            return
        self._build_next()

    def _key(self) -> Key:
        width, height = self.size
        return self._shown, width, height, self._get_plotext_theme_name(self.app.theme)

    def _figure(self) -> Figure:
        width, height = self.size
        bars = tuple(fitted(self.bars, self.fit, width))
        colors = self._colors() if bars else None
        theme = self._get_plotext_theme_name(self.app.theme)
        return Figure(
            bars,
            self.interval,
            self.title,
            width,
            height,
            colors,
            theme,
            self.time_axis,
            self.app.ansi_theme,
        )

    def _build_next(self) -> None:
        if self._building is not None:
            return  # built after the one under way
        key = self._key()
        if self._ready is not None and self._ready[0] == key:
            return
        self._building = key
        self.run_worker(
            partial(build_figure, self._figure()),
            name="live chart",
            group=GROUP,
            description="live chart figure",
            exit_on_error=False,
            thread=True,
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group != GROUP or event.state in (WorkerState.PENDING, WorkerState.RUNNING):
            return
        event.stop()
        key, self._building = self._building, None
        if event.state is WorkerState.SUCCESS and worker.result is not None:
            if key is not None and self.size.area and key == self._key():
                self._ready = (key, worker.result)
                self.refresh()
        elif event.state is WorkerState.ERROR:
            log.error("building the live chart failed (drawn in place): %s", worker.error)
            self.refresh()
        if self.is_mounted and self.size.area:
            self._build_next()

    def render(self) -> RenderResult:
        key = self._key()
        if self._ready is None or self._ready[0] != key:
            self._ready = (key, build_figure(self._figure()))
        return self._ready[1]
