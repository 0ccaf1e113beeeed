"""What the three mode screens share: the frame, and the state every one of them shows.

The app binds ``health`` and ``interval`` (its reactives) to each mode screen it makes; a
screen binds its widgets to its own reactives in turn.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import ClassVar

from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget

from tui_market.models import Interval
from tui_market.tui.health import HealthState
from tui_market.tui.widgets.chrome import HealthLine, MarketHeader, ModeTabs
from tui_market.tui.widgets.footer import BindingsFooter

Clock = Callable[[], datetime]


class ModeScreen(Screen[None]):
    MODE: ClassVar[str]

    health: reactive[HealthState] = reactive(HealthState, init=False)
    interval: reactive[Interval] = reactive(Interval.H1, init=False)

    def __init__(self, clock: Clock, interval: Interval) -> None:
        """``interval`` is the app's at construction: bound values arrive after compose, and
        the History screen's interval picker is built with it."""
        super().__init__()
        self.clock = clock
        self.set_reactive(ModeScreen.interval, interval)

    def frame(self) -> Iterator[Widget]:
        """Header, mode tabs, health line and footer (docked, so order in compose is free)."""
        yield MarketHeader(self.app.title, self.clock)
        yield ModeTabs(self.MODE)
        yield HealthLine().data_bind(ModeScreen.health)
        yield BindingsFooter()
