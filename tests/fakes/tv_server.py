"""A fake TradingView websocket server on 127.0.0.1 (port 0), speaking the protocol described
in docs/TRADINGVIEW_PROTOCOL.md, serving the real captured bars and quotes.

    async with FakeTradingViewServer(heartbeat_every=0.5) as server:
        client connects to server.url ...
        await server.push_quote("NASDAQ:NDX", 14530.0, 1686427900, volume=10.0)
        await server.wait_until(lambda: ...)

Faults: ``drop_after_frames``, ``drop_every``, ``frame_delay``, ``garbage_every`` (constructor
or attributes), ``silent`` (attribute: send nothing at all), ``drop_all()``,
``protocol_error()``, ``send_raw()``. Every connection is recorded in ``connections``
(``ClientConn``: ``received`` payloads, ``methods``, ``hb_sent``/``hb_echoed``, ``dropped``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from tests.fakes.tv_codec import FrameError, method, params, read_payload, split, to_json
from tests.fakes.tv_conn import ClientConn
from tests.fakes.tv_data import MarketData, load_market_data
from tests.fakes.tv_sessions import SessionLogic, symbol_of

log = logging.getLogger(__name__)


class FakeTradingViewServer:
    def __init__(
        self,
        market: MarketData | None = None,
        *,
        heartbeat_every: float = 10.0,
        echo_window: float | None = 5.0,
        heartbeat_at_connect: bool = False,
        send_hello: bool = True,
        bad_tokens: Iterable[str] = ("bad_token",),
        drop_after_frames: int | None = None,
        drop_every: float | None = None,
        frame_delay: float = 0.0,
        garbage_every: int | None = None,
        clock: Callable[[], float] = time.time,
        history_from_trades: bool = False,
    ) -> None:
        self.market = market or load_market_data()
        self.heartbeat_every, self.echo_window = heartbeat_every, echo_window
        self.send_hello, self.heartbeat_at_connect = send_hello, heartbeat_at_connect
        self.drop_after_frames, self.drop_every = drop_after_frames, drop_every
        self.frame_delay, self.garbage_every = frame_delay, garbage_every
        self.silent = False
        self.clock = clock
        self.history_from_trades = history_from_trades  # pushed trades become the history
        self.logic = SessionLogic(self.market, frozenset(bad_tokens), clock)
        self.connections: list[ClientConn] = []
        self.messages_sent = 0
        self.url = ""
        self._server: Server | None = None
        self._changed = asyncio.Event()

    async def __aenter__(self) -> FakeTradingViewServer:
        self._server = await serve(self._handler, "127.0.0.1", 0, max_size=None)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"ws://127.0.0.1:{port}/socket.io/websocket"
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    @property
    def live(self) -> list[ClientConn]:
        return [c for c in self.connections if not c.closed]

    # --- hooks -----------------------------------------------------------------------
    async def push_quote(
        self, symbol: str, lp: float, lp_time: int, volume: float | None = None, **extra: Any
    ) -> int:
        """A trade: update the symbol's quote and send a ``qsd`` delta to every subscriber.
        Returns how many quote sessions it was sent to."""
        sym = self.market.symbols[symbol]
        if self.history_from_trades:
            sym.trade(lp, lp_time, volume)
        delta = self.logic.quote_delta(sym, lp, lp_time, volume, extra)
        sent = 0
        for conn in self.live:
            for qs, sess in conn.state.quotes.items():
                for spec in sess.symbols:
                    view = sess.view(delta)
                    if symbol_of(spec) == symbol and view:
                        body = {"n": spec, "s": "ok", "v": view}
                        await self._send(conn, [to_json({"m": "qsd", "p": [qs, body]})])
                        sent += 1
        return sent

    async def play(
        self, ticks: Iterable[tuple[str, float, int, float | None]], every: float = 0.0
    ) -> None:
        """A scripted tick feed: ``(symbol, lp, lp_time, volume)`` pushed in order."""
        for symbol, lp, lp_time, volume in ticks:
            await self.push_quote(symbol, lp, lp_time, volume)
            if every:
                await asyncio.sleep(every)

    async def send_raw(self, text: str | bytes) -> None:
        """Send ``text`` as one websocket message to every live client (garbage, ...; bytes
        go as a binary message)."""
        for conn in self.live:
            with contextlib.suppress(ConnectionClosed):
                await conn.ws.send(text)

    async def protocol_error(self, reason: str = "wrong data") -> None:
        """Send ``protocol_error`` to every live client, then close its connection."""
        for conn in self.live:
            await self._send(conn, [to_json({"m": "protocol_error", "p": [reason]})])
            conn.outbox.put_nowait(f"protocol_error: {reason}")

    def drop_all(self, reason: str = "dropped by test") -> None:
        """Cut every live connection abruptly (no close frame), like a network failure."""
        for conn in self.live:
            conn.abort(reason)

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait until ``predicate()`` holds; re-checked on every client frame or (dis)connect."""
        async with asyncio.timeout(timeout):
            while not predicate():
                self._changed.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), 0.05)

    # --- connection --------------------------------------------------------------------
    async def _handler(self, ws: ServerConnection) -> None:
        conn = ClientConn(ws, len(self.connections))
        self.connections.append(conn)
        self._notify()
        if self.send_hello:
            await self._send(conn, [self.logic.hello(conn.index)])
        if self.heartbeat_at_connect:  # deterministic: before any reply
            await self._send(conn, ["~h~1"])
        tasks = [
            asyncio.create_task(conn.heartbeats(self, int(self.heartbeat_at_connect))),
            asyncio.create_task(conn.writer(self)),
        ]
        if self.drop_every:
            tasks.append(asyncio.create_task(conn.drop_later(self.drop_every)))
        try:
            async for message in ws:  # never blocked by slow replies: they go to the outbox
                self._on_message(conn, message if isinstance(message, str) else "")
        except ConnectionClosed as exc:
            log.info("fake TV: client %d closed: %s", conn.index, exc)
        finally:
            conn.closed = True
            for task in tasks:
                task.cancel()
            self._notify()

    def _on_message(self, conn: ClientConn, message: str) -> None:
        try:
            payloads = split(message)
        except FrameError as exc:
            log.warning("fake TV: undecodable client message: %s", exc)
            conn.malformed += 1
            return
        conn.malformed += payloads.bad
        for payload in payloads.payloads:
            conn.received.append(payload)
            try:
                msg = read_payload(payload)
            except FrameError as exc:
                log.warning("fake TV: bad client payload: %s", exc)
                conn.malformed += 1
                continue
            if isinstance(msg, int):
                conn.hb_echoed.append(msg)
                continue
            replies, close = self.logic.handle(conn.state, method(msg), params(msg))
            for reply in replies:
                conn.outbox.put_nowait(reply)
            if close:
                conn.outbox.put_nowait("protocol_error")
                break
        self._notify()

    async def _send(self, conn: ClientConn, payloads: list[str]) -> None:
        """Queue one websocket message (frames in order, after ``frame_delay``)."""
        if not (self.silent or conn.closed or conn.dropped):
            conn.outbox.put_nowait(payloads)

    def _notify(self) -> None:
        self._changed.set()
