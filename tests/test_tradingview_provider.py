"""TradingViewProvider (tvDatafeed underneath) against the fake TradingView server."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.fakes.tv_data import load_market_data
from tests.fakes.tv_server import FakeTradingViewServer
from tui_market.errors import ProviderError, ProviderUnavailable, SymbolNotFound
from tui_market.models import Interval
from tui_market.models.symbol_info import SymbolInfo
from tui_market.providers.tradingview.history import TradingViewProvider

ROOT = Path(__file__).resolve().parents[1]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_real_bars_come_back_as_utc_bars_and_heartbeats_are_echoed() -> None:
    market = load_market_data()
    # A heartbeat before the replies: without its echo the server would drop the fetch.
    server = FakeTradingViewServer(
        market, heartbeat_every=0.05, echo_window=2.0, heartbeat_at_connect=True, frame_delay=0.05
    )
    async with server:
        provider = TradingViewProvider(ws_url=server.url, timeout=10)
        spx = await provider.fetch_ohlcv("SPX", "SP", Interval.D1, 5000)
        ndx = await provider.fetch_ohlcv("NDX", "NASDAQ", Interval.M1, 100)
    rows = market.symbols["SP:SPX"].rows
    assert len(spx) == 368 and provider.last_rejected == 0
    # daily bars are stamped at the session open (09:30 New York), as TradingView stamps them
    # and as the symbol's session clock (from symbol_resolved) keys live daily bars
    assert [(b.epoch, b.open, b.high, b.low, b.close, b.volume) for b in spx] == [
        (int(r[0]), *r[1:]) for r in rows
    ]
    assert spx[0].time.isoformat() == "2021-12-22T14:30:00+00:00"
    meta = await provider.symbol_metadata("SP:SPX")
    assert meta is not None
    assert (meta["session"], meta["timezone"]) == ("0930-1610", "America/New_York")
    assert {b.symbol for b in spx} == {"SP:SPX"} and {b.interval for b in spx} == {Interval.D1}
    ndx_rows = market.symbols["NASDAQ:NDX"].rows[-100:]
    assert [(b.epoch, b.close, b.volume) for b in ndx] == [(int(r[0]), r[4], 0.0) for r in ndx_rows]
    assert ndx[-1].close == 14528.3605
    assert server.connections[0].hb_echoed[:1] == [1] and server.connections[0].dropped is None
    assert server.connections[0].state.token == "unauthorized_user_token"


async def test_a_delayed_session_symbol_as_tradingview_serves_it() -> None:
    """NASDAQ:NDX through the real provider: 1h bars stamped from the 09:30 New York open (the
    fake stamps them so, as TradingView does), metadata with the New York session fields and
    the delayed ``update_mode`` of the capture's ``series_completed``."""
    async with FakeTradingViewServer() as server:
        provider = TradingViewProvider(ws_url=server.url, timeout=10)
        hours = await provider.fetch_ohlcv("NDX", "NASDAQ", Interval.H1, 20)
        meta = await provider.symbol_metadata("NASDAQ:NDX")
    assert len(hours) == 20
    local = [b.time.astimezone(ZoneInfo("America/New_York")) for b in hours]
    assert {t.minute for t in local} == {30} and {t.hour for t in local} <= set(range(9, 16))
    assert meta is not None
    info = SymbolInfo.from_provider(meta)
    assert (info.timezone, info.session[:9], info.delay_seconds) == (
        "America/New_York",
        "0930-1610",
        900,
    )
    assert info.holidays  # the capture's session_holidays


