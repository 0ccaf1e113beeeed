"""Fuzz: 10,000 hypothesis-made malformed websocket messages into the real quote client.

Every message goes over a real socket from the fake TradingView server to a live
``TradingViewQuoteStream``: garbage text, bad lengths, truncated frames, bytes, bad JSON, and
JSON of the right kind (``qsd`` for the live session and a subscribed symbol, ``du``,
``critical_error``, heartbeats) with wrong shapes and unusable values (NaN, huge, negative,
text, 400-digit integers). After each batch a valid quote is pushed; it must arrive as the
only new tick, on the same connection (nothing escaped the client, no reconnect); at the end
the malformed counter holds at least half the messages sent.
"""

from __future__ import annotations

import asyncio
import json
import math
import random
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fakes.tv_server import FakeTradingViewServer
from tui_market.errors import ProtocolError
from tui_market.infrastructure.interfaces import FeedState, FeedStatus, QuoteEvent
from tui_market.models import Tick
from tui_market.providers.tradingview.protocol import (
    decode_frames,
    dumps,
    encode_frame,
    parse_payload,
)
from tui_market.providers.tradingview.quote_state import QuoteBook
from tui_market.providers.tradingview.quotes import TradingViewQuoteStream

BTC, AAPL = "BITSTAMP:BTCUSD", "NASDAQ:AAPL"
SID = "$SID"  # replaced by the live quote session's id when the message is sent
BATCHES, PER_BATCH = 450, 5  # 2,250 payloads -> ~10,350 messages (a raw one goes once)

text = st.text(max_size=24)
framing_text = st.text(alphabet='~mh0123456789{}[]":,qsdnvlp_', max_size=60)
json_scalar = st.none() | st.booleans() | st.integers() | st.floats() | text
json_any = st.recursive(
    json_scalar,
    lambda c: st.lists(c, max_size=4) | st.dictionaries(text, c, max_size=3),
    max_leaves=4,
)
bad_number = st.sampled_from([math.nan, math.inf, -math.inf, 0, -0.0, -1, 10**400]) | (
    st.floats(max_value=-1e-9) | st.booleans() | text | st.lists(st.integers(), max_size=2)
)
bad_value = {
    "lp": bad_number | st.floats(min_value=1e15, allow_infinity=False),
    "lp_time": bad_number | st.floats(min_value=4_102_444_800.0, allow_infinity=False),
    "volume": st.sampled_from([math.nan, -5, 10**400]) | st.floats(max_value=-1e-9) | text,
}
not_quote = json_any.filter(  # a random object never carries a usable quote field
    lambda v: not (isinstance(v, dict) and {"lp", "lp_time", "volume"} & v.keys())
)


@st.composite
def bad_fields(draw: st.DrawFn) -> dict[str, Any]:
    """A ``qsd`` ``v`` with one to three unusable quote fields, perhaps other fields too."""
    keys = draw(st.sets(st.sampled_from(sorted(bad_value)), min_size=1))
    extra = draw(st.dictionaries(st.sampled_from(["bid", "ch", "description"]), json_any))
    return {**extra, **{key: draw(bad_value[key]) for key in keys}}


