"""Open History with 5,000 stored bars: time to the first paint of the chart and table.

A headless Textual app hosts ``HistoryScreen`` and answers ``BarsRequested`` the way the real
app does (``GetBars`` through the bus, on the embedded server). Measured from pushing the
screen to the end of the first refresh that shows bars, split into the database read and the
screen's own work (window, plotext build, table). Goal: < 300 ms.

    python benchmarks/bench_history_paint.py            # 7 runs
    python benchmarks/bench_history_paint.py --quick    # 3 runs
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from textual import on
from textual.app import App

from tui_market.commands.save_bars import SaveBars
from tui_market.infrastructure.database import Database
from tui_market.infrastructure.embedded import EmbeddedServer
from tui_market.models import Bar, Interval
from tui_market.providers.replay import ReplayProvider
from tui_market.queries.get_bars import GetBars
from tui_market.services.bus import Bus
from tui_market.ui.messages import BarsLoaded, BarsRequested
from tui_market.ui.screens.history import HistoryScreen
from tui_market.ui.widgets.candles import CandleChart

SYMBOL, INTERVAL, COUNT = "NASDAQ:BENCH", Interval.H1, 5000
GOAL = 0.300


def bars() -> list[Bar]:
    start = INTERVAL.floor(1_700_000_000)
    out, price = [], 100.0
    for i in range(COUNT):
        close = price * (1.0 + ((i * 7919) % 21 - 10) / 1000.0)
        high, low = max(price, close) * 1.002, min(price, close) * 0.998
        out.append(Bar.from_epoch(SYMBOL, INTERVAL, start + i * INTERVAL.seconds,
                                  price, high, low, close, 1000.0 + i))
        price = close
    return out


class BenchApp(App[None]):
    def __init__(self, bus: Bus) -> None:
        super().__init__()
        self.bus = bus
        self.reads: list[float] = []

    @on(BarsRequested)
    def _requested(self, request: BarsRequested) -> None:
        self.run_worker(self._load(request), group="bars")  # as the app: off the message loop

    async def _load(self, request: BarsRequested) -> None:
        started = time.perf_counter()
        loaded = await self.bus.execute(GetBars(request.symbol, request.interval, request.last))
        self.reads.append(time.perf_counter() - started)
        self.screen.post_message(BarsLoaded(request.symbol, request.interval, loaded))


async def one_run(bus: Bus) -> tuple[float, float, float]:
    """(first paint, its database read, all bars loaded and painted), seconds."""
    app = BenchApp(bus)
    async with app.run_test(size=(120, 36)) as pilot:
        started = time.perf_counter()
        screen = HistoryScreen(SYMBOL, INTERVAL)
        await app.push_screen(screen)
        chart = screen.query_one(CandleChart)
        while not (screen.loaded and chart.bars):
            await asyncio.sleep(0.001)
        await app.animator.wait_until_complete()
        chart.refresh()
        await pilot.pause(0)  # the refresh that paints them
        first = time.perf_counter() - started
        while len(screen.bars) < COUNT:
            await asyncio.sleep(0.001)
        await pilot.pause(0)
        full = time.perf_counter() - started
    return first, app.reads[0], full


async def main(runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server = EmbeddedServer(Path(tmp))
        uri = await asyncio.to_thread(server.acquire)
        db = await Database.connect(uri, f"bench_{uuid.uuid4().hex[:8]}", embedded=True)
        try:
            bus = Bus(db, ReplayProvider())
            await bus.execute(SaveBars(tuple(bars())))
            results = [await one_run(bus) for _ in range(runs)]
        finally:
            await db.drop()
            await db.close()
            await asyncio.to_thread(server.release)
    total = statistics.median(r[0] for r in results)
    read = statistics.median(r[1] for r in results)
    full = statistics.median(r[2] for r in results)
    print(f"History first paint, {COUNT} stored {INTERVAL.value} bars, {runs} runs (median)")
    print(f"  first paint  {total * 1000:7.1f} ms   (goal < {GOAL * 1000:.0f} ms: "
          f"{'met' if total < GOAL else 'NOT met'})")
    print(f"    GetBars    {read * 1000:7.1f} ms   (the newest bars that fit, first)")
    print(f"    screen     {(total - read) * 1000:7.1f} ms   (mount, window, plotext, table)")
    print(f"  all {COUNT} bars loaded and painted {full * 1000:7.1f} ms (for panning)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    asyncio.run(main(3 if args.quick else 7))
