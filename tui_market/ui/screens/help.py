"""Help: every key of every screen, grouped (built from the live binding tables)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static

Section = tuple[str, Sequence[BindingType]]


def help_sections(app_bindings: Sequence[BindingType]) -> list[Section]:
    """Every screen's keys, from their own binding tables (so the help never goes stale)."""
    from tui_market.ui.screens.add_symbol import AddSymbolScreen
    from tui_market.ui.screens.history import HistoryScreen
    from tui_market.ui.screens.symbols import SymbolsScreen
    from tui_market.ui.screens.ticker import TickerScreen

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
            for title, bindings in self.sections:
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
            lines.append(Content.from_markup(
                "  [$accent]$keys[/]$pad$desc", keys=shown, pad=" " * max(1, 14 - len(shown)),
                desc=description,
            ))
        return Content("\n").join(lines)
