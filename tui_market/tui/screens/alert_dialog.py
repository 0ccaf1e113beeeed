"""The alert dialog (``A`` on a symbol): kind, level prefilled with the last price and
validated as you type (the reason is shown), once-only or re-arming.

Dismisses with an ``AlertSpec`` or ``None``; the opener posts ``AlertAddRequested``, whose
answer (stored, or why not: a duplicate, a symbol gone from the watchlist) is a notification.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.validation import ValidationResult, Validator
from textual.widgets import Checkbox, Input, Label, Select

from tui_market.models import Interval
from tui_market.models.alert import Alert, AlertKind, InvalidAlert, parse_level
from tui_market.models.live import SymbolQuote
from tui_market.queries.list_symbols import SymbolRow
from tui_market.tui.messages import AlertAddRequested
from tui_market.tui.screens.mode import ModeScreen

CHANGE_PREFILL = "2"  # per cent: a first guess for "changes beyond ±N %"


class LevelValidator(Validator):
    """Accepts what ``parse_level`` accepts; the failure text is its reason."""

    def validate(self, value: str) -> ValidationResult:
        try:
            parse_level(value)
        except InvalidAlert as exc:
            return self.failure(str(exc), value)
        return self.success()


@dataclass(frozen=True, slots=True)
class AlertSpec:
    symbol: str
    kind: AlertKind
    level: float
    interval: Interval
    rearm: bool


def kind_options(interval: Interval) -> list[tuple[str, AlertKind]]:
    return [
        ("price crosses above", AlertKind.ABOVE),
        ("price crosses below", AlertKind.BELOW),
        (f"{interval.value} bar closes above", AlertKind.CLOSE_ABOVE),
        (f"{interval.value} bar closes below", AlertKind.CLOSE_BELOW),
        ("change since previous close beyond ±%", AlertKind.CHANGE),
    ]


class AlertScreen(ModalScreen[AlertSpec | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="alert.cancel")]

    def __init__(self, symbol: str, last: float | None, interval: Interval) -> None:
        super().__init__(classes="dialog-screen")
        self.symbol, self.last, self.interval = symbol, last, interval
        self._price_text = f"{last:.10g}" if last is not None else ""

    def compose(self) -> ComposeResult:
        last = f" (last {self._price_text})" if self._price_text else ""
        with Vertical(classes="dialog", id="alert-dialog"):
            yield Label(f"Alert on {self.symbol}{last}", classes="dialog-title", markup=False)
            yield Select(
                kind_options(self.interval),
                value=AlertKind.ABOVE,
                allow_blank=False,
                id="alert-kind",
            )
            yield Input(
                value=self._price_text,
                placeholder="level, e.g. 200",
                validators=[LevelValidator()],
                id="alert-level",
                select_on_focus=False,
            )
            yield Label("", id="alert-reason", markup=False)
            yield Checkbox("re-arm: fire again on each new crossing (else once)", id="alert-rearm")
            yield Label("enter: add   esc: cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        level = self.query_one("#alert-level", Input)
        level.focus()
        self._explain(level.value)

    @property
    def kind(self) -> AlertKind:
        value = self.query_one("#alert-kind", Select).value
        return value if isinstance(value, AlertKind) else AlertKind.ABOVE

    @on(Select.Changed, "#alert-kind")
    def _kind_changed(self) -> None:
        level = self.query_one("#alert-level", Input)
        if self.kind is AlertKind.CHANGE and level.value == self._price_text:
            level.value = CHANGE_PREFILL
        elif self.kind is not AlertKind.CHANGE and level.value == CHANGE_PREFILL:
            level.value = self._price_text
        self._explain(level.value)

    @on(Input.Changed, "#alert-level")
    def _level_changed(self, event: Input.Changed) -> None:
        self._explain(event.value)

    def _explain(self, text: str) -> None:
        reason = self.query_one("#alert-reason", Label)
        try:
            level = parse_level(text)
        except InvalidAlert as exc:
            reason.update(str(exc))
            reason.set_class(True, "-invalid")
            return
        interval = self.interval if self.kind.on_close else None
        rule = Alert(0, self.symbol, self.kind, level, interval)
        reason.update(f"enter: alert when {rule.condition}")
        reason.set_class(False, "-invalid")

    @on(Input.Submitted, "#alert-level")
    def _submitted(self, event: Input.Submitted) -> None:
        if event.validation_result is not None and not event.validation_result.is_valid:
            self.query_one("#alert-reason", Label).set_class(True, "-invalid")
            self.app.bell()
            return
        rearm = self.query_one("#alert-rearm", Checkbox).value
        spec = AlertSpec(self.symbol, self.kind, parse_level(event.value), self.interval, rearm)
        self.dismiss(spec)

    def action_cancel(self) -> None:
        self.dismiss(None)


def last_price(
    symbol: str, rows: Sequence[SymbolRow], quotes: Mapping[str, SymbolQuote]
) -> float | None:
    """The live price, else the last stored close."""
    quote = quotes.get(symbol)
    if quote is not None and quote.last is not None:
        return quote.last
    return next((row.last_close for row in rows if row.symbol == symbol), None)


def open_alert_dialog(screen: ModeScreen, symbol: str | None, last: float | None) -> None:
    """Push the dialog over ``screen``; a confirmed alert is posted as a request."""
    if symbol is None:
        screen.notify("No symbol selected: add one first (a).", severity="warning")
        return
    interval = screen.interval

    def confirmed(spec: AlertSpec | None) -> None:
        if spec is not None:
            screen.post_message(
                AlertAddRequested(spec.symbol, spec.kind, spec.level, spec.interval, spec.rearm)
            )

    screen.app.push_screen(AlertScreen(symbol, last, interval), confirmed)
