"""Live quotes from TradingView's websocket: our own client over ``websockets`` (asyncio API).

One background task owns the connection: it waits for the server hello, sends the auth token,
creates a quote session and subscribes the watchlist, echoes every heartbeat, merges ``qsd``
updates into ticks, and reconnects (new session, full resubscribe) with exponential backoff
when the socket drops, the server sends ``protocol_error`` or nothing arrives within the
watchdog window. Events go through a queue, so a slow consumer never delays a heartbeat echo.
Protocol notes: docs/TRADINGVIEW_PROTOCOL.md.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator, Sequence
from typing import Literal

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidURI, WebSocketException
from websockets.typing import Origin
from websockets.uri import parse_uri

from tui_market.errors import ConfigError
from tui_market.infrastructure.interfaces import FeedState, FeedStatus, IQuoteStream, QuoteEvent
from tui_market.models import Tick
from tui_market.providers.tradingview import QUOTES_ORIGIN, WS_URL
from tui_market.providers.tradingview.backoff import Backoff
from tui_market.providers.tradingview.session import ConnectionLost, QuoteSession, StreamCounters

log = logging.getLogger(__name__)

DEFAULT_TOKEN = "unauthorized_user_token"
QUOTE_FIELDS = (
    "lp", "lp_time", "volume", "ch", "chp", "description", "short_name", "exchange", "type",
    "currency_code", "update_mode", "current_session", "prev_close_price", "open_price",
    "high_price", "low_price", "bid", "ask",
)  # fmt: skip


class TradingViewQuoteStream(IQuoteStream):
    """``IQuoteStream`` over TradingView's quote sessions; every timing is a parameter.

    ``watchdog``: seconds without any frame (heartbeats included), or without the hello after
    connecting, before the connection is dropped and re-made. ``backoff_*``: delay before
    retry n is ``initial * 2**(n-1)`` capped at ``cap``, +/- ``jitter``; the count restarts
    after a connection that stayed live ``stable_after`` seconds. ``counters`` holds totals.
    """

    name = "tradingview"

    def __init__(
        self,
        url: str = WS_URL,
        *,
        auth_token: str = DEFAULT_TOKEN,
        origin: str = QUOTES_ORIGIN,
        fields: Sequence[str] = QUOTE_FIELDS,
        watchdog: float = 30.0,
        open_timeout: float = 10.0,
        close_timeout: float = 2.0,
        backoff_initial: float = 0.5,
        backoff_cap: float = 30.0,
        backoff_jitter: float = 0.2,
        stable_after: float = 60.0,
        proxy: str | Literal[True] | None = True,
        rng: random.Random | None = None,
    ) -> None:
        try:
            parse_uri(url)
        except InvalidURI as exc:
            raise ConfigError(f"tv_ws_url: not a websocket URL: {url!r} ({exc})") from exc
        self.url = url
        self._origin = origin
        self._watchdog = watchdog
        self._open_timeout = open_timeout
        self._close_timeout = close_timeout
        self._stable_after = stable_after
        self._proxy = proxy  # True: the system's proxy settings; None: connect directly
        self._rng = rng or random.Random()
        self._backoff = Backoff(backoff_initial, backoff_cap, jitter=backoff_jitter, rng=self._rng)
        self.counters = StreamCounters()
        self._queue: asyncio.Queue[QuoteEvent] = asyncio.Queue()
        self._owed: float | None = None  # the oldest trade time queued since it was last empty
        self._session = QuoteSession(
            auth_token, tuple(fields), self._emit, self.counters, rng=self._rng
        )
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    # ---- IQuoteStream -----------------------------------------------------------------------
    async def set_symbols(self, symbols: set[str]) -> None:
        await self._session.set_symbols(set(symbols))

    async def events(self) -> AsyncIterator[QuoteEvent]:
        """The single consumer's event stream; ends after STOPPED (a closed stream: at once)."""
        if self._closed:
            yield FeedState(FeedStatus.STOPPED, detail="closed")
            return
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="tradingview-quotes")
        try:
            while True:
                if self._queue.empty():  # the consumer has taken every queued trade
                    self._owed = None
                event = await self._queue.get()
                yield event
                if isinstance(event, FeedState) and event.status is FeedStatus.STOPPED:
                    return
        finally:
            await self._stop_task()

    async def close(self) -> None:
        self._closed = True
        await self._stop_task()

    def settled(self) -> float:
        """The clock, held back to the oldest trade queued and not read yet. After a stalled
        loop the reader queues the socket's backlog one loop step before the consumer reads
        it, and the bar clock, due by then, runs in between."""
        now = self.clock()
        return now if self._owed is None else min(now, self._owed)

    # ---- connection loop --------------------------------------------------------------------
    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while True:
                self._emit(FeedState(FeedStatus.CONNECTING, attempt=self._backoff.attempt))
                try:
                    await self._connect_once()
                    reason = "connection ended"
                except ConnectionLost as exc:
                    reason = str(exc)
                except (WebSocketException, OSError, TimeoutError) as exc:
                    reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                live_since = self._session.live_since
                if live_since is not None and loop.time() - live_since >= self._stable_after:
                    self._backoff.reset()
                self._session.detach()
                delay = self._backoff.next_delay()
                self.counters.reconnects += 1
                attempt = self._backoff.attempt
                log.warning("TradingView quotes: %s; retry %d in %.2fs", reason, attempt, delay)
                self._emit(FeedState(FeedStatus.BACKING_OFF, attempt, delay, reason))
                await asyncio.sleep(delay)
        finally:
            self._session.detach()
            self._emit(FeedState(FeedStatus.STOPPED, detail="closed"))

    async def _connect_once(self) -> None:
        ws = await connect(
            self.url,
            origin=Origin(self._origin),
            open_timeout=self._open_timeout,
            close_timeout=self._close_timeout,
            ping_interval=None,  # like a browser; our watchdog watches the feed itself
            max_size=16 * 2**20,
            proxy=self._proxy,
        )
        log.info("TradingView quotes: connected to %s", self.url)
        try:
            await self._read_loop(ws)
        finally:
            await ws.close()  # a normal close (1000), also on reconnect and on close()

    async def _read_loop(self, ws: ClientConnection) -> None:
        loop = asyncio.get_running_loop()
        hello_by = loop.time() + self._watchdog
        while True:
            try:
                async with asyncio.timeout(self._watchdog):
                    data = await ws.recv()
            except TimeoutError:
                raise ConnectionLost(f"no frame for {self._watchdog:g}s (watchdog)") from None
            await self._session.on_message(ws, data, self.clock())
            if self._session.session_id is None and loop.time() > hello_by:
                raise ConnectionLost(f"no server hello within {self._watchdog:g}s")

    # ---- helpers ----------------------------------------------------------------------------
    def _emit(self, event: QuoteEvent) -> None:
        if isinstance(event, Tick) and (self._owed is None or event.ts < self._owed):
            self._owed = event.ts
        self._queue.put_nowait(event)

    async def _stop_task(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        self._closed = True
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise  # we are being cancelled ourselves: pass it on
