"""A trade print from the live feed. Kept lean (slots, no validation) for the hot path."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True, frozen=True)
class Tick:
    """One last-price update.

    ``ts`` is epoch seconds (UTC). ``volume`` is TradingView's cumulative session volume
    (``None`` when the feed does not carry volume); bar volume is derived from its deltas.
    """

    symbol: str
    ts: float
    price: float
    volume: float | None = None
