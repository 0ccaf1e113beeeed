"""``EXCHANGE:TICKER`` symbol references, parsed strictly with messages a trader understands."""

from __future__ import annotations

import re
from dataclasses import dataclass

_EXCHANGE = re.compile(r"[A-Z0-9_]{1,20}")
_TICKER = re.compile(r"[A-Z0-9][A-Z0-9._\-]{0,29}!?|[A-Z0-9]{1,28}\d!")
_SHOWN = 40  # characters of the user's text quoted back in a message


def _q(text: str) -> str:
    """``text`` quoted for a message: its repr, cut to ``_SHOWN`` characters."""
    return repr(text) if len(text) <= _SHOWN else repr(text[:_SHOWN]) + "..."


class InvalidSymbol(ValueError):
    """The text is not a well-formed ``EXCHANGE:TICKER`` symbol."""


@dataclass(frozen=True, slots=True, order=True)
class SymbolRef:
    exchange: str
    ticker: str

    @property
    def full(self) -> str:
        return f"{self.exchange}:{self.ticker}"

    def __str__(self) -> str:
        return self.full

    @classmethod
    def parse(cls, text: str) -> SymbolRef:
        """Parse ``EXCHANGE:TICKER`` (case-insensitive; ``!`` allowed at the end for futures)."""
        raw = text.strip()
        if not raw:
            raise InvalidSymbol("empty symbol: type EXCHANGE:TICKER, e.g. NASDAQ:AAPL")
        if not raw.isascii():
            raise InvalidSymbol(
                f"{_q(raw)}: use plain ASCII letters, digits and '_' '.' '-' '!', e.g. NASDAQ:AAPL"
            )
        if any(c.isspace() for c in raw):
            raise InvalidSymbol(f"{_q(raw)}: no spaces allowed, e.g. NASDAQ:AAPL")
        if raw.count(":") != 1:
            hint = "missing ':'" if ":" not in raw else "more than one ':'"
            raise InvalidSymbol(f"{_q(raw)}: {hint}; expected EXCHANGE:TICKER, e.g. NASDAQ:AAPL")
        exchange, ticker = (part.upper() for part in raw.split(":"))
        if not exchange:
            raise InvalidSymbol(f"{_q(raw)}: exchange is missing before ':'")
        if not ticker:
            raise InvalidSymbol(f"{_q(raw)}: ticker is missing after ':'")
        if not _EXCHANGE.fullmatch(exchange):
            raise InvalidSymbol(
                f"{_q(raw)}: exchange {_q(exchange)} may hold only letters, digits and '_'"
            )
        if "!" in ticker[:-1]:
            raise InvalidSymbol(f"{_q(raw)}: '!' is allowed only at the end (e.g. CME_MINI:ES1!)")
        if not _TICKER.fullmatch(ticker):
            raise InvalidSymbol(
                f"{_q(raw)}: ticker {_q(ticker)} may hold only letters, digits, '.', '_' and '-'"
                " (up to 30 characters)"
            )
        return cls(exchange, ticker)
