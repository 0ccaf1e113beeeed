"""How documents look in MongoDB. Shared by the handlers that read and write them.

Bars live in ``bars``, one document per series per bucket (``bar_buckets``). Reads of a series
filter on ``symbol``, ``interval`` and the buckets' ``t`` and ride the ``SERIES_INDEX``; the
handlers that read series create it on first use (``SeriesIndex``); without it the same
filter gives the same answer, only by a scan.

``ohlcv`` is the layout before buckets (one document per bar, ``_id`` =
``SYMBOL|interval|open-epoch``): only ``MigrateBars`` reads it, to move a store to ``bars``.
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
OHLCV = "ohlcv"  # the layout before buckets: read by MigrateBars only
SYNC_STATE = "sync_state"
SETTINGS = "settings"  # the user's choices, one document each (chart indicators)
SERIES_INDEX = [("symbol", ASCENDING), ("interval", ASCENDING), ("t", ASCENDING)]
_EPOCH_WIDTH = 12
log = logging.getLogger(__name__)


def series_prefix(symbol: str, interval: Interval) -> str:
    return f"{symbol}|{interval.value}|"


def bar_id(symbol: str, interval: Interval, epoch: int) -> str:
    return f"{series_prefix(symbol, interval)}{epoch:0{_EPOCH_WIDTH}d}"


class SeriesIndex:
    """Creates ``SERIES_INDEX`` on ``bars`` the first time a handler reads a series.

    Idempotent on the server (an existing index costs one round trip), so each handler
    asks once. A failure is logged and asked again next time: reads stay correct without it.
    """

    def __init__(self, bars: AsyncCollection[dict[str, Any]]) -> None:
        self._bars = bars
        self._ready = False

    async def ensure(self) -> None:
        if self._ready:
            return
        try:
            await self._bars.create_index(SERIES_INDEX)  # default name: symbol_1_interval_1_t_1
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
