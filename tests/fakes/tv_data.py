"""Market data for the fake TradingView server, from the real captures in tests/data/tradingview.

Series map (see that folder's README): sds_2 NASDAQ:NDX (1 min), sds_7 SP:SPX (daily),
sds_6 TVC:RUT (1 min) are certain; sds_5 DJ:DJI, sds_3 TVC:VIX and sds_4 TVC:DXY (1 min) are
*likely* (matched by price level only). Quote snapshots are the captured ``qsd`` values;
symbols without one get a snapshot built from their last bar. Every snapshot carries
``prev_close_price`` (``lp - ch`` where the capture has no such field), as TradingView sends it.

Metadata as TradingView sends it: ``symbol_resolved`` is the capture's for SP:SPX and TVC:RUT;
the other US exchange symbols get the capture's New York session fields (SP:SPX's ``session``,
``timezone``, ``session_holidays``), crypto stays 24x7. Each series' ``update_mode`` is the one
its captured ``series_completed`` carries (NASDAQ:NDX and TVC:VIX: ``delayed_streaming_900``).
History bars coarser than the rows are stamped as TradingView stamps them (``tv_bars``).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from tests.fakes import tv_codec
from tests.fakes.tv_bars import Row, aggregate, resolution_seconds

CAPTURE = Path(__file__).resolve().parents[1] / "data" / "tradingview" / "socket_messages.txt"
SERIES_SYMBOLS = {
    "sds_2": "NASDAQ:NDX",
    "sds_7": "SP:SPX",
    "sds_6": "TVC:RUT",
    "sds_5": "DJ:DJI",
    "sds_3": "TVC:VIX",
    "sds_4": "TVC:DXY",
}
LIKELY = frozenset({"DJ:DJI", "TVC:VIX", "TVC:DXY"})
US_SESSION = frozenset({"NASDAQ:NDX", "DJ:DJI", "NASDAQ:AAPL", "NASDAQ:TSLA", "TVC:VIX"})
SESSION_FIELDS = ("session", "timezone", "session_holidays")


@dataclass
class Symbol:
    name: str
    rows: list[Row]
    seconds: int  # native resolution of ``rows``
    info: dict[str, Any]
    quote: dict[str, Any]
    likely: bool = False
    update_mode: str = "streaming"  # what ``series_completed`` says about its history
    traded: bool = False  # the server pushed trades of it: they are its history now
    last_volume: float | None = None

    def trade(self, price: float, at: int, volume: float | None) -> None:
        """A trade the server pushed, added to its 1m history as TradingView's history holds
        every trade: a bar's volume is the change of the cumulative volume over its trades
        (the first trade adding none, a drop starting a new session)."""
        if not self.traded:
            self.traded, self.rows, self.seconds = True, [], 60
        before, self.last_volume = self.last_volume, volume
        traded = 0.0 if before is None or volume is None else volume - before
        if traded < 0 and volume is not None:
            traded = volume
        t = at // 60 * 60
        last = self.rows[-1] if self.rows else None
        if last is not None and last[0] == t:
            last[2], last[3], last[4] = max(last[2], price), min(last[3], price), price
            last[5] += traded
        else:
            self.rows.append([t, price, price, price, price, traded])

    def bars(self, resolution: str, count: int) -> list[Row] | None:
        """The last ``count`` bars at ``resolution``; None if the resolution is invalid."""
        seconds = resolution_seconds(resolution)
        if seconds is None:
            return None
        rows = self.rows if seconds <= self.seconds else aggregate(self.rows, seconds, self.info)
        return [list(r) for r in rows[-max(count, 1) :]]


@dataclass
class MarketData:
    symbols: dict[str, Symbol] = field(default_factory=dict)

    def get(self, name: str) -> Symbol | None:
        return self.symbols.get(name)

    def set_bars(self, name: str, rows: list[Row], seconds: int = 60) -> Symbol:
        """Add or replace a symbol's bars (tests use this for garbage rows)."""
        sym = self.symbols.get(name)
        if sym is None:
            sym = Symbol(name, rows, seconds, _info(name), {})
            self.symbols[name] = sym
        sym.rows, sym.seconds = rows, seconds
        if not sym.quote:
            sym.quote = _quote_from_bars(name, rows)
        return sym


