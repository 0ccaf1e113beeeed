"""What the provider says about a symbol: its exchange's clock, how its prices step, its feed.

Read from TradingView's ``symbol_resolved`` (and the ``qsd`` quote fields of the same names),
kept on the watchlist document, and used to align bars to the exchange's session, to format
prices and to mark delayed data. ``from_provider`` checks every field: a provider that sends
garbage gets a clear ``InvalidSymbolInfo`` and nothing is stored.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC_ZONE = "Etc/UTC"
ALWAYS_OPEN = "24x7"
_SEGMENT = r"\d{4}-\d{4}"
_SESSION = re.compile(rf"{_SEGMENT}(?:,{_SEGMENT})*(?::[1-7]{{1,7}})?(?:\|.*)?")
_HOLIDAY = re.compile(r"\d{8}")
_DELAY = re.compile(r"delayed_streaming_(\d{1,5})")
_TEXT_MAX = 200


class InvalidSymbolInfo(ValueError):
    """The provider's metadata for a symbol is unusable (the message says which field)."""


@dataclass(frozen=True, slots=True)
class SymbolInfo:
    """One symbol's metadata. ``session`` is TradingView's session string (``0930-1600``,
    ``1700-1600``, ``24x7``) in the time zone ``timezone``; ``holidays`` are ``YYYYMMDD``."""

    description: str = ""
    type: str = ""
    timezone: str = UTC_ZONE
    session: str = ALWAYS_OPEN
    holidays: tuple[str, ...] = ()
    pricescale: int = 100
    minmov: int = 1
    currency: str = ""
    update_mode: str = ""

    @property
    def delay_seconds(self) -> int:
        """How late the feed is: ``delayed_streaming_900`` -> 900; 0 for real time."""
        match = _DELAY.fullmatch(self.update_mode)
        return int(match.group(1)) if match else 0

    @property
    def always_open(self) -> bool:
        return self.session == ALWAYS_OPEN

    def to_doc(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["holidays"] = list(self.holidays)
        return doc

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any] | None) -> SymbolInfo | None:
        """The stored metadata (written by ``to_doc``), or None if absent or unreadable."""
        if not isinstance(doc, Mapping):
            return None
        try:
            return cls.from_provider(
                {**doc, "session_holidays": ",".join(doc.get("holidays") or ())}
            )
        except InvalidSymbolInfo:
            return None

    @classmethod
    def from_provider(cls, raw: Mapping[str, Any]) -> SymbolInfo:
        """Checked metadata from a ``symbol_resolved`` / ``qsd`` dict; ``InvalidSymbolInfo``
        names the first bad field. Absent fields take the defaults (UTC, 24x7, 2 decimals)."""
        if not isinstance(raw, Mapping):
            raise InvalidSymbolInfo(f"symbol metadata is {type(raw).__name__}, not an object")
        timezone = _text(raw, "timezone") or UTC_ZONE
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise InvalidSymbolInfo(f"timezone {timezone!r} is not a known time zone") from exc
        session = (_text(raw, "session") or ALWAYS_OPEN).strip()
        if session != ALWAYS_OPEN and not _SESSION.fullmatch(session):
            raise InvalidSymbolInfo(f"session {session!r} is not like 0930-1600 or 24x7")
        if session != ALWAYS_OPEN:
            for part in re.findall(_SEGMENT, session.split(":")[0].split("|")[0]):
                if any(int(hhmm[:2]) > 24 or int(hhmm[2:]) > 59 for hhmm in part.split("-")):
                    raise InvalidSymbolInfo(f"session {session!r} has a time beyond 24:00")
        holidays_text = raw.get("session_holidays", "") or ""
        if not isinstance(holidays_text, str):
            raise InvalidSymbolInfo("session_holidays is not a comma-separated text")
        holidays = tuple(h for h in holidays_text.split(",") if h)
        if not all(_HOLIDAY.fullmatch(h) for h in holidays):
            raise InvalidSymbolInfo("session_holidays holds something other than YYYYMMDD dates")
        pricescale = _positive_int(raw, "pricescale", 100)
        minmov = _positive_int(raw, "minmov", 1)
        return cls(
            description=_text(raw, "description"),
            type=_text(raw, "type"),
            timezone=timezone,
            session=session,
            holidays=holidays,
            pricescale=pricescale,
            minmov=minmov,
            currency=_text(raw, "currency_code") or _text(raw, "currency"),
            update_mode=_text(raw, "update_mode"),
        )


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidSymbolInfo(f"{key} is {type(value).__name__}, not text")
    # a lone surrogate (JSON can carry one) has no UTF-8 form: MongoDB would refuse the document
    return value.encode("utf-8", "replace").decode("utf-8").strip()[:_TEXT_MAX]


def _positive_int(raw: Mapping[str, Any], key: str, default: int) -> int:
    value = raw.get(key, default)
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value != int(value)
    ):
        raise InvalidSymbolInfo(f"{key} {value!r} is not a whole number")
    if not 1 <= value <= 10**12:
        raise InvalidSymbolInfo(f"{key} {value!r} is out of range (1 to 10^12)")
    return int(value)
