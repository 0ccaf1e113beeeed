"""Chart indicators as the user names them: ``ema:21``, ``EMA 21``, ``bb:20,2``, ``macd``.

``parse_specs`` turns one line of text (the picker's input, the CLI's ``--with``, a stored
setting) into checked ``IndicatorSpec``s, or raises ``InvalidIndicator`` naming the first bad
part, so nothing half-parsed is ever drawn or stored. A bare number after a spec belongs to it
(``macd:12,26,9,rsi:14`` is MACD 12 26 9 and RSI 14), so a comma-separated list and a
comma-separated parameter list can share one line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Place = Literal["overlay", "panel"]
MAX_INDICATORS = 8  # per chart: more lines than this are unreadable in a terminal
MAX_PERIOD = 1000
CHARTS = ("history", "ticker")  # the charts that draw indicators, each its own choice
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_HEAD = re.compile(r"([A-Za-z]+)(?:[:\s]+(.*))?")


class InvalidIndicator(ValueError):
    """Indicator text that cannot be used (the message says which part and why)."""


@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    place: Place
    defaults: tuple[float, ...]
    params: tuple[str, ...]  # what each parameter is, for messages
    lines: tuple[str, ...]  # the output lines (CSV column suffixes)


KINDS: dict[str, Kind] = {
    "sma": Kind("SMA", "overlay", (20,), ("period",), ("",)),
    "ema": Kind("EMA", "overlay", (21,), ("period",), ("",)),
    "vwap": Kind("VWAP", "overlay", (), (), ("",)),
    "bb": Kind("BB", "overlay", (20, 2), ("period", "deviations"), ("lower", "mid", "upper")),
    "rsi": Kind("RSI", "panel", (14,), ("period",), ("",)),
    "macd": Kind("MACD", "panel", (12, 26, 9), ("fast", "slow", "signal"), ("", "signal", "hist")),
}


@dataclass(frozen=True, slots=True)
class IndicatorSpec:
    """One indicator with its parameters (all given: defaults are filled in by the parser)."""

    kind: str  # a key of KINDS
    params: tuple[float, ...] = ()

    @property
    def place(self) -> Place:
        return KINDS[self.kind].place

    @property
    def ints(self) -> tuple[int, ...]:
        return tuple(int(p) for p in self.params)

    @property
    def text(self) -> str:
        """The canonical form, which ``parse_specs`` reads back: ``ema:21``, ``bb:20,2``."""
        if not self.params:
            return self.kind
        return f"{self.kind}:" + ",".join(_num(p) for p in self.params)

    @property
    def label(self) -> str:
        """For the chart's legend: ``EMA 21``, ``BB 20 2``."""
        return " ".join([KINDS[self.kind].name, *(_num(p) for p in self.params)])

    def columns(self) -> list[str]:
        """CSV column names, one per output line: ``ema_21``, ``bb_20_2_lower``..."""
        base = "_".join([self.kind, *(_num(p).replace(".", "p") for p in self.params)])
        return [f"{base}_{line}" if line else base for line in KINDS[self.kind].lines]


def _num(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def specs_text(specs: tuple[IndicatorSpec, ...] | list[IndicatorSpec]) -> str:
    return ", ".join(spec.text for spec in specs)


def completion(text: str) -> str | None:
    """``text`` with its last indicator name completed to its canonical form with default
    parameters ("EMA 21, r" -> "EMA 21, rsi:14"), when the letters typed so far name one
    kind; else None."""
    typed = text.rpartition(",")[2].lstrip()
    if not typed.isalpha():
        return None
    matches = [key for key in KINDS if key.startswith(typed.lower())]
    if len(matches) != 1:
        return None
    key = matches[0]
    full = IndicatorSpec(key, KINDS[key].defaults).text
    return None if full == typed.lower() else text + full[len(typed) :]


def parse_specs(text: str) -> tuple[IndicatorSpec, ...]:
    """Every indicator in ``text`` (empty text: none); ``InvalidIndicator`` on the first bad
    one, or on a repeated one, or on more than ``MAX_INDICATORS``."""
    groups: list[list[str]] = []
    for token in (t.strip() for t in re.split(r"[,;]", text)):
        if not token:
            continue
        if _NUMBER.fullmatch(token) and groups:
            groups[-1].append(token)
        else:
            groups.append([token])
    specs: list[IndicatorSpec] = []
    for group in groups:
        spec = _parse_one(group[0], group[1:])
        if spec in specs:
            raise InvalidIndicator(f"{spec.label} is listed twice")
        specs.append(spec)
    if len(specs) > MAX_INDICATORS:
        raise InvalidIndicator(f"at most {MAX_INDICATORS} indicators per chart, not {len(specs)}")
    return tuple(specs)


def _parse_one(head: str, more: list[str]) -> IndicatorSpec:
    match = _HEAD.fullmatch(head)
    if match is None:
        raise InvalidIndicator(f"{head!r} is not an indicator: use e.g. ema:21 or EMA 21")
    key = match.group(1).lower()
    kind = KINDS.get(key)
    if kind is None:
        known = ", ".join(KINDS)
        raise InvalidIndicator(f"unknown indicator {match.group(1)!r} (known: {known})")
    words = [w for w in re.split(r"[\s:]+", match.group(2) or "") if w] + more
    if len(words) > len(kind.defaults):
        raise InvalidIndicator(
            f"{kind.name} takes {len(kind.defaults)} parameter(s) "
            f"({', '.join(kind.params) or 'none'}), not {len(words)}"
        )
    values: list[float] = []
    for name, word in zip(kind.params, words, strict=False):
        if not _NUMBER.fullmatch(word):
            raise InvalidIndicator(f"{kind.name} {name} {word!r} is not a positive number")
        values.append(float(word))
    values += kind.defaults[len(values) :]
    spec = IndicatorSpec(key, tuple(values))
    _check(spec, kind)
    return spec


def _check(spec: IndicatorSpec, kind: Kind) -> None:
    for name, value in zip(kind.params, spec.params, strict=True):
        if name == "deviations":
            if not 0 < value <= 10:
                raise InvalidIndicator(f"{kind.name} deviations must be above 0 and at most 10")
            continue
        lowest = 2 if spec.kind in ("rsi", "bb") else 1
        if value != int(value) or not lowest <= value <= MAX_PERIOD:
            raise InvalidIndicator(
                f"{kind.name} {name} must be a whole number from {lowest} to {MAX_PERIOD}"
            )
    if spec.kind == "macd" and spec.params[0] >= spec.params[1]:
        raise InvalidIndicator("MACD fast period must be shorter than the slow one")
