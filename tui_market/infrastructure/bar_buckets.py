"""How bars are stored: MongoDB's bucket pattern (what its time-series collections do inside).

``bars``: one document per series per bucket, a span of ``BUCKET_BARS`` bar lengths::

    {"_id": "NASDAQ:AAPL|1h|001699920000",   # series + the bucket's first second
     "symbol": "NASDAQ:AAPL", "interval": "1h",
     "t": datetime(bucket start, UTC),       # SERIES_INDEX: (symbol, interval, t)
     "n": 87,                                # bars held (kept by every write)
     "b": {"001699999200": [o, h, l, c, v], ...}}   # open epoch -> values

Why: the embedded server decodes, matches and re-encodes every document it touches in Python,
so cost follows the number of documents. A 5,000-bar series is ~50 documents instead of 5,000;
deleting a symbol deletes ~200 (figures in benchmarks/RESULTS.md). A bar is written in place
(``$set`` of ``b.<epoch>``, upserting its bucket), so a live bar never rewrites its neighbours
on the wire. ``b``'s keys are zero-padded epochs: they sort as times do, and a path component
that is a number names a field of an object (``b`` is never an array).

Buckets are cut on the epoch, not the session: any fixed partition works, and a session's
bars (14:30 UTC opens) fall in the bucket their open time does. ``BUCKET_BARS`` = 100 keeps a
bucket small enough that the live path's per-bar update (the server rewrites the bucket) stays
cheap, and big enough that reads and deletes touch 100x fewer documents.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from tui_market.models import Bar, Interval

BARS = "bars"
BUCKET_BARS = 100
_WIDTH = 12  # digits of an epoch key: string order is time order until year 33658
Doc = dict[str, Any]
Row = list[float]  # [open, high, low, close, volume]


def bucket_start(interval: Interval, epoch: int) -> int:
    span = interval.seconds * BUCKET_BARS
    return epoch - epoch % span


def bucket_id(symbol: str, interval: Interval, start: int) -> str:
    return f"{symbol}|{interval.value}|{start:0{_WIDTH}d}"


def bar_key(epoch: int) -> str:
    return f"{epoch:0{_WIDTH}d}"


def utc(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def bucket_filter(
    symbol: str, interval: Interval, start: int | None = None, stop: int | None = None
) -> dict[str, Any]:
    """The buckets that may hold bars of ``start <= t < stop`` (epochs; open bounds)."""
    query: dict[str, Any] = {"symbol": symbol, "interval": interval.value}
    bounds: dict[str, datetime] = {}
    if start is not None:
        bounds["$gte"] = utc(bucket_start(interval, start))
    if stop is not None:
        bounds["$lt"] = utc(stop)
    if bounds:
        query["t"] = bounds
    return query


def bucket_rows(doc: Mapping[str, Any]) -> dict[int, Row]:
    """A bucket's bars as open epoch -> row (unordered)."""
    held = doc.get("b") or {}
    return {int(key): row for key, row in held.items()}


def unpack(
    docs: Iterable[Mapping[str, Any]], start: int | None = None, stop: int | None = None
) -> list[Bar]:
    """The bars of ``docs`` (buckets of one series) in ``start <= t < stop``, oldest first."""
    bars: list[Bar] = []
    for doc in docs:
        interval = Interval(doc["interval"])
        for epoch, row in bucket_rows(doc).items():
            if (start is None or epoch >= start) and (stop is None or epoch < stop):
                bars.append(to_bar(doc["symbol"], interval, epoch, row))
    bars.sort(key=lambda bar: bar.time)
    return bars


async def newest(buckets: AsyncIterable[Doc], last: int) -> list[Doc]:
    """The first buckets of ``buckets`` (read newest first) that hold ``last`` bars between
    them: a long series' older buckets are never read."""
    docs, held = [], 0
    async for doc in buckets:
        docs.append(doc)
        held += len(doc.get("b") or ())
        if held >= last:
            break
    return docs


def batch_for(last: int) -> int:
    """A cursor batch that usually holds the buckets of ``last`` bars in one round trip."""
    return last // BUCKET_BARS + 2


def to_bar(symbol: str, interval: Interval, epoch: int, row: Row) -> Bar:
    o, h, low, c, v = row
    return Bar.model_construct(
        symbol=symbol,
        interval=interval,
        time=utc(epoch),
        open=o,
        high=h,
        low=low,
        close=c,
        volume=v if v is not None else 0.0,
    )


def row_of(bar: Bar) -> Row:
    return [bar.open, bar.high, bar.low, bar.close, bar.volume]


def changed_bars(change: Mapping[str, Any]) -> list[Bar]:
    """The bars a change event of ``bars`` wrote: an update's ``b.<epoch>`` fields, or every
    bar of an inserted or replaced bucket. Raises ``KeyError``/``ValueError``/``TypeError`` on
    a malformed document."""
    doc = change.get("fullDocument") or {}
    symbol, interval = doc["symbol"], Interval(doc["interval"])
    fields = (change.get("updateDescription") or {}).get("updatedFields")
    if change.get("operationType") != "update" or fields is None:
        return unpack([doc])
    out = []
    for path, row in fields.items():
        if path.startswith("b."):
            out.append(to_bar(symbol, interval, int(path[2:]), row))
        elif path == "b":  # the whole map set at once
            out.extend(to_bar(symbol, interval, int(k), r) for k, r in row.items())
    out.sort(key=lambda bar: bar.time)
    return out
