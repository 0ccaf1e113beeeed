"""Add a symbol: an input validated as you type (the reason is shown), plus provider search.

Dismisses with ``(symbol, description)`` or ``None``. Search results arrive as
``SymbolSearchResults`` (the app runs the provider); the dialog never touches the network.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.validation import ValidationResult, Validator
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from tui_market.models import InvalidSymbol, SymbolRef
from tui_market.tui.messages import SymbolSearchRequested, SymbolSearchResults

HINT = "Type EXCHANGE:TICKER, e.g. NASDAQ:AAPL or BINANCE:BTCUSDT"
SEARCH_DELAY = 0.4  # seconds of no typing before asking the provider


class SymbolValidator(Validator):
    """Accepts what ``SymbolRef.parse`` accepts; the failure text is its reason."""

    def validate(self, value: str) -> ValidationResult:
        try:
            SymbolRef.parse(value)
        except InvalidSymbol as exc:
            return self.failure(str(exc), value)
        return self.success()


class AddSymbolScreen(ModalScreen[tuple[str, str] | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="add.cancel")]

    def __init__(self, *, search: bool = False) -> None:
        super().__init__(classes="dialog-screen")
        self.search = search
        self._descriptions: dict[str, str] = {}
        self._search_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="add-dialog"):
            yield Label("Add a symbol to the watchlist", classes="dialog-title")
            yield Input(
                placeholder="EXCHANGE:TICKER",
                validators=[SymbolValidator()],
                id="add-input",
                select_on_focus=False,
            )
            # Plain text: the reason quotes what was typed ("[/]" is not markup to parse).
            yield Label(HINT, id="add-reason", markup=False)
            options = OptionList(id="add-results", markup=False)
            options.display = False
            yield options
            yield Label("enter: add   esc: cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#add-input", Input).focus()

    @on(Input.Changed, "#add-input")
    def _changed(self, event: Input.Changed) -> None:
        reason = self.query_one("#add-reason", Label)
        result = event.validation_result
        if not event.value.strip():
            reason.update(HINT)
            reason.set_class(False, "-invalid")
        elif result is not None and not result.is_valid:
            reason.update(result.failure_descriptions[0])
            reason.set_class(True, "-invalid")
        else:
            reason.update(f"enter: add {SymbolRef.parse(event.value).full}")
            reason.set_class(False, "-invalid")
        if self.search:
            self._schedule_search(event.value.strip())

    def _schedule_search(self, text: str) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        if len(text) >= 2:
            self._search_timer = self.set_timer(
                SEARCH_DELAY, lambda: self.post_message(SymbolSearchRequested(text, asker=self))
            )

    @on(SymbolSearchResults)
    def _results(self, message: SymbolSearchResults) -> None:
        if message.text != self.query_one("#add-input", Input).value.strip():
            return  # the user has typed on since
        options = self.query_one("#add-results", OptionList)
        options.clear_options()
        self._descriptions = dict(message.results)
        for symbol, description in message.results[:50]:
            options.add_option(Option(f"{symbol}  {description}", id=symbol))
        options.display = bool(message.results)
        if message.error:
            self.notify(f"symbol search failed: {message.error}", severity="warning")

    @on(OptionList.OptionSelected, "#add-results")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        symbol = event.option.id or ""
        self.dismiss((symbol, self._descriptions.get(symbol, "")))

    @on(Input.Submitted, "#add-input")
    def _submitted(self, event: Input.Submitted) -> None:
        if event.validation_result is not None and not event.validation_result.is_valid:
            self.query_one("#add-reason", Label).set_class(True, "-invalid")
            self.app.bell()
            return
        symbol = SymbolRef.parse(event.value).full
        self.dismiss((symbol, self._descriptions.get(symbol, "")))

    def action_cancel(self) -> None:
        self.dismiss(None)
