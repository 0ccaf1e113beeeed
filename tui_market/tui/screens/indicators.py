"""Choose a chart's indicators: one line of text (``EMA 21, rsi:14, bb:20,2``), checked as
you type; the reason a text is refused is shown and enter does nothing with it. The letters of
a name are completed to it with its default parameters (shown after the cursor; right arrow
takes it), so the known indicators need not be remembered.

Dismisses with the text to save (empty: no indicators) or ``None`` (cancelled); the app saves
it through the ``SaveIndicators`` command, so the choice outlives the session.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.validation import ValidationResult, Validator
from textual.widgets import Input, Label

from tui_market.models.indicator import KINDS, InvalidIndicator, completion, parse_specs

HINT = (
    "e.g. EMA 21, rsi:14, bb:20,2, macd, vwap, sma:50 (empty: none); known: "
    + ", ".join(KINDS)
    + "; → completes a name"
)


class IndicatorSuggester(Suggester):
    """Completes the indicator name being typed (``completion``); case kept as typed."""

    def __init__(self) -> None:
        super().__init__(case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        return completion(value)


class IndicatorValidator(Validator):
    """Accepts what ``parse_specs`` accepts; the failure text is its reason."""

    def validate(self, value: str) -> ValidationResult:
        try:
            parse_specs(value)
        except InvalidIndicator as exc:
            return self.failure(str(exc), value)
        return self.success()


class IndicatorPicker(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="indicators.cancel")]

    def __init__(self, chart: str, current: str) -> None:
        super().__init__(classes="dialog-screen")
        self.chart = chart
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="indicators-dialog"):
            yield Label(f"Indicators on the {self.chart.title()} chart", classes="dialog-title")
            yield Input(
                self.current,
                placeholder="EMA 21, RSI 14",
                validators=[IndicatorValidator()],
                suggester=IndicatorSuggester(),
                id="indicators-input",
                select_on_focus=False,
            )
            yield Label(HINT, id="indicators-reason", markup=False)
            yield Label("enter: apply and remember   esc: cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#indicators-input", Input).focus()

    @on(Input.Changed, "#indicators-input")
    def _changed(self, event: Input.Changed) -> None:
        reason = self.query_one("#indicators-reason", Label)
        result = event.validation_result
        if result is not None and not result.is_valid:
            reason.update(result.failure_descriptions[0])
            reason.set_class(True, "-invalid")
            return
        specs = parse_specs(event.value)
        reason.update("enter: show " + ", ".join(spec.label for spec in specs) if specs else HINT)
        reason.set_class(False, "-invalid")

    @on(Input.Submitted, "#indicators-input")
    def _submitted(self, event: Input.Submitted) -> None:
        if event.validation_result is not None and not event.validation_result.is_valid:
            self.query_one("#indicators-reason", Label).set_class(True, "-invalid")
            self.app.bell()
            return
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
