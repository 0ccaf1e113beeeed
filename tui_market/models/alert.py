"""Price alerts: what a user asks to be told about, and the fact that it happened.

Kinds: the price crosses above / below a level; a bar of an interval closes above / below a
level; the change since the previous session's close moves beyond +-N %. An alert fires once
and is then spent, or re-arms (``rearm``) and fires again on the next crossing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tui_market.models.interval import Interval


class InvalidAlert(ValueError):
    """The alert cannot be stored: the message says why, in one line."""


class AlertKind(StrEnum):
    ABOVE = "above"
    BELOW = "below"
    CLOSE_ABOVE = "close-above"
    CLOSE_BELOW = "close-below"
    CHANGE = "change"

    @property
    def on_close(self) -> bool:
        """Judged on a closed bar of the alert's interval, not on each tick."""
        return self in (AlertKind.CLOSE_ABOVE, AlertKind.CLOSE_BELOW)

    @property
    def upward(self) -> bool:
        return self in (AlertKind.ABOVE, AlertKind.CLOSE_ABOVE)


KIND_WORDS = {
    AlertKind.ABOVE: "crosses above",
    AlertKind.BELOW: "crosses below",
    AlertKind.CLOSE_ABOVE: "closes above",
    AlertKind.CLOSE_BELOW: "closes below",
    AlertKind.CHANGE: "changes beyond ±",
}


def parse_kind(text: str) -> AlertKind:
    try:
        return AlertKind(text.strip().lower().replace("_", "-"))
    except ValueError:
        choices = ", ".join(k.value for k in AlertKind)
        raise InvalidAlert(
            f"{text.strip()!r} is not an alert kind; use one of: {choices}"
        ) from None


def parse_level(text: str | float) -> float:
    """A level (a price, or a percentage for ``change``): a finite number above zero."""
    raw = text.strip().replace(",", "") if isinstance(text, str) else text
    if raw == "":
        raise InvalidAlert("type a level: a positive number (e.g. 200)")
    try:
        level = float(raw)
    except ValueError:
        raise InvalidAlert(
            f"level {str(text).strip()!r} is not a number (e.g. 200 or 1.5)"
        ) from None
    if not math.isfinite(level) or level <= 0:
        raise InvalidAlert(f"level {str(text).strip()!r}: give a positive number (e.g. 200)")
    return level


@dataclass(frozen=True, slots=True)
class Alert:
    """A stored alert. ``interval`` only for the close kinds; ``active`` False once a
    once-only alert has fired."""

    id: int
    symbol: str
    kind: AlertKind
    level: float
    interval: Interval | None = None
    rearm: bool = False
    active: bool = True
    created_at: datetime | None = None
    fired_at: datetime | None = None
    fired_count: int = 0

    @property
    def condition(self) -> str:
        """For people: "NASDAQ:AAPL crosses above 200" / "closes above 200 (1h)"."""
        if self.kind is AlertKind.CHANGE:
            return f"{self.symbol} changes beyond ±{self.level:g}%"
        on = f" ({self.interval.value})" if self.interval is not None else ""
        return f"{self.symbol} {KIND_WORDS[self.kind]} {self.level:g}{on}"

    def same_rule(self, other: Alert) -> bool:
        return (self.symbol, self.kind, self.level, self.interval) == (
            other.symbol,
            other.kind,
            other.level,
            other.interval,
        )


def chart_levels(alerts: Iterable[Alert], symbol: str | None) -> tuple[float, ...]:
    """The price levels of ``symbol``'s alerts that can still fire, for its charts (a
    ``change`` alert is a percentage, not a price: it has no line)."""
    return tuple(
        sorted(
            {
                a.level
                for a in alerts
                if a.symbol == symbol and a.active and a.kind is not AlertKind.CHANGE
            }
        )
    )


@dataclass(frozen=True, slots=True)
class AlertFired:
    """An alert fired at ``ts`` (stream time, epoch seconds) at ``price`` (the tick's price, the
    bar's close, or the change in % for ``change``)."""

    alert: Alert
    ts: float
    price: float

    @property
    def text(self) -> str:
        if self.alert.kind is AlertKind.CHANGE:
            return f"{self.alert.condition}: now {self.price:+.2f}%"
        return f"{self.alert.condition}: now {self.price:g}"
