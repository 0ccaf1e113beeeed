"""The frame every mode screen shares: header with the app's clock, and the mode tabs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from textual.app import ComposeResult, RenderResult
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Header, Tab, Tabs
from textual.widgets._header import HeaderClock, HeaderIcon, HeaderTitle

from tui_market.tui.widgets.footer import BindingsFooter
from tui_market.tui.widgets.health import HealthLine

MODES: tuple[tuple[str, str], ...] = (
    ("symbols", "1 Symbols"),
    ("history", "2 History"),
    ("ticker", "3 Ticker"),
)


class AppClock(HeaderClock):
    """The header clock, reading the app's injectable clock (fixed in snapshot tests)."""

    def render(self) -> RenderResult:
        clock: Callable[[], datetime] | None = getattr(self.app, "clock", None)
        now = clock() if clock is not None else datetime.now()
        return now.astimezone().strftime(self.time_format)


class MarketHeader(Header):
    """Header with the title and the app clock."""

    def __init__(self) -> None:
        super().__init__(show_clock=True, time_format="%H:%M:%S", icon="◆")

    def compose(self) -> ComposeResult:
        yield HeaderIcon().data_bind(Header.icon)
        yield HeaderTitle()
        yield AppClock().data_bind(Header.time_format)


class ModeTabs(Tabs):
    """Clickable switcher between the modes; never takes focus (keys 1/2/3 do the same)."""

    DEFAULT_CSS = """
    ModeTabs {
        dock: top;
        margin-top: 1;  /* below the Header, which docks to the same edge */
    }
    """
    can_focus = False

    def __init__(self, mode: str) -> None:
        super().__init__(
            *(Tab(label, id=f"mode-{name}") for name, label in MODES), active=f"mode-{mode}"
        )
        self.mode = mode

    async def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        event.stop()
        chosen = (event.tab.id or "").removeprefix("mode-")
        if chosen and chosen != self.mode:
            self.active = f"mode-{self.mode}"  # the other mode's own tabs show it
            await self.run_action(f"app.mode({chosen!r})")


async def ensure_chrome(screen: Screen[object], mode: str) -> None:
    """Mount whatever of header, mode tabs, health line and footer ``screen`` lacks.

    Mode screens only compose their own body; the frame is the same everywhere.
    """
    missing: list[Widget] = []
    if not screen.query(Header):
        missing.append(MarketHeader())
    if not screen.query(ModeTabs):
        missing.append(ModeTabs(mode))
    if not screen.query(HealthLine):
        missing.append(HealthLine())
    if not screen.query(Footer):
        missing.append(BindingsFooter())
    if missing:
        await screen.mount_all(missing)
        screen.refresh_bindings()  # a Footer mounted late has missed the first bindings update
