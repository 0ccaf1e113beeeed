"""Soak: the real app, headless on the Ticker screen, streaming 50 symbols from the fake
TradingView server (a separate process, over real sockets, every connection dropped after 7 s
so each reconnect and its backfill is repeated) into the real test database.

After a warm-up, and again at the end, it takes the median of a few samples (each after
``gc.collect()``) of RSS, ``len(asyncio.all_tasks())``, open sockets and open fds. The end may
not exceed the warm-up figure by more than 5% (RSS) or a small constant (the counts).

60 s by default; ``TUI_MARKET_SOAK_SECONDS=600`` for the long run (read at import: the test
fixtures clear ``TUI_MARKET_*``); ``TUI_MARKET_SOAK_RATE`` ticks/s in total (500).
"""

from __future__ import annotations

import asyncio
import gc
import os
import random
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fakes.tv_soak_server import soak_symbols
from tui_market.commands.add_symbol import AddSymbol
from tui_market.infrastructure.database import Database
from tui_market.infrastructure.interfaces import IDataProvider
from tui_market.models import Bar, Interval
from tui_market.providers.tradingview.quotes import TradingViewQuoteStream
from tui_market.runtime import Runtime, make_bus
from tui_market.settings import load_settings
from tui_market.tui.app import make_app

SOAK = float(os.environ.get("TUI_MARKET_SOAK_SECONDS", "60"))
RATE = float(os.environ.get("TUI_MARKET_SOAK_RATE", "500"))
SYMBOLS, DROP_EVERY = 50, 7.0
WARMUP = max(15.0, SOAK * 0.1)
SAMPLES, SAMPLE_EVERY = 5, 1.0
RSS_GROWTH, TASK_SLACK, SOCKET_SLACK, FD_SLACK = 0.05, 2, 1, 2
ROOT = Path(__file__).resolve().parents[1]


class RecentBars(IDataProvider):
    """History for the first sync and each reconnect's backfill: flat bars up to now."""

    name = "recent"

    async def fetch_ohlcv(
        self, symbol: str, exchange: str, interval: Interval, n_bars: int
    ) -> list[Bar]:
        last = interval.floor(time.time())
        return [
            Bar.from_epoch(
                f"{exchange}:{symbol}",
                interval,
                last - k * interval.seconds,
                100.0,
                100.5,
                99.5,
                100.0,
                10.0,
            )
            for k in range(min(n_bars, 60) - 1, -1, -1)
        ]

    async def close(self) -> None:
        return None


@dataclass(frozen=True)
class Sample:
    rss_mb: float
    tasks: int
    sockets: int
    fds: int


def sample_now() -> Sample:
    gc.collect()
    status = Path("/proc/self/status").read_text()
    rss = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
    links = []
    for fd in Path("/proc/self/fd").iterdir():
        try:
            links.append(os.readlink(fd))
        except OSError:  # closed between the listing and the read
            continue
    sockets = sum(link.startswith("socket:") for link in links)
    return Sample(rss / 1024, len(asyncio.all_tasks()), sockets, len(links))


async def window() -> Sample:
    """The median of ``SAMPLES`` samples, ``SAMPLE_EVERY`` apart (a noisy 2-CPU machine)."""
    got = []
    for _ in range(SAMPLES):
        got.append(sample_now())
        await asyncio.sleep(SAMPLE_EVERY)
    return Sample(
        *(
            statistics.median(getattr(s, f) for s in got)
            for f in ("rss_mb", "tasks", "sockets", "fds")
        )
    )


def start_server() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.fakes.tv_soak_server",
            "--symbols",
            str(SYMBOLS),
            "--rate",
            str(RATE),
            "--drop-every",
            str(DROP_EVERY),
        ],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    return proc, proc.stdout.readline().strip()


def stop_server(proc: subprocess.Popen[str]) -> None:
    assert proc.stdin is not None
    proc.stdin.close()  # the server stops at EOF
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
@pytest.mark.timeout(SOAK + 240)
async def test_soak_fifty_symbols_no_growth(database: Database) -> None:
    proc, url = await asyncio.to_thread(start_server)
    try:
        assert url.startswith("ws://127.0.0.1:"), url
        provider = RecentBars()
        bus = make_bus(database, provider)
        for name in soak_symbols(SYMBOLS):
            await bus.execute(AddSymbol(name))
        stream = TradingViewQuoteStream(
            url,
            proxy=None,
            watchdog=10.0,
            backoff_initial=0.2,
            backoff_cap=1.0,
            stable_after=5.0,
            rng=random.Random(7),
        )
        settings = load_settings(interval="1m", tv_ws_url=url)
        app = make_app(settings, Runtime(settings, database, provider, stream, bus, None))
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.press("3")  # the Ticker: every symbol live, a live chart
            started = time.monotonic()
            await asyncio.sleep(WARMUP)
            counters0 = (stream.counters.reconnects, stream.counters.ticks)
            warm = await window()
            while time.monotonic() - started < SOAK - SAMPLES * SAMPLE_EVERY:
                await asyncio.sleep(5.0)
                now = sample_now()
                print(
                    f"t={time.monotonic() - started:5.0f}s {now} reconnects="
                    f"{stream.counters.reconnects} ticks={stream.counters.ticks}",
                    flush=True,
                )
            end = await window()
            reconnects = stream.counters.reconnects - counters0[0]
            ticks = stream.counters.ticks - counters0[1]
            print(
                f"soak {SOAK:.0f}s, {SYMBOLS} symbols, {RATE:.0f} ticks/s: warm-up {warm}, "
                f"end {end}, {reconnects} reconnects and {ticks} ticks after warm-up"
            )
            assert app.is_running and app.status.live.service.saved > 0
            await pilot.press("q")
    finally:
        await asyncio.to_thread(stop_server, proc)
    measured = SOAK - WARMUP
    assert reconnects >= measured // (DROP_EVERY + 2) - 1, "the server should keep dropping"
    assert ticks >= measured * RATE * 0.3, "ticks should keep flowing"
    assert end.rss_mb <= warm.rss_mb * (1 + RSS_GROWTH), (warm, end)
    assert end.tasks <= warm.tasks + TASK_SLACK, (warm, end)
    assert end.sockets <= warm.sockets + SOCKET_SLACK, (warm, end)
    assert end.fds <= warm.fds + FD_SLACK, (warm, end)
