"""Per-symbol quote state from TradingView ``qsd`` messages (pure: no I/O, no clock).

The first ``qsd`` for a symbol is a full snapshot, later ones carry only changed fields; both
are merged into one dict per symbol. A ``Tick`` comes out only when the last price, its time or
the cumulative volume changed, so a snapshot re-sent after a reconnect, or a bid/ask-only
delta, yields nothing new.
"""

from __future__ import annotations

import logging
import math
import re
from typing import Any

from tui_market.infrastructure.interfaces import SymbolError
from tui_market.models import Tick
from tui_market.models.feed import QuoteInfo
from tui_market.models.ohlcv import MAX_PRICE

log = logging.getLogger(__name__)
NO_VOLUME = 1e50  # at or above: TradingView's placeholder for 'no volume' (NASDAQ:NDX sends 1e100)
MAX_TIME = 4_102_444_800.0  # 2100-01-01 UTC: a later lp_time is garbage (or milliseconds)

_DELAYED = re.compile(r"delayed_streaming_(\d{1,5})")
_DELAYED = re.compile(r"delayed_streaming_(\d{1,5})")
_TickKey = tuple[float, float | None, float | None]


class MalformedQuote(ValueError):
    """A ``qsd`` payload that does not have the expected shape."""


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:  # a JSON integer beyond any double, e.g. 1e400 written out
        return None
    return number if math.isfinite(number) else None


def _usable(key: str, number: float | None) -> bool:
    if number is None or number < 0:
        return False
    if key == "lp":
        return 0 < number < MAX_PRICE
    return key != "lp_time" or 0 < number < MAX_TIME


class QuoteBook:
    """Merged quote fields per symbol plus what was last emitted for it."""

    def __init__(self) -> None:
        self._values: dict[str, dict[str, Any]] = {}
        self._emitted: dict[str, _TickKey] = {}
        self._errors: dict[str, str] = {}
        self._infos: dict[str, QuoteInfo] = {}
        self.rejected_fields = 0  # lp / lp_time / volume values that were not usable numbers

    def values(self, symbol: str) -> dict[str, Any]:
        """A copy of the merged fields for ``symbol`` (empty if unknown)."""
        return dict(self._values.get(symbol, {}))

    def forget(self, symbol: str) -> None:
        """Drop a symbol that was unsubscribed (a later re-add starts from its snapshot)."""
        self._values.pop(symbol, None)
        self._emitted.pop(symbol, None)
        self._errors.pop(symbol, None)
        self._infos.pop(symbol, None)

    def info(self, symbol: str) -> QuoteInfo | None:
        """The symbol's previous close, session and delay, when they changed since last asked.

        The previous close is ``prev_close_price`` when the feed sends it, else ``lp - ch``
        (``ch`` is the change since the previous session's close)."""
        state = self._values.get(symbol)
        if not state:
            return None
        prev = _number(state.get("prev_close_price"))
        if prev is None or not 0 < prev < MAX_PRICE:
            lp, ch = _number(state.get("lp")), _number(state.get("ch"))
            prev = lp - ch if lp is not None and ch is not None and lp - ch > 0 else None
        session = state.get("current_session")
        mode = state.get("update_mode")
        match = _DELAYED.fullmatch(mode) if isinstance(mode, str) else None
        info = QuoteInfo(
            symbol,
            prev,
            session if isinstance(session, str) else None,
            int(match.group(1)) if match else 0,
        )
        if self._infos.get(symbol) == info:
            return None
        self._infos[symbol] = info
        return info

    def apply(self, data: object, received: float) -> Tick | SymbolError | None:
        """Merge one ``qsd`` body (``p[1]``); return the event it causes, if any.

        ``received`` is the time stamp for a tick whose feed carries no ``lp_time``. Raises
        ``MalformedQuote`` for a body that is not ``{"n": str, "s": str, "v": {...}}``.
        """
        if not isinstance(data, dict):
            raise MalformedQuote(f"qsd body is {type(data).__name__}, not an object")
        symbol, status = data.get("n"), data.get("s", "ok")
        if not isinstance(symbol, str) or not symbol or not isinstance(status, str):
            raise MalformedQuote(f"qsd body without a symbol name or status: {data!r:.200}")
        if status != "ok":
            return self._error(symbol, status, data)
        delta = data.get("v", {})
        if not isinstance(delta, dict):
            raise MalformedQuote(f"qsd values for {symbol} are not an object: {delta!r:.200}")
        self._errors.pop(symbol, None)
        state = self._values.setdefault(symbol, {})
        state.update(self._checked(symbol, delta))
        return self._tick(symbol, state, received)

    def _checked(self, symbol: str, delta: dict[str, Any]) -> dict[str, Any]:
        checked = dict(delta)
        for key in ("lp", "lp_time", "volume"):
            if key not in checked or checked[key] is None:
                continue
            number = _number(checked[key])
            if key == "volume" and number is not None and number >= NO_VOLUME:
                checked[key] = None  # indices carry a 1e100 placeholder: they have no volume
                continue
            if not _usable(key, number):
                log.warning("%s: unusable %s=%r in qsd, ignored", symbol, key, checked[key])
                self.rejected_fields += 1
                del checked[key]
            else:
                checked[key] = number
        return checked

    def _tick(self, symbol: str, state: dict[str, Any], received: float) -> Tick | None:
        price = state.get("lp")
        if price is None:
            return None
        key: _TickKey = (price, state.get("lp_time"), state.get("volume"))
        if self._emitted.get(symbol) == key:
            return None
        self._emitted[symbol] = key
        ts = key[1] if key[1] is not None else received
        return Tick(symbol, ts, price, key[2])

    def _error(self, symbol: str, status: str, data: dict[str, Any]) -> SymbolError | None:
        values = data.get("v")
        detail = data.get("errmsg") or (values.get("errmsg") if isinstance(values, dict) else None)
        message = f"{status}: {detail}" if detail else status
        if self._errors.get(symbol) == message:
            return None  # already reported (e.g. the same refusal after a resubscribe)
        self._errors[symbol] = message
        return SymbolError(symbol, message)
