"""The frame every mode screen shares (``ModeScreen.frame``): a header with the clock, the mode
tabs and the data-health line, above the footer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from textual.app import RenderResult
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static, Tab, Tabs

from tui_market.tui.health import HealthState, health_content
from tui_market.tui.messages import ModeRequested

MODES: tuple[tuple[str, str], ...] = (
    ("symbols", "1 Symbols"),
    ("history", "2 History"),
    ("ticker", "3 Ticker"),
)
Clock = Callable[[], datetime]


class MarketHeader(Widget):
    """One line: the app's name left, the clock (local time) right, ticking every second."""

    DEFAULT_CSS = """
    MarketHeader {
        dock: top;
        height: 1;
        background: $panel;
        color: $foreground;
        padding: 0 1;
    }
    """

    def __init__(self, title: str, clock: Clock) -> None:
        super().__init__()
        self.title = title
        self.clock = clock

    def on_mount(self) -> None:
        self.set_interval(1, self.refresh, name="header clock")

    def render(self) -> RenderResult:
        now = self.clock().astimezone().strftime("%H:%M:%S")
        width = self.size.width  # the content area (padding excluded)
        left = max(2, (width - len(self.title)) // 2 - 1)  # centred on the whole line
        line = f"◆{self.title.rjust(left - 1 + len(self.title))}"
        return line + now.rjust(max(1, width - len(line)))


class ModeTabs(Tabs):
    """Clickable switcher between the modes; never takes focus (keys 1/2/3 do the same)."""

    DEFAULT_CSS = """
    ModeTabs {
        dock: top;
        margin-top: 1;  /* below the header, which docks to the same edge */
    }
    """
    can_focus = False

    def __init__(self, mode: str) -> None:
        super().__init__(
            *(Tab(label, id=f"mode-{name}") for name, label in MODES), active=f"mode-{mode}"
        )
        self.mode = mode

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        event.stop()
        chosen = (event.tab.id or "").removeprefix("mode-")
        if chosen and chosen != self.mode:
            self.active = f"mode-{self.mode}"  # the other mode's own tabs show it
            self.post_message(ModeRequested(chosen))


class HealthLine(Static):
    """One line above the footer on every mode screen; ``health`` is bound from the screen."""

    DEFAULT_CSS = """
    HealthLine {
        dock: bottom;
        margin-bottom: 1;  /* sits just above the Footer, which docks to the same edge */
        height: 1;
        width: 100%;
        background: $panel;
        color: $foreground;
        padding: 0 1;
    }
    """

    health: reactive[HealthState] = reactive(HealthState)

    def __init__(self) -> None:
        super().__init__("", classes="health-line", markup=False)

    def watch_health(self, state: HealthState) -> None:
        self.update(health_content(state))