deep_qsd = st.builds(  # reaches the quote book: the live session, a subscribed symbol
    lambda n, v: {"m": "qsd", "p": [SID, {"n": n, "s": "ok", "v": v}]},
    st.sampled_from([BTC, AAPL]),
    bad_fields(),
)
odd_qsd = st.builds(
    lambda sid, body, more: {"m": "qsd", "p": [sid, body, *more]},
    st.sampled_from([SID, "qs_other"]) | json_any,
    json_any
    | st.fixed_dictionaries(
        {
            "n": st.sampled_from([BTC, AAPL]) | json_any,
            "s": st.sampled_from(["ok", "error"]) | json_any,
            "v": not_quote | bad_fields(),
        }
    ),
    st.lists(json_any, max_size=2),
)
other_json = st.one_of(
    st.builds(lambda p: {"m": "qsd", "p": p}, json_any),
    st.builds(
        lambda m, p: {"m": m, "p": p},
        st.sampled_from(
            ["du", "critical_error", "quote_completed", "timescale_update", "series_error"]
        )
        | text,
        json_any,
    ),
    st.dictionaries(text, json_any, max_size=3),  # no "m": an object, or a second hello
)
not_json = st.one_of(
    text | framing_text,
    st.sampled_from(["[1,2]", '"qsd"', "null", "{", '{"m":', "[" * 3000, "~h~-1", "~h~1.5"]),
    text.map(lambda t: "~h~" + t),
    st.integers(19, 6000).map(lambda n: "~h~" + "7" * n),  # a heartbeat no int can hold
    st.integers(0, 10**6).map(lambda n: f"~h~{n}"),  # a valid heartbeat, echoed
)
any_payload = st.one_of(
    deep_qsd.map(lambda m: ("json", m)),
    odd_qsd.map(lambda m: ("json", m)),
    other_json.map(lambda m: ("json", m)),
    not_json.map(lambda t: ("text", t)),
)


FRAMINGS = ("ok", "long", "short", "cut", "junk")  # each drawn payload is sent in all five


@st.composite
def payload(draw: st.DrawFn) -> tuple[str, Any]:
    """``("raw", text | bytes)`` (one message) or a ``("json" | "text", payload)`` sent in
    each of ``FRAMINGS``. Weighted so that most reach the deeper layers: 40% bad quotes."""
    roll = draw(st.integers(0, 99))
    if roll < 40:
        return "json", draw(deep_qsd)
    if roll < 65:
        return "json", draw(odd_qsd | other_json)
    if roll < 90:
        return "text", draw(not_json)
    return "raw", draw(text | framing_text | st.binary(max_size=80))


def render(item: tuple[str, Any], sid: str) -> list[str | bytes]:
    """The websocket messages for one drawn payload (five framings, or the raw message)."""
    how, content = item
    if how == "raw":
        return [content]
    if how == "json":
        if isinstance(content.get("p"), list) and content["p"][:1] == [SID]:
            content = {**content, "p": [sid, *content["p"][1:]]}
        content = dumps(content)
    n = 1 + len(content) % 7
    out: list[str | bytes] = []
    for framing in FRAMINGS:
        size = len(content) + {"long": n, "short": -min(n, len(content))}.get(framing, 0)
        frame = f"~m~{size}~m~{content}"
        out.append(
            frame[:-n] if framing == "cut" else "junk"[:n] + frame if framing == "junk" else frame
        )
    return out


@dataclass
class Rig:
    """The fake server and a live client stream on one loop; the stream is rebuilt if an
    example broke it (so that hypothesis shrinks each failure on its own)."""

    server: FakeTradingViewServer = field(
        default_factory=lambda: FakeTradingViewServer(heartbeat_every=3600.0, echo_window=None)
    )
    stream: TradingViewQuoteStream | None = None
    ticks: list[Tick] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    sent = 0  # messages pushed through
    marker = 0
    task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.stream = TradingViewQuoteStream(
            self.server.url,
            watchdog=3600.0,
            proxy=None,
            rng=random.Random(5),
            backoff_initial=0.01,
            backoff_cap=0.05,
        )
        await self.stream.set_symbols({BTC, AAPL})
        self.ticks, live = [], asyncio.Event()
        self.task = asyncio.create_task(self._consume(self.stream, live))
        async with asyncio.timeout(10):
            await live.wait()
            while len(self.ticks) < 2:  # the two snapshots
                await self._next()
        self.ticks.clear()

    async def _consume(self, stream: TradingViewQuoteStream, live: asyncio.Event) -> None:
        async for event in stream.events():
            self._on(event, live)

    def _on(self, event: QuoteEvent, live: asyncio.Event) -> None:
        if isinstance(event, Tick):
            self.ticks.append(event)
            self.arrived.set()
        elif isinstance(event, FeedState) and event.status is FeedStatus.LIVE:
            live.set()

    async def _next(self) -> None:
        self.arrived.clear()
        await self.arrived.wait()

    async def stop(self) -> None:
        if self.stream is not None:
            await self.stream.close()
        if self.task is not None:
            await asyncio.wait_for(self.task, 10)

    def healthy(self) -> bool:
        s = self.stream
        return bool(s and self.task and not self.task.done() and s.counters.reconnects == 0)

    async def feed(self, batch: list[tuple[str, Any]]) -> None:
        if not self.healthy():  # a previous example broke it: start each example healthy
            await self.stop()
            await self.start()
        assert self.stream is not None
        sid = next(iter(self.server.live[-1].state.quotes))
        self.ticks.clear()
        for item in batch:
            for msg in render(item, sid):
                await self.server.send_raw(msg)
                self.sent += 1
        self.marker += 1
        n = self.marker
        want = Tick(BTC, 1_700_000_000.0 + n, 30_000.0 + n, 500.0 + n)
        await self.server.push_quote(BTC, want.price, int(want.ts), want.volume)
        async with asyncio.timeout(5):
            while want not in self.ticks and self.healthy():
                await self._next()
        assert self.healthy(), "the client reconnected or stopped on a malformed message"
        garbage = [tick for tick in self.ticks if tick != want]
        assert not garbage, f"garbage made {len(garbage)} tick(s), e.g. {garbage[0]}"
        assert want in self.ticks


