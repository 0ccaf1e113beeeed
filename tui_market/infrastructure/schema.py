"""How documents look in MongoDB. Shared by the handlers that read and write them.

``ohlcv``: one document per bar, ``_id`` = ``SYMBOL|interval|open-epoch`` (zero-padded so that
string order is time order). The key is the unique index on (symbol, interval, time); range
scans on ``_id`` give a symbol's bars in time order without a secondary index.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tui_market.models import Bar, Interval

SYMBOLS = "symbols"
OHLCV = "ohlcv"
SYNC_STATE = "sync_state"
_EPOCH_WIDTH = 12


def series_prefix(symbol: str, interval: Interval) -> str:
    return f"{symbol}|{interval.value}|"


def bar_id(symbol: str, interval: Interval, epoch: int) -> str:
    return f"{series_prefix(symbol, interval)}{epoch:0{_EPOCH_WIDTH}d}"


def id_range(
    symbol: str, interval: Interval, start: int | None = None, end: int | None = None
) -> dict[str, str]:
    """An ``_id`` filter for a series, optionally bounded to ``start <= t < end`` (epochs)."""
    prefix = series_prefix(symbol, interval)
    low = bar_id(symbol, interval, start) if start is not None else prefix
    high = bar_id(symbol, interval, end) if end is not None else prefix + "~"
    return {"$gte": low, "$lt": high}


def sync_id(symbol: str, interval: Interval) -> str:
    return f"{symbol}|{interval.value}"


def bar_to_doc(bar: Bar) -> dict[str, Any]:
    return {
        "_id": bar_id(bar.symbol, bar.interval, bar.epoch),
        "symbol": bar.symbol, "interval": bar.interval.value, "t": bar.time,
        "o": bar.open, "h": bar.high, "l": bar.low, "c": bar.close, "v": bar.volume,
    }


def doc_to_bar(doc: dict[str, Any]) -> Bar:
    time: datetime = doc["t"]
    if time.tzinfo is None:
        time = time.replace(tzinfo=UTC)
    return Bar.model_construct(
        symbol=doc["symbol"], interval=Interval(doc["interval"]), time=time.astimezone(UTC),
        open=doc["o"], high=doc["h"], low=doc["l"], close=doc["c"], volume=doc.get("v", 0.0),
    )


def same_values(doc: dict[str, Any], new: dict[str, Any]) -> bool:
    """True when a stored bar already holds the values of ``new``."""
    return all(doc.get(k) == new[k] for k in ("o", "h", "l", "c", "v"))
