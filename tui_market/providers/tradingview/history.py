"""TradingViewProvider: history through tvDatafeed (blocking, so it runs in a worker thread
with a deadline), validated into UTC ``Bar``s.

Errors: an unknown symbol -> ``SymbolNotFound``; no connection, a dropped socket or no answer
in time -> ``ProviderUnavailable``; anything else -> ``ProviderError``. Rows that fail
validation (NaN, non-positive prices, high < low, bad times) are logged, counted in
``last_rejected`` and never returned. Login is optional (``tv_auth.TokenSource``): the token
is cached in a 0600 file between runs and a refused cached token means one new login and one
retry; the password is never logged or stored.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from tvDatafeed import Interval as TvInterval

from tui_market.errors import ProviderError, ProviderUnavailable, SymbolNotFound
from tui_market.infrastructure.interfaces import IDataProvider
from tui_market.managers.bar_align import realign
from tui_market.managers.session_clock import UTC_CLOCK, BarClock, clock_for
from tui_market.models import Bar, Interval
from tui_market.models.symbol_info import InvalidSymbolInfo, SymbolInfo
from tui_market.providers.tradingview import WS_URL
from tui_market.providers.tradingview.auth import TokenSource, token_refused
from tui_market.providers.tradingview.daemon_thread import in_daemon_thread
from tui_market.providers.tradingview.feed import FetchReport, WatchedFeed
from tui_market.providers.tradingview.token_cache import TokenCache

log = logging.getLogger(__name__)


def to_utc(stamp: Any) -> datetime:
    """A tvDatafeed index value as a UTC datetime. Naive values are local wall time (older
    tvDatafeed used ``datetime.fromtimestamp``); aware ones are converted."""
    value: datetime = stamp.to_pydatetime() if hasattr(stamp, "to_pydatetime") else stamp
    if not isinstance(value, datetime):
        raise TypeError(f"not a timestamp: {stamp!r}")
    if value.tzinfo is None:
        value = value.astimezone()  # interpret as local time (honours fold in a DST overlap)
    return value.astimezone(UTC)


def bar_open(stamp: Any, interval: Interval) -> datetime:
    """The bar's open in UTC as TradingView stamps it: intraday bars on the session grid, daily
    and longer ones at the session open (SP:SPX: 14:30 UTC). ``realign`` puts them on the
    symbol's ``BarClock`` afterwards, the one BarManager uses for live bars."""
    del interval
    return to_utc(stamp)


def frame_to_bars(frame: Any, symbol: str, interval: Interval) -> tuple[list[Bar], int]:
    """Valid bars (oldest first, one per time) and how many rows were rejected."""
    by_time: dict[datetime, Bar] = {}
    rejected = 0
    for stamp, row in zip(frame.index, frame.itertuples(index=False), strict=True):
        try:
            volume = float(row.volume)
            when = bar_open(stamp, interval)
            bar = Bar(
                symbol=symbol,
                interval=interval,
                time=when,
                open=row.open,
                high=row.high,
                low=row.low,
                close=row.close,
                volume=0.0 if math.isnan(volume) else volume,
            )
        except ValidationError as exc:
            rejected += 1
            why = "; ".join(str(e["msg"]) for e in exc.errors())
            log.warning("%s %s: rejected bar at %s: %s", symbol, interval.value, stamp, why)
            continue
        except (ValueError, TypeError, OverflowError, AttributeError) as exc:
            rejected += 1
            log.warning("%s %s: rejected bar at %s: %r", symbol, interval.value, stamp, exc)
            continue
        if bar.time in by_time:
            rejected += 1
            log.warning(
                "%s %s: duplicate bar at %s (kept the later one)", symbol, interval.value, bar.time
            )
        by_time[bar.time] = bar
    return [by_time[t] for t in sorted(by_time)], rejected