def load_market_data() -> MarketData:
    """A fresh, mutable copy of the captured market (cheap: the parse is cached)."""
    return copy.deepcopy(_parsed())


@cache
def _parsed() -> MarketData:
    rows: dict[str, list[Row]] = {}
    infos: dict[str, dict[str, Any]] = {}
    quotes: dict[str, dict[str, Any]] = {}
    modes: dict[str, str] = {}
    for payload in tv_codec.split(CAPTURE.read_text(encoding="ascii")).payloads:
        msg = tv_codec.read_payload(payload)
        if not isinstance(msg, dict):
            continue
        method, p = tv_codec.method(msg), tv_codec.params(msg)
        if method == "timescale_update":
            for sid, series in p[1].items():
                rows[SERIES_SYMBOLS[sid]] = [bar["v"] for bar in series["s"]]
        elif method == "symbol_resolved":
            infos[p[2]["pro_name"]] = p[2]
        elif method == "qsd":
            quotes[p[1]["n"]] = p[1]["v"]
        elif method == "series_completed":
            modes[SERIES_SYMBOLS[p[1]]] = p[2]
    us_session = {k: infos["SP:SPX"][k] for k in SESSION_FIELDS}
    market = MarketData()
    for name, bars in rows.items():
        seconds = 86_400 if name == "SP:SPX" else 60
        quote = quotes.get(name) or _quote_from_bars(name, bars)
        info = infos.get(name) or _info(name, us_session if name in US_SESSION else {})
        market.symbols[name] = Symbol(
            name, bars, seconds, info, _with_prev_close(quote), likely=name in LIKELY
        )
        held = market.symbols[name]
        held.update_mode = modes.get(name, "streaming")
        if name not in quotes and held.quote:  # a quote made from bars: its series' mode
            held.quote["update_mode"] = held.update_mode
    for name, quote in quotes.items():  # quote-only symbols (BTCUSD, AAPL, TSLA)
        if name not in market.symbols:
            info = _info(name, us_session if name in US_SESSION else {})
            market.symbols[name] = Symbol(name, [], 60, info, _with_prev_close(quote))
    return market


def _with_prev_close(quote: dict[str, Any]) -> dict[str, Any]:
    """The snapshot with TradingView's ``prev_close_price``: the capture's, else ``lp - ch``."""
    lp, ch = quote.get("lp"), quote.get("ch")
    if (
        "prev_close_price" not in quote
        and isinstance(lp, float | int)
        and isinstance(ch, float | int)
    ):
        quote["prev_close_price"] = round(float(lp) - float(ch), 6)
    return quote


def _info(name: str, session: dict[str, Any] | None = None) -> dict[str, Any]:
    exchange, _, ticker = name.partition(":")
    return {
        "name": ticker,
        "full_name": name,
        "pro_name": name,
        "description": ticker,
        "exchange": exchange,
        "type": "index",
        "session": "24x7",
        "timezone": "Etc/UTC",
        "pricescale": 100,
        "minmov": 1,
        "has_intraday": True,
        "currency_code": "USD",
        **(session or {}),
    }


def _quote_from_bars(name: str, rows: list[Row]) -> dict[str, Any]:
    ends = (*rows[0][:5], *rows[-1][:5]) if rows else ()
    if len(ends) < 10 or not all(
        isinstance(x, float) or (isinstance(x, int) and abs(x) < 2**63) for x in ends
    ):  # (an int past a double's range: garbage)
        return {}  # no bars, or garbage a test put there (short rows too)
    last, first = rows[-1], rows[0]
    if not math.isfinite(last[0]):
        return {}  # a last trade at no time (inf, nan): nothing to quote
    exchange, _, ticker = name.partition(":")
    ch = round(float(last[4]) - float(first[1]), 6)
    return {
        "lp": last[4],
        "lp_time": int(last[0]),
        "ch": ch,
        "chp": round(ch / float(first[1]) * 100, 2) if first[1] else 0.0,
        "volume": sum(r[5] for r in rows if len(r) > 5 and isinstance(r[5], int | float)),
        "update_mode": "streaming",
        "short_name": ticker,
        "pro_name": name,
        "exchange": exchange,
        "description": ticker,
        "type": "index",
    }