def test_utc_conversion_under_new_york_time() -> None:
    """A separate interpreter with TZ=America/New_York: same epochs as the capture."""
    script = r"""
import asyncio, json, time
from datetime import datetime
from tests.fakes.tv_server import FakeTradingViewServer
from tui_market.models import Interval
from tui_market.models.symbol_info import SymbolInfo
from tui_market.providers.tradingview.history import TradingViewProvider, to_utc

async def main():
    async with FakeTradingViewServer() as server:
        p = TradingViewProvider(ws_url=server.url, timeout=10)
        bars = await p.fetch_ohlcv("NDX", "NASDAQ", Interval.M1, 5000)
    # Naive local times (older tvDatafeed), including both 01:30s of the 2023 fall-back.
    epochs = [1699162200, 1699165800, 1678602600, 1686317400]
    naive = [int(to_utc(datetime.fromtimestamp(e)).timestamp()) for e in epochs]
    print(json.dumps({"offset": time.localtime(1686317400).tm_gmtoff, "epochs": [
        b.epoch for b in bars], "naive": naive, "want": epochs,
        "first": bars[0].time.isoformat()}))
asyncio.run(main())
"""
    env = {**os.environ, "TZ": "America/New_York", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=ROOT,
        timeout=120,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["offset"] == -4 * 3600  # the TZ really applied (EDT)
    assert out["epochs"] == [int(r[0]) for r in load_market_data().symbols["NASDAQ:NDX"].rows]
    assert out["first"] == "2023-06-01T15:10:00+00:00"  # first NDX bar: 11:10 in New York
    assert out["naive"] == out["want"]


async def test_unknown_symbol_is_symbol_not_found() -> None:
    async with FakeTradingViewServer() as server:
        provider = TradingViewProvider(ws_url=server.url, timeout=30)
        with pytest.raises(SymbolNotFound, match=r"^NASDAQ:XXXX: unknown symbol on TradingView$"):
            await provider.fetch_ohlcv("XXXX", "NASDAQ", Interval.D1, 10)


async def test_silent_server_and_no_server_are_provider_unavailable() -> None:
    async with FakeTradingViewServer() as server:
        server.silent = True
        provider = TradingViewProvider(ws_url=server.url, timeout=1.0)
        with pytest.raises(ProviderUnavailable, match="did not answer within 1 s"):
            await provider.fetch_ohlcv("SPX", "SP", Interval.D1, 10)
    provider = TradingViewProvider(ws_url=f"ws://127.0.0.1:{closed_port()}/", timeout=5)
    with pytest.raises(ProviderUnavailable, match="cannot reach TradingView"):
        await provider.fetch_ohlcv("SPX", "SP", Interval.D1, 10)


async def test_dropped_connection_and_refusals() -> None:
    async with FakeTradingViewServer(drop_after_frames=2) as server:
        provider = TradingViewProvider(ws_url=server.url, timeout=10)
        with pytest.raises(ProviderUnavailable, match="closed the connection"):
            await provider.fetch_ohlcv("SPX", "SP", Interval.D1, 10)
    async with FakeTradingViewServer(bad_tokens=["unauthorized_user_token"]) as server:
        provider = TradingViewProvider(ws_url=server.url, timeout=10)
        with pytest.raises(ProviderError, match=r"refused the connection \(bad auth token\)"):
            await provider.fetch_ohlcv("SPX", "SP", Interval.D1, 10)


async def test_garbage_rows_are_rejected_counted_and_never_returned(
    caplog: pytest.LogCaptureFixture,
) -> None:
    market = load_market_data()
    t = 1_700_000_000.0
    market.set_bars(
        "TEST:BAD",
        [
            [t, 10.0, 11.0, 9.0, 10.5, 100.0],  # good
            [t + 60, float("nan"), 11.0, 9.0, 10.0, 1.0],  # NaN open
            [t + 120, -1.0, 11.0, -2.0, 10.0, 1.0],  # negative prices
            [t + 180, 10.0, 9.0, 11.0, 10.0, 1.0],  # high < low
            [t + 240, 10.0, 12.0, 9.5, 11.0, 5.0],  # good ...
            [t + 240, 10.0, 12.0, 9.5, 11.5, 6.0],  # ... and a duplicate time: kept
            [t + 300, "x", 12.0, 9.5, 11.0, 5.0],  # not a number
            [t + 360, 11.0, 12.0, 10.0, 11.5],  # no volume: accepted, volume 0
        ],
    )
    async with FakeTradingViewServer(market) as server:
        provider = TradingViewProvider(ws_url=server.url, timeout=10)
        with caplog.at_level(logging.WARNING):
            bars = await provider.fetch_ohlcv("BAD", "TEST", Interval.M1, 100)
    assert [(b.epoch, b.close, b.volume) for b in bars] == [
        (1_700_000_000, 10.5, 100.0),
        (1_700_000_240, 11.5, 6.0),
        (1_700_000_360, 11.5, 0.0),
    ]
    assert provider.last_rejected == 5
    assert "rejected 5 of 8 rows" in caplog.text

    market.set_bars("TEST:WORSE", [["not-a-time", 1.0, 1.0, 1.0, 1.0, 1.0]])
    async with FakeTradingViewServer(market) as server:
        provider = TradingViewProvider(ws_url=server.url, timeout=10)
        with pytest.raises(ProviderError, match="could not be read"):
            await provider.fetch_ohlcv("WORSE", "TEST", Interval.M1, 10)


class _Http(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # symbol search
        body = json.dumps(
            [{"symbol": "<em>AAPL</em>", "description": "Apple Inc.", "exchange": "NASDAQ"}]
        ).encode()
        self._reply(body)

    def do_POST(self) -> None:  # sign-in
        form = self.rfile.read(int(self.headers["Content-Length"])).decode()
        ok = "password=s3cret-pass" in form
        body = {"user": {"auth_token": "tok-123"}} if ok else {"error": "Invalid password"}
        self._reply(json.dumps(body).encode())

    def _reply(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture
def http_base() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Http)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


async def test_login_uses_the_token_and_never_logs_the_password(
    http_base: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    async with FakeTradingViewServer() as server:
        bad = TradingViewProvider(
            "trader",
            "badpass-987",
            ws_url=server.url,
            timeout=10,
            signin_url=f"{http_base}/accounts/signin/",
        )
        with pytest.raises(ProviderError, match="TradingView login failed"):
            await bad.fetch_ohlcv("SPX", "SP", Interval.D1, 3)
        provider = TradingViewProvider(
            "trader",
            "s3cret-pass",
            ws_url=server.url,
            timeout=10,
            signin_url=f"{http_base}/accounts/signin/",
        )
        assert "s3cret" not in repr(provider)
        await provider.fetch_ohlcv("SPX", "SP", Interval.D1, 3)
        assert server.connections[0].state.token == "tok-123"
        assert "s3cret" not in repr(vars(provider))  # the password is dropped after login
    assert "s3cret" not in caplog.text and "badpass-987" not in caplog.text


async def test_search_parses_results_and_fails_soft_offline(
    http_base: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = http_base + "/symbol_search/?text={}&exchange={}"
    assert await TradingViewProvider(search_url=url).search("aapl") == [
        ("NASDAQ:AAPL", "Apple Inc.")
    ]
    offline = f"http://127.0.0.1:{closed_port()}/?text={{}}&exchange={{}}"
    with caplog.at_level(logging.WARNING):
        assert await TradingViewProvider(search_url=offline).search("aapl") == []
    assert "returned nothing (offline or no match)" in caplog.text
