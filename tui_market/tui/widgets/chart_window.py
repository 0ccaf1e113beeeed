"""Which stored bars a chart shows: zoom (columns per candle) and pan over the series.

Pure logic, so zoom and pan are tested without a terminal. Only the bars that fit the plot's
width are ever drawn, however many are stored.
"""

from __future__ import annotations

from dataclasses import dataclass

ZOOM_LEVELS = (1, 2, 3, 4, 6, 8)  # terminal columns per candle
Y_LABEL_WIDTH = 10  # fixed so the price and volume plots line up column for column
MIN_VISIBLE = 5


def plot_columns(widget_width: int) -> int:
    """Columns left for candles in a plot ``widget_width`` wide (y labels and frame removed)."""
    return max(MIN_VISIBLE, widget_width - Y_LABEL_WIDTH - 3)


@dataclass(slots=True)
class ChartWindow:
    """A window ``[start, end)`` over ``total`` bars. ``end == total`` follows the newest bar."""

    total: int = 0
    end: int = 0
    zoom_index: int = 1

    @property
    def cols_per_bar(self) -> int:
        return ZOOM_LEVELS[self.zoom_index]

    @property
    def following(self) -> bool:
        return self.end >= self.total

    def visible(self, columns: int) -> int:
        return max(MIN_VISIBLE, columns // self.cols_per_bar)

    def span(self, columns: int) -> tuple[int, int]:
        end = min(self.end, self.total)
        start = max(0, end - self.visible(columns))
        return start, end

    def reset(self, total: int, *, keep_position: bool = False) -> None:
        """New data: follow the newest bar unless asked to keep a panned-back position."""
        was_following = self.following
        self.total = total
        if not keep_position or was_following:
            self.end = total
        else:
            self.end = min(self.end, total)

    def zoom(self, steps: int) -> bool:
        """``+1`` shows fewer, wider candles; ``-1`` more, narrower ones. False at a limit."""
        index = min(len(ZOOM_LEVELS) - 1, max(0, self.zoom_index + steps))
        changed = index != self.zoom_index
        self.zoom_index = index
        return changed

    def pan(self, bars: int, columns: int) -> bool:
        """Move by ``bars`` (negative = back in time). False when already at that edge."""
        lowest = min(self.total, self.visible(columns))
        end = min(self.total, max(lowest, self.end + bars))
        changed = end != self.end
        self.end = end
        return changed

    def page(self, columns: int) -> int:
        """How far one pan key moves: a quarter of the visible bars, at least one."""
        return max(1, self.visible(columns) // 4)

    def home(self, columns: int) -> None:
        self.end = min(self.total, self.visible(columns))

    def latest(self) -> None:
        self.end = self.total
