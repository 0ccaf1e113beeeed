"""How documents look in MongoDB. Shared by the handlers that read and write them.

``ohlcv``: one document per bar, ``_id`` = ``SYMBOL|interval|open-epoch`` (zero-padded so that
string order is time order). The key is the unique index on (symbol, interval, time).

Reads of a series' bars filter on ``symbol``, ``interval`` and a ``t`` range (``series_filter``)
and ride the ``SERIES_INDEX`` on those fields. Not on an ``_id`` range: the embedded server
answers every ``_id`` range with a scan of the whole collection (only exact ``_id`` lookups use
its ``_id`` index), so 10 bars of one series cost what all series' bars do (figures in
benchmarks/RESULTS.md). The handlers that read series create
the index on first use (``SeriesIndex``); without it the same filter gives the same answer,
only by a scan.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import PyMongoError

from tui_market.models import Bar, Interval

SYMBOLS = "symbols"
OHLCV = "ohlcv"
SYNC_STATE = "sync_state"
SETTINGS = "settings"  # the user's choices, one document each (chart indicators)
SERIES_INDEX = [("symbol", ASCENDING), ("interval", ASCENDING), ("t", ASCENDING)]
_EPOCH_WIDTH = 12
log = logging.getLogger(__name__)


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


def series_filter(
    symbol: str, interval: Interval, start: int | None = None, end: int | None = None
) -> dict[str, Any]:
    """A filter for a series' bars, optionally bounded to ``start <= t < end`` (epochs)."""
    query: dict[str, Any] = {"symbol": symbol, "interval": interval.value}
    bounds: dict[str, datetime] = {}
    if start is not None:
        bounds["$gte"] = datetime.fromtimestamp(start, UTC)
    if end is not None:
        bounds["$lt"] = datetime.fromtimestamp(end, UTC)
    if bounds:
        query["t"] = bounds
    return query


class SeriesIndex:
    """Creates ``SERIES_INDEX`` on ``ohlcv`` the first time a handler reads a series.

    Idempotent on the server (an existing index costs one round trip), so each handler
    asks once. A failure is logged and asked again next time: reads stay correct without it.
    """

    def __init__(self, ohlcv: AsyncCollection[dict[str, Any]]) -> None:
        self._ohlcv = ohlcv
        self._ready = False

    async def ensure(self) -> None:
        if self._ready:
            return
        try:
            await self._ohlcv.create_index(SERIES_INDEX)  # default name: symbol_1_interval_1_t_1
        except PyMongoError as exc:
            log.error("cannot create the series index (series reads will scan): %s", exc)
            return
        self._ready = True


def indicators_id(chart: str) -> str:
    """The ``settings`` document of one chart's indicators."""
    return f"indicators:{chart}"


def sync_id(symbol: str, interval: Interval) -> str:
    return f"{symbol}|{interval.value}"


def bar_to_doc(bar: Bar) -> dict[str, Any]:
    return {
        "_id": bar_id(bar.symbol, bar.interval, bar.epoch),
        "symbol": bar.symbol,
        "interval": bar.interval.value,
        "t": bar.time,
        "o": bar.open,
        "h": bar.high,
        "l": bar.low,
        "c": bar.close,
        "v": bar.volume,
    }


def doc_to_bar(doc: dict[str, Any]) -> Bar:
    time: datetime = doc["t"]
    if time.tzinfo is None:
        time = time.replace(tzinfo=UTC)
    return Bar.model_construct(
        symbol=doc["symbol"],
        interval=Interval(doc["interval"]),
        time=time.astimezone(UTC),
        open=doc["o"],
        high=doc["h"],
        low=doc["l"],
        close=doc["c"],
        volume=doc.get("v", 0.0),
    )


def same_values(doc: dict[str, Any], new: dict[str, Any]) -> bool:
    """True when a stored bar already holds the values of ``new``."""
    return all(doc.get(k) == new[k] for k in ("o", "h", "l", "c", "v"))
