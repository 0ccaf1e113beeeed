"""A TradingView quote session on a socket: subscribe, echo heartbeats, ``qsd`` -> events.

``QuoteSession`` outlives connections: it keeps the wanted symbol set and the merged quote
state, so after a reconnect it subscribes everything again under a new ``qs_`` id and the
snapshot the server re-sends yields no duplicate tick for an unchanged price/time/volume.
"""

from __future__ import annotations

import asyncio
import logging
import random
import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from tui_market.errors import ProtocolError
from tui_market.infrastructure.interfaces import FeedState, FeedStatus, QuoteEvent
from tui_market.models import Tick
from tui_market.providers.tradingview.protocol import (
    Heartbeat,
    decode_frames,
    encode_frame,
    encode_message,
    is_hello,
    method_of,
    params_of,
    parse_payload,
)
from tui_market.providers.tradingview.quote_state import MalformedQuote, QuoteBook

log = logging.getLogger(__name__)
_ID_CHARS = string.ascii_lowercase + string.digits


@dataclass
class StreamCounters:
    """Running totals since the stream was made (for the health line and for tests)."""

    frames: int = 0  # well-formed frames received (heartbeats included)
    heartbeats: int = 0  # heartbeats echoed
    ticks: int = 0  # ticks emitted
    malformed: int = 0  # frames, payloads or quote fields skipped as unusable
    symbol_errors: int = 0  # per-symbol refusals emitted
    sessions: int = 0  # times the feed went live (hello answered, symbols subscribed)
    reconnects: int = 0  # times a connection was lost or refused and a retry was scheduled


class ConnectionLost(Exception):
    """The connection must be dropped and re-established (watchdog, ``protocol_error``)."""


class QuoteSession:
    """Subscription state and message handling; the stream owns the socket's lifetime."""

    def __init__(
        self,
        auth_token: str,
        fields: tuple[str, ...],
        emit: Callable[[QuoteEvent], None],
        counters: StreamCounters,
        *,
        rng: random.Random,
    ) -> None:
        self._token = auth_token
        self._fields = fields
        self._emit = emit
        self._counters = counters
        self._rng = rng
        self._book = QuoteBook()
        self._symbols: set[str] = set()
        self._subscribed: set[str] = set()
        self._ws: ClientConnection | None = None
        self.session_id: str | None = None
        self.live_since: float | None = None  # loop time when the current connection went live
        self._lock = asyncio.Lock()

    def detach(self) -> None:
        """The socket is gone: forget the session (the quote state and symbols stay)."""
        self._ws, self.session_id, self.live_since = None, None, None
        self._subscribed = set()

    async def set_symbols(self, symbols: set[str]) -> None:
        async with self._lock:
            for gone in self._symbols - symbols:
                self._book.forget(gone)
            self._symbols = set(symbols)
            ws, sid = self._ws, self.session_id
            if ws is None or sid is None:
                return  # subscribed when the next connection goes live
            add, remove = sorted(symbols - self._subscribed), sorted(self._subscribed - symbols)
            try:
                if add:
                    await ws.send(encode_message("quote_add_symbols", [sid, *add]))
                    self._subscribed.update(add)
                for symbol in remove:
                    await ws.send(encode_message("quote_remove_symbols", [sid, symbol]))
                    self._subscribed.discard(symbol)
            except ConnectionClosed as exc:
                log.info(
                    "TradingView quotes: subscription change not sent (%s); "
                    "everything is resubscribed on reconnect",
                    exc,
                )

    async def on_message(self, ws: ClientConnection, data: str | bytes, received: float) -> None:
        """Handle one websocket message (one or more frames)."""
        try:
            payloads = decode_frames(data)  # type: ignore[arg-type]  # bytes -> ProtocolError
        except ProtocolError as exc:
            log.warning("TradingView quotes: message skipped: %s", exc)
            self._counters.malformed += 1
            return
        self._counters.malformed += payloads.malformed
        for payload in payloads:
            self._counters.frames += 1
            try:
                msg = parse_payload(payload)
            except ProtocolError as exc:
                log.warning("TradingView quotes: frame skipped: %s", exc)
                self._counters.malformed += 1
                continue
            if isinstance(msg, Heartbeat):
                await ws.send(encode_frame(payload))  # the identical frame back
                self._counters.heartbeats += 1
            elif is_hello(msg):
                await self._subscribe(ws)
            else:
                self._dispatch(msg, received)

    async def _subscribe(self, ws: ClientConnection) -> None:
        async with self._lock:
            if self.session_id is not None:
                log.warning("TradingView quotes: second hello on one connection ignored")
                return
            sid = "qs_" + "".join(self._rng.choices(_ID_CHARS, k=12))
            symbols = sorted(self._symbols)
            await ws.send(encode_message("set_auth_token", [self._token]))
            await ws.send(encode_message("quote_create_session", [sid]))
            await ws.send(encode_message("quote_set_fields", [sid, *self._fields]))
            if symbols:
                await ws.send(encode_message("quote_add_symbols", [sid, *symbols]))
            self._ws, self.session_id, self._subscribed = ws, sid, set(symbols)
        self.live_since = asyncio.get_running_loop().time()
        self._counters.sessions += 1
        log.info("TradingView quotes: live, session %s, %d symbol(s)", sid, len(symbols))
        self._emit(FeedState(FeedStatus.LIVE, detail=f"{len(symbols)} symbols"))

    def _dispatch(self, msg: dict[str, Any], received: float) -> None:
        method, params = method_of(msg), params_of(msg)
        if method == "qsd":
            self._on_qsd(params, received)
        elif method == "protocol_error":
            raise ConnectionLost(f"protocol_error from server: {params[0] if params else '?'}")
        elif method == "critical_error":
            log.warning("TradingView quotes: critical_error %s", params)
        else:
            log.debug("TradingView quotes: %s ignored", method)

    def _on_qsd(self, params: list[Any], received: float) -> None:
        if len(params) < 2:
            log.warning("TradingView quotes: qsd without a body skipped: %r", params)
            self._counters.malformed += 1
            return
        body = params[1]
        if params[0] != self.session_id or (
            isinstance(body, dict)
            and isinstance(body.get("n"), str)
            and body["n"] not in self._symbols
        ):
            return  # an old session's or an unsubscribed symbol's late update
        rejected = self._book.rejected_fields
        try:
            event = self._book.apply(body, received)
        except MalformedQuote as exc:
            log.warning("TradingView quotes: qsd skipped: %s", exc)
            self._counters.malformed += 1
            return
        finally:
            self._counters.malformed += self._book.rejected_fields - rejected
        name = body.get("n") if isinstance(body, dict) else None
        info = self._book.info(name) if isinstance(name, str) else None
        if info is not None:
            self._emit(info)
        if event is None:
            return
        if isinstance(event, Tick):
            self._counters.ticks += 1
        else:
            log.warning("TradingView quotes: %s refused: %s", event.symbol, event.message)
            self._counters.symbol_errors += 1
        self._emit(event)
