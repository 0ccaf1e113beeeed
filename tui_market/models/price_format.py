"""Prices and volumes as a trader reads them: with the symbol's own tick (pure, no I/O).

TradingView gives each symbol a ``pricescale`` and a ``minmov``: the price moves by
``minmov / pricescale``. With ``minmov`` 1 the decimals are ``log10(pricescale)`` (EURUSD:
pricescale 100000 -> 1.08345; BTCUSD: 100 -> 25,753.00); a future with minmov 25 and
pricescale 100 ticks by 0.25 (2 decimals). Without the metadata the old rule holds: 2 decimals,
or up to 6 significant ones below 1.
"""

from __future__ import annotations

import math
from fractions import Fraction

from tui_market.models.symbol_info import SymbolInfo

MISSING = "—"
NO_VOLUME = "-"  # an index has no traded volume
_MAX_DECIMALS = 10


def tick_decimals(info: SymbolInfo) -> int:
    """How many decimals show every multiple of the tick ``minmov / pricescale`` exactly
    (a tick that is no decimal fraction, 1/3: as many as the scale has digits)."""
    tick = Fraction(info.minmov, info.pricescale)
    den = tick.denominator
    twos = fives = 0
    while den % 2 == 0:
        den, twos = den // 2, twos + 1
    while den % 5 == 0:
        den, fives = den // 5, fives + 1
    if den != 1:
        return min(_MAX_DECIMALS, math.ceil(math.log10(info.pricescale)))
    return min(_MAX_DECIMALS, max(twos, fives))


def _fallback(value: float) -> str:
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.2f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.6f}".rstrip("0").rstrip(".")


def format_price(value: float | None, info: SymbolInfo | None) -> str:
    """``value`` with the symbol's decimals and thousands separators; "—" when missing."""
    if value is None or not math.isfinite(value):
        return MISSING
    if info is None:
        return _fallback(value)
    text = f"{value:,.{tick_decimals(info)}f}"
    return text[1:] if text.startswith("-") and not any(c in "123456789" for c in text) else text


def no_volume(value: float | None, info: SymbolInfo | None) -> bool:
    """An index that reports no traded volume (missing or 0): shown as "-", not 0."""
    return info is not None and info.type == "index" and not value


def format_volume(value: float | None, info: SymbolInfo | None) -> str:
    """A volume, short (1.23M); "-" for an index that reports none (missing or 0)."""
    if no_volume(value, info):
        return NO_VOLUME
    if value is None or not math.isfinite(value):
        return MISSING
    for limit, unit in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(value) >= limit:
            return f"{value / limit:.2f}{unit}"
    if value == int(value):
        return f"{value:.0f}"
    # a coin's volume is fractional (0.26 BTC a minute on Bitstamp): 3 significant digits
    return f"{value:.3g}"
