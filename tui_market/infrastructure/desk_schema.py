"""Desk mode's documents in MongoDB, shared by the handlers that write and read them.

``live``: one document per symbol (``_id`` = ``EXCHANGE:TICKER``), replaced by the ingester at
most ten times a second: the last price, the change reference, the market session and delay,
``forming`` (interval -> the forming bar) and ``closed`` (interval -> the bar that closed last).
``desk``: the ingester's heartbeat (``_id`` = ``HEARTBEAT_ID``), replaced every second.
``desk_jobs``: sync jobs requested by any terminal and run by whoever claims them.

Bars in these documents are ``{"t": open epoch, "o", "h", "l", "c", "v"}``. Reading refuses a
malformed document with ``ValueError`` (the caller logs it and skips it).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from tui_market.models import Bar, Interval
from tui_market.models.desk import Heartbeat
from tui_market.models.feed import FeedStatus
from tui_market.models.live import SymbolQuote

LIVE = "live"
DESK = "desk"
JOBS = "desk_jobs"
HEARTBEAT_ID = "ingester"
Doc = dict[str, Any]


def bar_doc(bar: Bar) -> Doc:
    return {
        "t": bar.epoch,
        "o": bar.open,
        "h": bar.high,
        "l": bar.low,
        "c": bar.close,
        "v": bar.volume,
    }


def doc_bar(symbol: str, interval: Interval, doc: Mapping[str, Any]) -> Bar:
    """A validated bar (pydantic's ``ValidationError`` is a ``ValueError``)."""
    try:
        return Bar.from_epoch(
            symbol, interval, doc["t"], doc["o"], doc["h"], doc["l"], doc["c"], doc.get("v", 0.0)
        )
    except (KeyError, TypeError) as exc:
        raise ValueError(f"malformed bar {doc!r}: {exc}") from exc


def live_doc(quote: SymbolQuote, closed: Mapping[Interval, Bar], owner: str) -> Doc:
    return {
        "_id": quote.symbol,
        "last": quote.last,
        "prev": quote.prev,
        "ref": quote.reference,
        "ts": quote.last_ts,
        "session": quote.session,
        "delay": quote.delay,
        "forming": {i.value: bar_doc(b) for i, b in quote.forming.items()},
        "closed": {i.value: bar_doc(b) for i, b in closed.items()},
        "owner": owner,
        "w": datetime.now(UTC),
    }


def _bars(symbol: str, raw: Any) -> dict[Interval, Bar]:
    if not isinstance(raw, Mapping):
        raise ValueError(f"{symbol}: bars are not a mapping")
    return {Interval(name): doc_bar(symbol, Interval(name), bar) for name, bar in raw.items()}


def read_live(doc: Mapping[str, Any]) -> tuple[SymbolQuote, list[Bar]]:
    """The quote (with its forming bars) and the just-closed bars of a ``live`` document."""
    try:
        symbol = str(doc["_id"])
        quote = SymbolQuote(
            symbol,
            last=_number(doc.get("last")),
            prev=_number(doc.get("prev")),
            reference=_number(doc.get("ref")),
            last_ts=_number(doc.get("ts")),
            forming=_bars(symbol, doc.get("forming", {})),
            session=doc.get("session"),
            delay=int(doc.get("delay") or 0),
        )
    except (KeyError, TypeError) as exc:
        raise ValueError(f"malformed live document: {exc}") from exc
    return quote, list(_bars(symbol, doc.get("closed", {})).values())


def _number(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"not a number: {value!r}")
    return float(value)


def heartbeat_doc(beat: Heartbeat) -> Doc:
    return {
        "_id": HEARTBEAT_ID,
        "owner": beat.owner,
        "feed": beat.feed.value if beat.feed is not None else None,
        "detail": beat.detail,
        "symbols": list(beat.symbols),
        "persist": [i.value for i in beat.persist],
        "stopped": beat.stopped,
        "w": datetime.now(UTC),
    }


def read_heartbeat(doc: Mapping[str, Any]) -> Heartbeat:
    try:
        feed = doc.get("feed")
        return Heartbeat(
            owner=str(doc["owner"]),
            feed=FeedStatus(feed) if feed is not None else None,
            detail=str(doc.get("detail", "")),
            symbols=tuple(str(s) for s in doc.get("symbols", ())),
            persist=tuple(Interval(i) for i in doc.get("persist", ())),
            stopped=bool(doc.get("stopped", False)),
        )
    except (KeyError, TypeError) as exc:
        raise ValueError(f"malformed heartbeat: {exc}") from exc


def written_age(doc: Mapping[str, Any], now: datetime) -> float:
    """Seconds since the document was written (its ``w``), by this machine's clock."""
    written = doc.get("w")
    if not isinstance(written, datetime):
        return float("inf")
    if written.tzinfo is None:
        written = written.replace(tzinfo=UTC)
    return max(0.0, (now - written).total_seconds())
