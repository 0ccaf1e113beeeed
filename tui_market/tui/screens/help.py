"""Help: every key of every screen, grouped (built from the live binding tables)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static

Section = tuple[str, Sequence[BindingType]]


def help_sections(app_bindings: Sequence[BindingType]) -> list[Section]:
    """Every screen's keys, from their own binding tables (so the help never goes stale)."""
    from tui_market.tui.screens.add_symbol import AddSymbolScreen
    from tui_market.tui.screens.history import HistoryScreen
    from tui_market.tui.screens.symbols import SymbolsScreen
    from tui_market.tui.screens.ticker import TickerScreen

    everywhere = [*app_bindings, Binding("ctrl+p", "command_palette", "Command palette")]
    return [
        ("Everywhere", everywhere),
        ("Symbols (1)", SymbolsScreen.BINDINGS),
        ("History (2)", HistoryScreen.BINDINGS),
        ("Ticker (3)", TickerScreen.BINDINGS),
        ("Add-symbol dialog", [*AddSymbolScreen.BINDINGS, Binding("enter", "submit", "Add")]),
    ]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="help.close")]

    def __init__(self, sections: Iterable[Section]) -> None:
        super().__init__(classes="dialog-screen")
        self.sections = list(sections)

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="help-dialog"):
            yield Label("tui-market keys", classes="dialog-title")
            with Horizontal(id="help-columns"):
                for column in _balanced(self.sections):
                    with Vertical(classes="help-column"):
                        for title, bindings in column:
                            yield Static(self._section(title, bindings), classes="help-section")
            yield Label("esc / ? / q: close", classes="dialog-keys")

    def _section(self, title: str, bindings: Sequence[BindingType]) -> Content:
        lines = [Content.from_markup("[b]$title[/]", title=title)]
        grouped: dict[str, tuple[list[str], str]] = {}
        for binding in Binding.make_bindings(bindings):
            if binding.description:
                keys, _ = grouped.setdefault(binding.action, ([], binding.description))
                keys.append(self.app.get_key_display(binding))
        for keys, description in grouped.values():
            shown = " ".join(keys)
            lines.append(
                Content.from_markup(
                    "  [$accent]$keys[/] $desc", keys=shown.ljust(12), desc=description
                )
            )
        return Content("\n").join(lines)


def _balanced(sections: list[Section]) -> tuple[list[Section], list[Section]]:
    """Two columns of about the same height (each section goes to the shorter one)."""
    left: list[Section] = []
    right: list[Section] = []
    heights = [0, 0]
    for section in sorted(sections, key=lambda s: -len(s[1])):
        side = 0 if heights[0] <= heights[1] else 1
        (left, right)[side].append(section)
        heights[side] += len(section[1]) + 2
    order = {title: i for i, (title, _) in enumerate(sections)}
    return (sorted(left, key=lambda s: order[s[0]]), sorted(right, key=lambda s: order[s[0]]))
