"""The fake server's own codec (tests/fakes/tv_codec.py) and the app's codec agree on real
captured payloads with non-ASCII text, both ways, and the fake serves such a payload end to end
to the real client. Frame lengths count characters: a codec counting UTF-8 bytes fails here."""

from __future__ import annotations

import asyncio
import json
import random
from pathlib import Path
from typing import Any

import pytest

from tests.fakes import tv_codec
from tests.fakes.tv_data import Symbol, load_market_data
from tests.fakes.tv_server import FakeTradingViewServer
from tui_market.models import Tick
from tui_market.providers.tradingview.protocol import (
    decode_frames,
    encode_frame,
    heartbeat,
    parse_payload,
)
from tui_market.providers.tradingview.quotes import TradingViewQuoteStream

DATA = Path(__file__).parent / "data" / "tradingview" / "nonascii_frames.json"
FIXTURE = json.loads(DATA.read_text(encoding="utf-8"))
PAYLOADS: list[str] = [r["payload"] for k in ("captured", "repaired") for r in FIXTURE[k]]
IDS = [f"{k}-{r['method']}" for k in ("captured", "repaired") for r in FIXTURE[k]]
VCB = "HOSE:VCB"
VIET = "NGÂN HÀNG TMCP NGOẠI THƯƠNG VIỆT NAM"


def test_the_fixture_holds_real_non_ascii_payloads() -> None:
    assert len(PAYLOADS) == 4
    for p in PAYLOADS:
        assert not p.isascii() and len(p.encode("utf-8")) > len(p)
        assert "HOSE:VCB" in p
    assert all(VIET in r["payload"] for r in FIXTURE["repaired"])


@pytest.mark.parametrize("payload", PAYLOADS, ids=IDS)
def test_fake_encodes_app_decodes(payload: str) -> None:
    message = tv_codec.frames([payload, tv_codec.beat(7), payload])
    # the fake frames exactly as the app does: same length, in characters
    assert message == encode_frame(payload) + heartbeat(7) + encode_frame(payload)
    decoded = decode_frames(message)
    assert list(decoded) == [payload, "~h~7", payload] and decoded.malformed == 0
    assert parse_payload(decoded[0]) == json.loads(payload)


@pytest.mark.parametrize("payload", PAYLOADS, ids=IDS)
def test_app_encodes_fake_decodes(payload: str) -> None:
    message = encode_frame(payload) + heartbeat(3) + encode_frame(payload)
    got = tv_codec.split(message)
    assert got.payloads == [payload, "~h~3", payload] and got.bad == 0
    assert tv_codec.read_payload(got.payloads[0]) == json.loads(payload)
    assert tv_codec.read_payload(got.payloads[1]) == 3
    # alone in its message too (the frame runs to the end of the message)
    assert tv_codec.split(encode_frame(payload)).payloads == [payload]


def test_fake_decoder_rejects_a_length_in_bytes() -> None:
    """The fake is strict: a frame whose length counts UTF-8 bytes is not a frame."""
    payload = FIXTURE["repaired"][0]["payload"]
    by_bytes = f"~m~{len(payload.encode('utf-8'))}~m~{payload}"
    with pytest.raises(tv_codec.FrameError):
        tv_codec.split(by_bytes)
    got = tv_codec.split(by_bytes + heartbeat(1))
    assert got.payloads == ["~h~1"] and got.bad == 1


def _client_qsd(payload: str, qs: str) -> str:
    """The captured qsd payload addressed to the client: only its quote session id and its
    symbol spec (captured in the ``={...}`` resolve form) are replaced, as raw text."""
    captured = json.loads(payload)
    old_qs, old_n = captured["p"][0], captured["p"][1]["n"]
    raw = payload.replace(json.dumps(old_qs), json.dumps(qs), 1)
    return raw.replace(json.dumps(old_n, ensure_ascii=False), json.dumps(VCB), 1)


async def test_fake_serves_a_raw_non_ascii_qsd_to_the_real_client() -> None:
    (row,) = [r for r in FIXTURE["repaired"] if r["method"] == "qsd"]
    v = json.loads(row["payload"])["p"][1]["v"]
    market = load_market_data()
    # VCB is known to the fake, with no trade yet: its snapshot makes no tick.
    market.symbols[VCB] = Symbol(VCB, [], 60, {}, {"description": v["description"]})
    server = FakeTradingViewServer(market, heartbeat_every=0.25, echo_window=1.0)
    async with server:
        stream = TradingViewQuoteStream(
            server.url, watchdog=2.0, backoff_initial=0.05, backoff_cap=0.2,
            backoff_jitter=0.2, close_timeout=1.0, proxy=None, rng=random.Random(3),
        )  # fmt: skip
        await stream.set_symbols({VCB})
        events: list[Any] = []

        async def consume() -> None:
            async for event in stream.events():
                events.append(event)

        task = asyncio.create_task(consume())
        try:
            await server.wait_until(lambda: _added(server), timeout=10)
            conn = server.connections[0]
            qs = next(json.loads(p)["p"][0] for p in conn.received if '"quote_create_session"' in p)
            payload = _client_qsd(row["payload"], qs)
            assert VIET in payload and len(payload.encode("utf-8")) > len(payload)
            wire = tv_codec.frame(payload)
            assert wire == encode_frame(payload)  # the frame the real server would send
            await server.send_raw(wire)
            async with asyncio.timeout(10):
                while not any(isinstance(e, Tick) for e in events):
                    await asyncio.sleep(0.01)
            ticks = [e for e in events if isinstance(e, Tick)]
            assert ticks == [Tick(VCB, float(v["lp_time"]), v["lp"], v["volume"])]
            assert ticks[0] == Tick(VCB, 1750837517.0, 56600.0, 2833088.0)
            assert stream.counters.malformed == 0
        finally:
            await stream.close()
            await asyncio.wait_for(task, 10)


def _added(server: FakeTradingViewServer) -> bool:
    return bool(server.connections) and "quote_add_symbols" in server.connections[0].methods
