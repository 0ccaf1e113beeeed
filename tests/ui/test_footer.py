"""BindingsFooter: the keys are rebuilt when the bindings shown change, and only then."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Static
from textual.widgets._footer import FooterKey

from tui_market.tui.widgets.footer import BindingsFooter


class Pane(Static, can_focus=True):
    def __init__(self, key: str, label: str) -> None:
        super().__init__(label, id=label)
        self._bindings.bind(key, "app.bell", label)


class FooterApp(App[None]):
    BINDINGS = [Binding("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Pane("x", "ex")
        yield Pane("y", "why")
        yield BindingsFooter()


def shown(app: FooterApp) -> list[str]:
    return [key.description for key in app.screen.query(FooterKey)]


async def test_footer_keys_follow_the_bindings_and_are_kept_when_unchanged() -> None:
    app = FooterApp()
    async with app.run_test(size=(80, 10)) as pilot:
        app.screen.query_one("#ex").focus()
        await pilot.pause()
        await pilot.pause()
        assert shown(app) == ["ex", "Quit", "palette"]
        keys = list(app.screen.query(FooterKey))

        app.screen.refresh_bindings()
        app.screen.refresh_bindings()
        await pilot.pause()
        await pilot.pause()
        assert list(app.screen.query(FooterKey)) == keys  # the same widgets: not rebuilt

        app.screen.query_one("#why").focus()
        await pilot.pause()
        await pilot.pause()
        assert shown(app) == ["why", "Quit", "palette"]
