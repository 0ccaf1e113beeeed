"""TradingViewQuoteStream against the fake TradingView server (real websockets on 127.0.0.1)."""

from __future__ import annotations

import asyncio
import json
import logging
import random
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest

from tests.fakes.tv_server import FakeTradingViewServer
from tests.fakes.tv_sessions import ClientConn
from tui_market.infrastructure.interfaces import FeedState, FeedStatus, QuoteEvent, SymbolError
from tui_market.models import Tick
from tui_market.models.feed import QuoteInfo
from tui_market.providers.tradingview.quotes import TradingViewQuoteStream

BTC, AAPL, TSLA = "BITSTAMP:BTCUSD", "NASDAQ:AAPL", "NASDAQ:TSLA"
# the captured snapshots the fake serves first
BTC_SNAPSHOT = Tick(BTC, 1686475585.0, 25753.0, 275.62184705)
AAPL_SNAPSHOT = Tick(AAPL, 1686355199.0, 180.96, 48899973.0)
TSLA_SNAPSHOT = Tick(TSLA, 1686355199.0, 244.4, 200242371.0)


class Collector:
    """Consumes ``events()`` in a task, as the live service does."""

    def __init__(self, stream: TradingViewQuoteStream) -> None:
        self.stream = stream
        self.events: list[QuoteEvent] = []
        self.task = asyncio.create_task(self._consume())

    async def _consume(self) -> None:
        async for event in self.stream.events():
            self.events.append(event)

    def ticks(self, symbol: str | None = None) -> list[Tick]:
        return [e for e in self.events if isinstance(e, Tick) and symbol in (None, e.symbol)]

    def states(self, status: FeedStatus | None = None) -> list[FeedState]:
        return [e for e in self.events if isinstance(e, FeedState) and status in (None, e.status)]

    async def wait(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        async with asyncio.timeout(timeout):
            while not predicate():
                await asyncio.sleep(0.01)

    async def live(self, n: int = 1) -> None:
        await self.reach(FeedStatus.LIVE, n)

    async def reach(self, status: FeedStatus, n: int = 1) -> None:
        await self.wait(lambda: len(self.states(status)) >= n)


@asynccontextmanager
async def running(url: str, symbols: set[str], **kw: Any) -> AsyncIterator[Collector]:
    options: dict[str, Any] = {
        "watchdog": 2.0, "backoff_initial": 0.05, "backoff_cap": 0.2, "backoff_jitter": 0.2,
        "close_timeout": 1.0, "proxy": None, "rng": random.Random(3),
    }  # fmt: skip
    stream = TradingViewQuoteStream(url, **(options | kw))
    await stream.set_symbols(symbols)
    collector = Collector(stream)
    try:
        yield collector
    finally:
        await stream.close()
        await asyncio.wait_for(collector.task, 10)


def sent(conn: ClientConn, method: str) -> list[list[Any]]:
    """The params of every ``method`` message the client sent on ``conn``."""
    out = []
    for payload in conn.received:
        if payload.startswith("{"):
            msg = json.loads(payload)
            if msg.get("m") == method:
                out.append(msg["p"])
    return out


# A heartbeat's echo is due within this many seconds: a margin for a loaded machine (the
# fake's heartbeats keep their own cadence, whatever the window).
ECHO_WINDOW = 2.0


def fake(**kw: Any) -> FakeTradingViewServer:
    return FakeTradingViewServer(**({"heartbeat_every": 0.25, "echo_window": 1.0} | kw))


async def test_handshake_then_ticks_in_order_with_prices_and_volumes() -> None:
    async with fake() as server, running(server.url, {BTC, AAPL}) as feed:
        await feed.live()
        conn = server.connections[0]
        await server.wait_until(lambda: len(sent(conn, "quote_add_symbols")) == 1)
        assert conn.methods[:4] == [
            "set_auth_token", "quote_create_session", "quote_set_fields", "quote_add_symbols",
        ]  # fmt: skip
        assert sent(conn, "set_auth_token") == [["unauthorized_user_token"]]
        (qs,) = sent(conn, "quote_create_session")[0]
        assert qs.startswith("qs_") and len(qs) == 15
        fields = sent(conn, "quote_set_fields")[0]
        assert fields[0] == qs and {"lp", "lp_time", "volume", "ch", "chp"} <= set(fields)
        assert sent(conn, "quote_add_symbols") == [[qs, BTC, AAPL]]
        await feed.wait(lambda: len(feed.ticks()) == 2)
        assert set(feed.ticks()) == {BTC_SNAPSHOT, AAPL_SNAPSHOT}

        script = [(BTC, 25760.0 + i, 1686475600 + i, 276.0 + i) for i in range(10)]
        script += [(AAPL, 181.0, 1686355300, 48900000.0)]
        await server.play(script)
        await server.push_quote(AAPL, 181.0, 1686355300, 48900000.0, bid=180.9)  # no trade
        await server.push_quote(AAPL, 181.5, 1686355301, 48900100.0)
        await feed.wait(lambda: len(feed.ticks(AAPL)) == 3)
        assert feed.ticks(BTC)[1:] == [Tick(s, t, p, v) for s, p, t, v in script[:10]]
        assert feed.ticks(AAPL)[1:] == [
            Tick(AAPL, 1686355300.0, 181.0, 48900000.0),
            Tick(AAPL, 1686355301.0, 181.5, 48900100.0),
        ]
        assert feed.stream.counters.ticks == 14
        assert feed.stream.counters.malformed == 0
        origin = conn.ws.request.headers["Origin"] if conn.ws.request else None
        assert origin == "https://www.tradingview.com"
    assert feed.events[-1] == FeedState(FeedStatus.STOPPED, detail="closed")
    assert [s.status for s in feed.states()] == [
        FeedStatus.CONNECTING, FeedStatus.LIVE, FeedStatus.STOPPED,
    ]  # fmt: skip


async def test_add_and_remove_symbols_while_running() -> None:
    async with fake() as server, running(server.url, {BTC}) as feed:
        await feed.wait(lambda: len(feed.ticks(BTC)) == 1)
        conn = server.connections[0]
        qs = sent(conn, "quote_create_session")[0][0]
        await feed.stream.set_symbols({BTC, AAPL})
        await feed.wait(lambda: feed.ticks(AAPL) == [AAPL_SNAPSHOT])
        assert sent(conn, "quote_add_symbols") == [[qs, BTC], [qs, AAPL]]

        await feed.stream.set_symbols({AAPL})
        await server.wait_until(lambda: len(sent(conn, "quote_remove_symbols")) == 1)
        assert sent(conn, "quote_remove_symbols") == [[qs, BTC]]
        assert await server.push_quote(BTC, 26000.0, 1686475700, 300.0) == 0
        await server.push_quote(AAPL, 182.0, 1686355400, 48900200.0)
        await feed.wait(lambda: len(feed.ticks(AAPL)) == 2)
        assert feed.ticks(BTC) == [BTC_SNAPSHOT]
        assert len(server.connections) == 1


async def test_heartbeats_are_echoed_and_keep_the_connection() -> None:
    server = fake(heartbeat_every=0.1, echo_window=ECHO_WINDOW)
    async with server, running(server.url, {BTC}) as feed:
        await feed.live()
        conn = server.connections[0]
        await server.wait_until(lambda: len(conn.hb_sent) >= 12, timeout=15)
        await server.wait_until(lambda: conn.hb_echoed[:12] == list(range(1, 13)))
        assert conn.dropped is None and not conn.closed
        assert len(server.connections) == 1
        assert [p for p in conn.received if p.startswith("~h~")][:3] == ["~h~1", "~h~2", "~h~3"]
        assert feed.stream.counters.heartbeats >= 12
        assert feed.stream.counters.reconnects == 0


async def test_symbol_error_leaves_other_symbols_flowing() -> None:
    async with fake() as server, running(server.url, {BTC, "NOPE:XYZ"}) as feed:
        await feed.wait(lambda: any(isinstance(e, SymbolError) for e in feed.events))
        errors = [e for e in feed.events if isinstance(e, SymbolError)]
        assert errors == [SymbolError("NOPE:XYZ", "error: invalid symbol")]
        await server.push_quote(BTC, 25800.0, 1686475700, 280.0)
        await feed.wait(lambda: len(feed.ticks(BTC)) == 2)
        assert feed.ticks(BTC)[-1] == Tick(BTC, 1686475700.0, 25800.0, 280.0)
        assert feed.ticks("NOPE:XYZ") == []
        assert feed.stream.counters.symbol_errors == 1
        assert feed.states()[-1].status is FeedStatus.LIVE


async def test_protocol_error_reconnects_and_resubscribes() -> None:
    async with fake() as server, running(server.url, {BTC, AAPL}) as feed:
        await feed.wait(lambda: len(feed.ticks()) == 2)
        await server.protocol_error("wrong data")
        await feed.live(2)
        backing_off = feed.states(FeedStatus.BACKING_OFF)
        assert len(backing_off) == 1 and "protocol_error" in backing_off[0].detail
        assert backing_off[0].attempt == 1 and backing_off[0].retry_in is not None
        first, second = server.connections[0], server.connections[1]
        await server.wait_until(lambda: len(sent(second, "quote_add_symbols")) == 1)
        qs1 = sent(first, "quote_create_session")[0][0]
        qs2 = sent(second, "quote_create_session")[0][0]
        assert qs1 != qs2
        assert sent(second, "set_auth_token") == [["unauthorized_user_token"]]
        assert sent(second, "quote_add_symbols") == [[qs2, BTC, AAPL]]
        await server.push_quote(BTC, 25900.0, 1686475800, 290.0)
        await feed.wait(lambda: len(feed.ticks(BTC)) == 2)
        # the re-sent snapshots did not repeat the unchanged quotes
        assert feed.ticks() == [*feed.ticks()[:2], Tick(BTC, 1686475800.0, 25900.0, 290.0)]
        assert feed.stream.counters.reconnects == 1
        assert feed.stream.counters.sessions == 2


async def test_garbage_frames_are_skipped_and_counted() -> None:
    async with fake(garbage_every=2) as server, running(server.url, {BTC}) as feed:
        await feed.live()
        await server.send_raw("this is not a frame at all")
        for i in range(6):
            await server.push_quote(BTC, 25800.0 + i, 1686475700 + i, 280.0 + i)
        await feed.wait(lambda: len(feed.ticks(BTC)) == 7)
        assert [t.price for t in feed.ticks(BTC)[1:]] == [25800.0 + i for i in range(6)]
        assert feed.stream.counters.malformed >= 4
        assert len(server.connections) == 1
        assert feed.stream.counters.reconnects == 0


async def test_silent_server_trips_the_watchdog_and_the_stream_recovers() -> None:
    async with fake() as server, running(server.url, {BTC}, watchdog=1.5) as feed:
        await feed.live()
        server.silent = True
        await feed.wait(lambda: len(feed.states(FeedStatus.BACKING_OFF)) >= 1)
        assert "watchdog" in feed.states(FeedStatus.BACKING_OFF)[0].detail
        server.silent = False
        await feed.live(2)
        await server.push_quote(BTC, 25850.0, 1686475750, 285.0)
        await feed.wait(lambda: feed.ticks(BTC)[-1].price == 25850.0)
        assert len(feed.ticks(BTC)) == 2  # snapshot once, then the new trade


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_server_down_backs_off_with_growing_delays() -> None:
    url = f"ws://127.0.0.1:{free_port()}/socket.io/websocket"
    async with running(url, {BTC}, backoff_jitter=0.0, backoff_initial=0.02) as feed:
        await feed.wait(lambda: len(feed.states(FeedStatus.BACKING_OFF)) >= 5)
    waits = feed.states(FeedStatus.BACKING_OFF)[:5]
    assert [s.attempt for s in waits] == [1, 2, 3, 4, 5]
    assert [s.retry_in for s in waits] == pytest.approx([0.02, 0.04, 0.08, 0.16, 0.2])
    assert all(s.detail for s in waits)
    connecting = feed.states(FeedStatus.CONNECTING)
    assert [s.attempt for s in connecting[:3]] == [0, 1, 2]
    assert feed.states()[-1].status is FeedStatus.STOPPED
    assert not feed.ticks()


async def test_close_leaves_no_task_and_logs_no_error(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    before = asyncio.all_tasks()
    async with fake() as server:
        stream = TradingViewQuoteStream(server.url, proxy=None, watchdog=2.0)
        await stream.set_symbols({BTC})
        collector = Collector(stream)
        await collector.live()
        await stream.close()
        await asyncio.wait_for(collector.task, 5)
        await server.wait_until(lambda: server.connections[0].closed)
        assert server.connections[0].dropped is None  # a clean close, not an abort
    assert collector.events[-1].status is FeedStatus.STOPPED  # type: ignore[union-attr]
    assert asyncio.all_tasks() - before == set()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    events: list[QuoteEvent] = [e async for e in stream.events()]  # closed: just STOPPED
    assert events == [FeedState(FeedStatus.STOPPED, detail="closed")]


async def test_drops_every_second_reconnect_resubscribe_and_no_duplicate_ticks() -> None:
    # TSLA never trades: the snapshot re-sent on every reconnect must not repeat its tick
    async with fake(drop_every=1.0) as server, running(server.url, {BTC, AAPL, TSLA}) as feed:
        await feed.live()
        pushed: list[Tick] = []
        loop = asyncio.get_running_loop()
        end, i = loop.time() + 15.0, 0
        while loop.time() < end:
            i += 1
            symbol = BTC if i % 2 else AAPL
            base = BTC_SNAPSHOT if symbol == BTC else AAPL_SNAPSHOT
            tick = Tick(symbol, base.ts + i, base.price + i / 100, (base.volume or 0) + i)
            await server.push_quote(symbol, tick.price, int(tick.ts), tick.volume)
            pushed.append(tick)
            await asyncio.sleep(0.02)
        server.drop_every = None
        last = {t.symbol: t for t in pushed}
        await feed.wait(lambda: {s: feed.ticks(s)[-1] for s in last} == last, timeout=15)

        counters = feed.stream.counters
        assert counters.reconnects >= 10
        assert len(feed.states(FeedStatus.LIVE)) == counters.sessions >= 11
        sessions = set()
        for conn in server.connections:
            if sent(conn, "quote_create_session"):
                (qs,) = sent(conn, "quote_create_session")[0]
                sessions.add(qs)
                assert sent(conn, "quote_add_symbols")[0] == [qs, BTC, AAPL, TSLA]
        assert len(sessions) == counters.sessions
        known = set(pushed) | {BTC_SNAPSHOT, AAPL_SNAPSHOT}
        for symbol in (BTC, AAPL):
            ticks = feed.ticks(symbol)
            assert set(ticks) <= known
            times = [t.ts for t in ticks]
            assert times == sorted(set(times))  # in order, never the same quote twice
        assert feed.ticks(TSLA) == [TSLA_SNAPSHOT]
        print(
            f"\nreconnects={counters.reconnects} sessions={counters.sessions} "
            f"ticks={counters.ticks} pushed={len(pushed)} frames={counters.frames}"
        )


async def test_backoff_count_restarts_after_a_stable_connection() -> None:
    async with fake() as server, running(server.url, {BTC}, stable_after=0.3) as feed:
        for n in (1, 2, 3):
            await feed.live(n)
            await asyncio.sleep(0.4)  # stay up past stable_after
            server.drop_all()
            await feed.reach(FeedStatus.BACKING_OFF, n)
        assert [s.attempt for s in feed.states(FeedStatus.BACKING_OFF)] == [1, 1, 1]
    async with fake() as server, running(server.url, {BTC}, stable_after=60.0) as feed:
        for n in (1, 2, 3):
            await feed.live(n)
            server.drop_all()
            await feed.reach(FeedStatus.BACKING_OFF, n)
        assert [s.attempt for s in feed.states(FeedStatus.BACKING_OFF)] == [1, 2, 3]


async def test_a_slow_consumer_does_not_delay_heartbeat_echoes() -> None:
    server = fake(heartbeat_every=0.1, echo_window=ECHO_WINDOW)
    async with server:
        stream = TradingViewQuoteStream(server.url, proxy=None, watchdog=2.0)
        await stream.set_symbols({BTC})
        events = stream.events()
        assert (await anext(events)).status is FeedStatus.CONNECTING  # type: ignore[union-attr]
        # the consumer now stalls (a long backfill, say) while the server checks echoes
        await server.wait_until(lambda: len(server.connections) == 1)
        conn = server.connections[0]
        await server.wait_until(lambda: len(conn.hb_echoed) >= 8, timeout=15)
        assert conn.dropped is None and len(server.connections) == 1
        await server.push_quote(BTC, 25801.0, 1686475701, 281.0)
        rest = []
        async for event in events:
            rest.append(event)
            if event == Tick(BTC, 1686475701.0, 25801.0, 281.0):
                await stream.close()
        assert rest[0] == FeedState(FeedStatus.LIVE, detail="1 symbols")
        # the snapshot's facts first: previous close lp - ch (25753 + 104), session, no delay
        prev = QuoteInfo(BTC, 25857.0, "market", 0)
        assert rest[1:4] == [prev, BTC_SNAPSHOT, Tick(BTC, 1686475701.0, 25801.0, 281.0)]
        assert rest[-1].status is FeedStatus.STOPPED  # type: ignore[union-attr]


async def test_a_refused_token_backs_off_with_the_servers_reason() -> None:
    async with fake() as server, running(server.url, {BTC}, auth_token="bad_token") as feed:
        await feed.wait(lambda: len(feed.states(FeedStatus.BACKING_OFF)) >= 2)
        assert "bad auth token" in feed.states(FeedStatus.BACKING_OFF)[0].detail
        assert sent(server.connections[0], "set_auth_token") == [["bad_token"]]
        assert not feed.ticks()


async def test_the_snapshot_gives_the_previous_close_and_the_delay() -> None:
    """NASDAQ:NDX's snapshot as TradingView sends it: ``prev_close_price`` and the capture's
    ``delayed_streaming_900`` (its data is 15 minutes late), out of session."""
    async with fake() as server, running(server.url, {"NASDAQ:NDX"}) as feed:
        await feed.wait(lambda: any(isinstance(e, QuoteInfo) for e in feed.events))
    (info,) = [e for e in feed.events if isinstance(e, QuoteInfo)]
    assert info == QuoteInfo("NASDAQ:NDX", 14484.5405, "out_of_session", 900)
