"""Shared by bench_live_load.py and bench_memory.py: the real app, headless, on a fresh database
of an embedded server, with N symbols fed by a synthetic quote stream at a fixed tick rate.

The stream implements ``IQuoteStream``: it goes LIVE, then yields ticks round-robin over the
symbols, paced against the wall clock (a batch every ~5 ms, like a websocket delivering
frames). Every tick's price is unique per symbol, and the stream remembers when it created
each recent (symbol, price), so a benchmark can tell how old a price is when it is painted.
History comes from ``SyntheticProvider`` (a short random walk per symbol).
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from textual.pilot import Pilot

from tui_market.commands.add_symbol import AddSymbol
from tui_market.infrastructure.database import Database
from tui_market.infrastructure.embedded import EmbeddedServer
from tui_market.infrastructure.interfaces import (
    FeedState,
    FeedStatus,
    IDataProvider,
    IQuoteStream,
    QuoteEvent,
)
from tui_market.models import Bar, Interval, Tick
from tui_market.runtime import Runtime, make_bus
from tui_market.settings import load_settings
from tui_market.tui.app import MarketApp, make_app

BATCH_EVERY = 0.005  # seconds between batches of ticks


def symbols(n: int) -> list[str]:
    return [f"BENCH:S{i:02d}" for i in range(n)]


class SyntheticStream(IQuoteStream):
    name = "synthetic"

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self._symbols: list[str] = []
        self._closed = asyncio.Event()
        self.created: dict[str, deque[tuple[float, float]]] = {}  # symbol -> (price, perf t)
        self.sent = 0
        self._price: dict[str, float] = {}

    async def set_symbols(self, symbols: set[str]) -> None:
        self._symbols = sorted(symbols)
        for symbol in self._symbols:
            self.created.setdefault(symbol, deque(maxlen=64))
            self._price.setdefault(symbol, 100.0)

    def clock(self) -> float:
        return time.time()

    async def close(self) -> None:
        self._closed.set()

    def created_at(self, symbol: str, price: float | None) -> float | None:
        for seen, at in reversed(self.created.get(symbol, ())):
            if seen == price:
                return at
        return None

    async def events(self) -> AsyncIterator[QuoteEvent]:
        yield FeedState(FeedStatus.LIVE)
        started, volume = time.perf_counter(), 0.0
        while not self._closed.is_set():
            due = int((time.perf_counter() - started) * self.rate) - self.sent
            for _ in range(max(0, due)):
                if not self._symbols:
                    break
                symbol = self._symbols[self.sent % len(self._symbols)]
                self.sent += 1
                volume += 1.0
                step = 0.01 if (self.sent * 7919) % 3 else -0.01
                price = round(self._price[symbol] + step, 2) + (self.sent % 97) * 1e-6
                self._price[symbol] = round(price, 2)
                created = time.perf_counter()
                self.created[symbol].append((price, created))
                yield Tick(symbol, time.time(), price, volume)
            await asyncio.sleep(BATCH_EVERY)
        yield FeedState(FeedStatus.STOPPED)


class SyntheticProvider(IDataProvider):
    """A short 1m random walk per symbol (history for the first sync and the charts)."""

    name = "synthetic"

    def __init__(self, bars: int = 120) -> None:
        self.bars = bars

    async def fetch_ohlcv(
        self, symbol: str, exchange: str, interval: Interval, n_bars: int
    ) -> list[Bar]:
        full = f"{exchange}:{symbol}"
        end = interval.floor(time.time()) - interval.seconds
        out, price = [], 100.0
        count = min(n_bars, self.bars)
        for i in range(count):
            close = price + (0.05 if (i * 31) % 7 > 3 else -0.05)
            epoch = end - (count - 1 - i) * interval.seconds
            out.append(
                Bar.from_epoch(
                    full,
                    interval,
                    epoch,
                    price,
                    max(price, close) + 0.02,
                    min(price, close) - 0.02,
                    close,
                    10.0 + i,
                )
            )
            price = close
        return out

    async def close(self) -> None:
        return None


@dataclass
class LiveRig:
    app: MarketApp
    stream: SyntheticStream
    server_pid: int | None
    symbols: list[str]


def server_pid(data_dir: Path) -> int | None:
    try:
        return int(json.loads((data_dir / "server.json").read_text())["pid"])
    except (OSError, ValueError, KeyError) as exc:
        print(f"(no embedded server pid: {exc})")
        return None


@asynccontextmanager
async def live_rig(n_symbols: int, rate: float) -> AsyncIterator[LiveRig]:
    """A headless-ready MarketApp (live) on a fresh embedded database with ``n_symbols``."""
    with tempfile.TemporaryDirectory(prefix="bench-live-") as tmp:
        os.environ["XDG_CONFIG_HOME"] = f"{tmp}/config"  # no user config or theme file
        os.environ["XDG_STATE_HOME"] = f"{tmp}/state"
        server = EmbeddedServer(Path(tmp) / "server")
        uri = await asyncio.to_thread(server.acquire)
        db = await Database.connect(uri, f"bench_{uuid.uuid4().hex[:8]}", embedded=True)
        stream = SyntheticStream(rate)
        try:
            provider = SyntheticProvider()
            bus = make_bus(db, provider)
            names = symbols(n_symbols)
            for name in names:
                await bus.execute(AddSymbol(name))
            settings = load_settings(interval="1m", provider="replay")
            runtime = Runtime(settings, db, provider, stream, bus, None)
            app = make_app(settings, runtime, live=True)
            yield LiveRig(app, stream, server_pid(Path(tmp) / "server"), names)
        finally:
            await stream.close()
            await db.drop()
            await db.close()
            await asyncio.to_thread(server.release)


async def settle(pilot: Pilot[None], timeout: float = 120.0) -> None:
    """Wait for the one-shot workers (first syncs), not the live or periodic ones."""
    deadline = time.monotonic() + timeout
    busy = ["?"]
    while busy and time.monotonic() < deadline:
        await pilot.pause(0.1)
        busy = [
            w.name
            for w in pilot.app.workers
            if not w.is_finished and w.group not in {"live", "ping", "live-symbols"}
        ]


async def quit_done(pilot: Pilot[None], timeout: float = 15.0) -> None:
    """After ``q``: let the app finish quitting (the live worker's final flush) inside run_test."""
    deadline = time.monotonic() + timeout
    while pilot.app.is_running and time.monotonic() < deadline:
        await asyncio.sleep(0.05)


def proc_cpu_seconds(pid: int) -> float:
    """utime + stime of ``pid`` from /proc/<pid>/stat, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]