class TradingViewProvider(IDataProvider):
    name = "tradingview"

    def __init__(
        self,
        username: str | None = None,
        password: str | None = None,
        *,
        ws_url: str = WS_URL,
        timeout: float = 30.0,
        signin_url: str | None = None,
        search_url: str | None = None,
        token_cache: TokenCache | None = None,
    ) -> None:
        self.ws_url = ws_url
        self._http = {
            k: v for k, v in (("sign_in_url", signin_url), ("search_url", search_url)) if v
        }
        self.timeout = timeout
        self.last_rejected = 0  # rows rejected by the most recent fetch_ohlcv
        self._raw: dict[str, dict[str, Any]] = {}  # symbol_resolved (+ update_mode) per symbol
        self._metadata: dict[str, SymbolInfo] = {}
        self._auth = TokenSource(username, password, self._sign_in, token_cache or TokenCache())

    def __repr__(self) -> str:
        return f"TradingViewProvider(ws_url={self.ws_url!r}, auth={self._auth!r})"

    def _sign_in(self, username: str, password: str) -> str:
        feed = WatchedFeed(self.ws_url, None, time.monotonic() + self.timeout, self._http)
        return feed._login_and_get_token(username, password)

    async def fetch_ohlcv(
        self, symbol: str, exchange: str, interval: Interval, n_bars: int
    ) -> list[Bar]:
        full = symbol if ":" in symbol else f"{exchange}:{symbol}"
        token = await self._auth.token()
        frame, report = await self._get_hist(full, exchange, interval, n_bars, token)
        if frame is None and token is not None and token_refused(report.protocol_error):
            token = await self._auth.refused(token)
            if token is not None:
                frame, report = await self._get_hist(full, exchange, interval, n_bars, token)
        if frame is None:
            raise self._explain(full, report)
        self._auth.accepted(token)
        bars, self.last_rejected = frame_to_bars(frame, full, interval)
        clock = self._clock(full, report)
        if clock is not UTC_CLOCK or interval.seconds >= Interval.D1.seconds:
            bars = realign(bars, clock)  # intraday UTC bars are taken as TradingView stamps them
        if self.last_rejected:
            log.warning(
                "%s %s: rejected %d of %d rows from TradingView",
                full,
                interval.value,
                self.last_rejected,
                len(frame),
            )
        return bars[-n_bars:] if n_bars > 0 else bars

    async def _get_hist(
        self, full: str, exchange: str, interval: Interval, n_bars: int, token: str | None
    ) -> tuple[Any, FetchReport]:
        """tvDatafeed's frame (None when it got none) and what the socket saw."""
        feed = WatchedFeed(self.ws_url, token, time.monotonic() + self.timeout, self._http)
        tv_interval = TvInterval[interval.tvdatafeed_name]
        try:
            frame = await asyncio.wait_for(
                in_daemon_thread(feed.get_hist, full, exchange, tv_interval, n_bars),
                self.timeout + 5.0,
            )
        except TimeoutError as exc:
            log.error("%s: tvDatafeed did not return within %.0f s", full, self.timeout)
            raise ProviderUnavailable(
                f"{full}: TradingView did not answer within {self.timeout:.0f} s"
            ) from exc
        except (ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
            log.error("%s: tvDatafeed failed: %r", full, exc)
            raise ProviderError(f"{full}: TradingView history failed ({exc})") from exc
        return frame, feed.report

    def _explain(self, full: str, r: FetchReport) -> ProviderError:
        """Our error for a fetch that gave no data, from what the socket saw."""
        if r.connect_error:
            err: ProviderError = ProviderUnavailable(
                f"{full}: cannot reach TradingView ({r.connect_error}); check your connection"
            )
        elif r.symbol_error or (r.series_error == "resolve error"):
            err = SymbolNotFound(f"{full}: unknown symbol on TradingView")
        elif r.protocol_error:
            err = ProviderError(f"{full}: TradingView refused the connection ({r.protocol_error})")
        elif r.critical_error or r.series_error:
            err = ProviderError(
                f"{full}: TradingView refused the request ({r.critical_error or r.series_error})"
            )
        elif r.timed_out:
            err = ProviderUnavailable(
                f"{full}: TradingView did not answer within {self.timeout:.0f} s"
            )
        elif r.closed:
            err = ProviderUnavailable(f"{full}: TradingView closed the connection; try again")
        elif r.completed:
            err = ProviderError(f"{full}: TradingView sent history that could not be read")
        else:
            err = SymbolNotFound(f"{full}: unknown symbol on TradingView")
        log.warning("%s", err)
        return err

    def _clock(self, full: str, report: FetchReport) -> BarClock:
        """The bar clock from the metadata that came with the fetch (kept for
        ``symbol_metadata``); UTC buckets when there was none or it is unusable."""
        if report.resolved is None:
            return clock_for(self._metadata.get(full))
        raw = {**report.resolved, "update_mode": report.update_mode or ""}
        try:
            info = SymbolInfo.from_provider(raw)
        except InvalidSymbolInfo as exc:
            log.warning("%s: unusable symbol_resolved (%s); UTC bars", full, exc)
            return clock_for(None)
        self._raw[full] = raw
        self._metadata[full] = info
        return clock_for(info)

    async def symbol_metadata(self, symbol: str) -> Mapping[str, Any] | None:
        """``symbol_resolved`` of the last fetch of ``symbol``; one daily bar is fetched to get
        it when there was none."""
        if symbol not in self._raw:
            exchange, _, ticker = symbol.partition(":")
            await self.fetch_ohlcv(ticker, exchange, Interval.D1, 1)
        return self._raw.get(symbol)

    async def search(self, text: str) -> list[tuple[str, str]]:
        """TradingView symbol search (an HTTP call); offline or failing -> []."""
        feed = WatchedFeed(self.ws_url, None, time.monotonic() + self.timeout, self._http)
        try:
            found = await asyncio.wait_for(in_daemon_thread(feed.search_symbol, text), self.timeout)
        except TimeoutError:
            log.warning("%s", ProviderUnavailable(f"symbol search for {text!r} timed out"))
            return []
        if not found:
            log.warning(
                "%s",
                ProviderUnavailable(
                    f"symbol search for {text!r} returned nothing (offline or no match)"
                ),
            )
            return []
        out: list[tuple[str, str]] = []
        for item in found:
            if isinstance(item, dict) and item.get("symbol") and item.get("exchange"):
                out.append(
                    (f"{item['exchange']}:{item['symbol']}", str(item.get("description", "")))
                )
        return out

    async def close(self) -> None:
        return None  # one socket per fetch; nothing held open
