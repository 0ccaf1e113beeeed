"""The fake TradingView server behaves as the protocol notes say (raw websockets client)."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.fakes.tv_data import load_market_data
from tests.fakes.tv_server import FakeTradingViewServer
from tui_market.providers.tradingview.protocol import (
    decode_frames,
    encode_frame,
    encode_message,
    is_hello,
    method_of,
    params_of,
    parse_payload,
)

RESOLVE = '={"symbol":"%s","adjustment":"splits","session":"regular"}'


async def read(ws: ClientConnection, until: str, echo: bool = True) -> list[dict[str, Any]]:
    """Messages up to and including the first whose method is ``until``; echoes heartbeats."""
    out: list[dict[str, Any]] = []
    while True:
        for payload in decode_frames(str(await ws.recv())):
            msg = parse_payload(payload)
            if not isinstance(msg, dict):
                if echo:
                    await ws.send(encode_frame(payload))
                continue
            out.append(msg)
            if method_of(msg) == until or (until == "hello" and is_hello(msg)):
                return out


async def chart(ws: ClientConnection, cs: str, symbol: str, res: str, n: int) -> None:
    await ws.send(
        encode_message("chart_create_session", [cs, ""])
        + encode_message("resolve_symbol", [cs, "symbol_1", RESOLVE % symbol])
        + encode_message("create_series", [cs, "s1", "s1", "symbol_1", res, n])
    )


async def test_hello_then_real_bars_in_tvdatafeeds_compact_form() -> None:
    market = load_market_data()
    async with FakeTradingViewServer(market) as server, connect(server.url) as ws:
        assert is_hello((await read(ws, "hello"))[0])
        await ws.send(encode_message("set_auth_token", ["unauthorized_user_token"]))
        await chart(ws, "cs_aaaaaaaaaaaa", "NASDAQ:NDX", "1", 100)
        raw: list[str] = []
        while not raw or "series_completed" not in raw[-1]:
            raw.append(str(await ws.recv()))
        methods = [
            method_of(m)
            for r in raw
            for p in decode_frames(r)
            for m in [parse_payload(p)]
            if isinstance(m, dict)
        ]
        assert methods == [
            "symbol_resolved",
            "series_loading",
            "timescale_update",
            "series_timeframe",
            "series_completed",
        ]
        # tvDatafeed's own regex finds exactly our bars, first in the stream.
        found = re.search(r'"s":\[(.+?)\}\]', "\n".join(raw))
        assert found is not None and len(found.group(1).split(',{"')) == 100
        update = next(
            m
            for r in raw
            for p in decode_frames(r)
            for m in [parse_payload(p)]
            if isinstance(m, dict) and method_of(m) == "timescale_update"
        )
        bars = [b["v"] for b in params_of(update)[1]["s1"]["s"]]
        assert bars == market.symbols["NASDAQ:NDX"].rows[-100:]
        assert bars[-1][4] == 14528.3605 and server.connections[0].state.token


async def test_unknown_symbol_gets_symbol_error_and_series_error_only() -> None:
    async with FakeTradingViewServer() as server, connect(server.url) as ws:
        await ws.send(encode_message("set_auth_token", ["unauthorized_user_token"]))
        await chart(ws, "cs_bad", "NASDAQ:XXXX", "1D", 10)
        msgs = await read(ws, "series_error")
        assert [method_of(m) for m in msgs][-3:] == [
            "series_loading",
            "symbol_error",
            "series_error",
        ]
        assert params_of(msgs[-2]) == ["cs_bad", "symbol_1", "invalid symbol"]
        await chart(ws, "cs_good", "SP:SPX", "1D", 5)  # the socket keeps serving
        msgs = await read(ws, "series_completed")
        assert all(params_of(m)[0] == "cs_good" for m in msgs)
        assert len(server.market.symbols["SP:SPX"].rows) == 368


async def test_bad_resolution_is_a_critical_error() -> None:
    async with FakeTradingViewServer() as server, connect(server.url) as ws:
        await chart(ws, "cs_r", "SP:SPX", "XX", 10)
        msg = (await read(ws, "critical_error"))[-1]
        assert params_of(msg)[1] == "invalid parameters"


async def test_quotes_snapshot_deltas_errors_and_remove() -> None:
    async with FakeTradingViewServer() as server, connect(server.url) as ws:
        qs = "qs_zxcvbnmasdfg"
        await ws.send(
            encode_message("set_auth_token", ["unauthorized_user_token"])
            + encode_message("quote_create_session", [qs])
            + encode_message(
                "quote_set_fields",
                [qs, "lp", "lp_time", "volume", "ch", "prev_close_price", "update_mode"],
            )
            + encode_message("quote_add_symbols", [qs, "NASDAQ:NDX", "NASDAQ:NOPE"])
        )
        msgs = await read(ws, "quote_completed")
        snap = params_of(msgs[-2])[1]
        assert snap == {
            "n": "NASDAQ:NDX",
            "s": "ok",
            "v": {
                "volume": 1e100,
                "lp_time": 1686427872,
                "lp": 14528.3605,
                "ch": 43.82,
                "update_mode": "delayed_streaming_900",  # the capture's: 15 minutes late
                "prev_close_price": 14484.5405,  # as TradingView sends it (lp - ch here)
            },
        }
        err = params_of((await read(ws, "qsd"))[-1])[1]
        assert err["n"] == "NASDAQ:NOPE" and err["s"] == "error"
        assert await server.push_quote("NASDAQ:NDX", 14530.0, 1686427900, volume=5.0) == 1
        delta = params_of((await read(ws, "qsd"))[-1])[1]
        assert delta == {
            "n": "NASDAQ:NDX",
            "s": "ok",
            "v": {
                "lp": 14530.0,
                "lp_time": 1686427900,
                "volume": 5.0,
                "ch": round(14530.0 - (14528.3605 - 43.82), 6),
            },
        }
        # Only changed fields travel: same trade + an unsubscribed bid -> nothing sent.
        assert await server.push_quote("NASDAQ:NDX", 14530.0, 1686427900, 5.0, bid=1.0) == 0
        await ws.send(encode_message("quote_remove_symbols", [qs, "NASDAQ:NDX"]))
        await server.wait_until(lambda: "quote_remove_symbols" in server.connections[0].methods)
        assert await server.push_quote("NASDAQ:NDX", 14531.0, 1686427901) == 0


async def test_old_force_permission_flag_is_rejected() -> None:
    async with FakeTradingViewServer() as server, connect(server.url) as ws:
        await ws.send(
            encode_message("quote_add_symbols", ["qs_x", "SP:SPX", {"flags": ["force_permission"]}])
        )
        msg = (await read(ws, "critical_error"))[-1]
        assert params_of(msg) == ["qs_x", "invalid_parameters", "quote_add_symbols"]


async def test_heartbeats_must_be_echoed() -> None:
    server = FakeTradingViewServer(heartbeat_every=0.05, echo_window=1.0)
    async with server, connect(server.url) as good, connect(server.url) as bad:

        async def echo_three() -> None:
            while len(server.connections[0].hb_echoed) < 3:
                for payload in decode_frames(str(await good.recv())):
                    if payload.startswith("~h~"):
                        await good.send(encode_frame(payload))

        async def never_echo() -> None:
            with pytest.raises(ConnectionClosed):
                while True:
                    await bad.recv()

        await asyncio.gather(echo_three(), never_echo())
        assert server.connections[1].dropped == "heartbeat 1 not echoed"
        assert server.connections[0].dropped is None
        assert server.connections[0].received[:3] == ["~h~1", "~h~2", "~h~3"]


async def test_bad_token_and_on_demand_protocol_error_close_the_socket() -> None:
    async with FakeTradingViewServer() as server:
        async with connect(server.url) as ws:
            await ws.send(encode_message("set_auth_token", ["bad_token"]))
            assert params_of((await read(ws, "protocol_error"))[-1]) == ["bad auth token"]
            with pytest.raises(ConnectionClosed):
                await ws.recv()
        async with connect(server.url) as ws:
            await read(ws, "hello")
            await server.protocol_error("banned")
            assert params_of((await read(ws, "protocol_error"))[-1]) == ["banned"]
            with pytest.raises(ConnectionClosed):
                await ws.recv()


async def test_faults_drop_after_frames_garbage_and_silence() -> None:
    server = FakeTradingViewServer(drop_after_frames=2, garbage_every=2)
    async with server, connect(server.url) as ws:
        await read(ws, "hello")
        await chart(ws, "cs_d", "SP:SPX", "1D", 3)
        second = decode_frames(str(await ws.recv()))  # garbage-prefixed, still decodes
        assert second.malformed == 1 and len(second) == 1
        with pytest.raises(ConnectionClosed):
            await ws.recv()
        assert server.connections[0].dropped == "dropped after 2 frames"
    async with FakeTradingViewServer(drop_every=0.1) as server, connect(server.url) as ws:
        with pytest.raises(ConnectionClosed):
            while True:
                await ws.recv()
        assert server.connections[0].dropped == "dropped after 0.1 s"
    async with FakeTradingViewServer() as server:
        server.silent = True
        async with connect(server.url) as ws:
            await chart(ws, "cs_s", "SP:SPX", "1D", 3)
            await server.wait_until(lambda: "create_series" in server.connections[0].methods)
            assert server.connections[0].frames_sent == 0