def test_ten_thousand_malformed_messages_over_a_real_socket() -> None:
    loop = asyncio.new_event_loop()
    rig = Rig()

    async def setup() -> None:
        await rig.server.__aenter__()
        await rig.start()

    loop.run_until_complete(setup())
    try:

        @settings(
            max_examples=BATCHES,
            deadline=None,
            derandomize=False,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        @given(st.lists(payload(), min_size=PER_BATCH, max_size=PER_BATCH))
        def check(batch: list[tuple[str, Any]]) -> None:
            loop.run_until_complete(rig.feed(batch))

        check()
        assert rig.sent >= 10_000
        assert rig.stream is not None and rig.stream.counters.sessions == 1
        assert rig.stream.counters.malformed >= rig.sent // 2
    finally:
        loop.run_until_complete(rig.stop())
        loop.run_until_complete(rig.server.__aexit__(None, None, None))
        loop.close()


def test_render_frames_each_payload_five_ways() -> None:
    """The "ok" framing really is a valid frame, the others are broken (the fuzz is sound)."""
    item = ("json", {"m": "qsd", "p": [SID, {"n": BTC}]})
    ok, long, short, cut, junk = render(item, "qs_x")
    payload_text = json.dumps({"m": "qsd", "p": ["qs_x", {"n": BTC}]}, separators=(",", ":"))
    assert ok == encode_frame(payload_text)
    assert decode_frames(str(junk)) == [payload_text]  # resynced after the junk
    for broken in (long, short, cut):
        with pytest.raises(ProtocolError):
            decode_frames(str(broken))


@pytest.mark.parametrize(
    "values",
    [
        {"lp": 10**400},
        {"lp": 1e15},
        {"lp": 180.0, "lp_time": 10**400},
        {"lp": 180.0, "lp_time": 1e20},
        {"lp": 180.0, "volume": 10**400},
    ],
)
def test_what_the_fuzz_found_quotes_beyond_any_real_value_are_dropped(
    values: dict[str, Any],
) -> None:
    """Found by the fuzz: a 400-digit integer raised OverflowError out of the client (the
    stream task died); a year-5138 lp_time crashed the bar manager; a 1e300 price was saved."""
    book = QuoteBook()
    event = book.apply({"n": BTC, "s": "ok", "v": values}, 1.0)
    if event is not None:  # the usable price alone, at the receive time
        assert event == Tick(BTC, 1.0, 180.0, None)
    assert book.rejected_fields == 1


def test_what_the_fuzz_found_a_heartbeat_no_int_can_hold_is_malformed() -> None:
    with pytest.raises(ProtocolError, match="bad heartbeat"):
        parse_payload("~h~" + "7" * 5000)  # int() refuses over 4300 digits: ValueError before
