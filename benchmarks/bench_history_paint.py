"""Open History with 5,000 stored bars: from the key press to the first paint of candles.

The real app (``make_app``, headless 120x36, live feed off) on an embedded server holding a
watchlist of 12 symbols with 5,000 synced 1h bars each (60,000 bars: what a watchlist looks
like after "sync all"). Each run is a fresh process on that server and database, as a user's
session is: it starts the app, waits for the watchlist, moves the cursor to a symbol and
presses enter; the clock stops at the first frame written after the candle chart rendered
that symbol's bars (goal: < 300 ms), and at the first frame after the volume chart did (the
table is filled with it). Then back to Symbols (1), the next symbol, enter: the same with the
History screen already built. The first read (``GetBars``) is timed too; it overlaps the
screen's mount, so the rest is not "the screen". (Runs of fresh apps in one process carried
the previous apps' objects: full garbage collections of 0.1-0.3 s landed inside the paints.)

    python benchmarks/bench_history_paint.py            # 7 runs
    python benchmarks/bench_history_paint.py --quick    # 3 runs
    python benchmarks/bench_history_paint.py --indicators ema:21,rsi:14  # chosen on History

With ``--indicators`` the choice is saved (``SaveIndicators``) before the runs, so each app
starts with it, as after a restart: the figures then include drawing them (they are computed
in a worker after the load, see ``tui/screens/history_studies.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from textual.app import App
from textual.pilot import Pilot

from tui_market.commands.add_symbol import AddSymbol
from tui_market.commands.save_indicators import SaveIndicators
from tui_market.commands.sync_history import SyncHistory
from tui_market.infrastructure.database import Database
from tui_market.infrastructure.embedded import EmbeddedServer
from tui_market.infrastructure.interfaces import IDataProvider
from tui_market.models import Bar, Interval
from tui_market.providers.replay import ReplayQuoteStream
from tui_market.queries.get_bars import GetBarsHandler
from tui_market.runtime import Runtime, make_bus
from tui_market.settings import load_settings
from tui_market.tui.app import MarketApp, make_app
from tui_market.tui.widgets.candles import CandleChart, VolumeChart

INTERVAL, COUNT, SERIES = Interval.H1, 5000, 12
SYMBOLS = [f"BENCH:S{i:02d}" for i in range(SERIES)]
GOAL = 0.300


class HistoryProvider(IDataProvider):
    """``n_bars`` 1h bars per symbol, ending at the last full hour."""

    name = "bench"

    async def fetch_ohlcv(
        self, symbol: str, exchange: str, interval: Interval, n_bars: int
    ) -> list[Bar]:
        full = f"{exchange}:{symbol}"
        end = interval.floor(int(time.time())) - interval.seconds
        out, price = [], 100.0
        for i in range(n_bars):
            close = price * (1.0 + ((i * 7919) % 21 - 10) / 1000.0)
            high, low = max(price, close) * 1.002, min(price, close) * 0.998
            epoch = end - (n_bars - 1 - i) * interval.seconds
            out.append(Bar.from_epoch(full, interval, epoch, price, high, low, close, 1e3 + i))
            price = close
        return out

    async def close(self) -> None:
        return None


class Probe:
    """Timestamps from inside the app: GetBars calls, chart renders with data, frames."""

    def __init__(self) -> None:
        self.reads: list[float] = []
        self.rendered: dict[str, str] = {}  # chart id -> symbol of its last render with bars
        self.painted: dict[tuple[str, str], float] = {}  # (chart, symbol) -> first frame after
        self.cpu: dict[tuple[str, str], float] = {}  # the same, this process's CPU time

    def install(self) -> None:
        probe = self
        read, display = GetBarsHandler.__call__, App._display

        async def timed_read(handler: GetBarsHandler, msg: Any) -> Any:
            started = time.perf_counter()
            try:
                return await read(handler, msg)
            finally:
                probe.reads.append(time.perf_counter() - started)

        def seen(render: Any) -> Any:
            def seen_render(chart: CandleChart | VolumeChart) -> Any:
                if chart.bars and chart.id:
                    probe.rendered[chart.id] = chart.bars[-1].symbol
                return render(chart)

            return seen_render

        def frame(app: App[Any], screen: Any, renderable: Any) -> None:
            display(app, screen, renderable)
            if renderable is not None:
                for chart, symbol in probe.rendered.items():
                    if (chart, symbol) not in probe.painted:
                        probe.painted[(chart, symbol)] = time.perf_counter()
                        probe.cpu[(chart, symbol)] = time.process_time()

        GetBarsHandler.__call__ = timed_read  # type: ignore[method-assign,assignment]
        CandleChart.strips = seen(CandleChart.strips)  # type: ignore[method-assign]
        VolumeChart.strips = seen(VolumeChart.strips)  # type: ignore[method-assign]
        App._display = frame  # type: ignore[method-assign,assignment]


async def open_history(pilot: Pilot[None], probe: Probe, symbol: str) -> tuple[float, ...]:
    """Select ``symbol`` on Symbols, press enter: seconds to its candles painted, to its
    volume (and table, drawn with it) painted, of its first read, and the CPU seconds this
    process used until the candles were painted (steadier than wall time on a busy machine;
    the database server's CPU is not in it)."""
    app = pilot.app
    table: Any = app.screen.query_one("#watchlist")
    table.move_cursor(row=SYMBOLS.index(symbol))
    await pilot.pause()
    reads = len(probe.reads)
    started, cpu = time.perf_counter(), time.process_time()
    await pilot.press("enter")
    while ("volume", symbol) not in probe.painted or len(probe.reads) == reads:
        await asyncio.sleep(0.001)
    candles = probe.painted[("candles", symbol)] - started
    return (
        candles,
        probe.painted[("volume", symbol)] - started,
        probe.reads[reads],
        probe.cpu[("candles", symbol)] - cpu,
    )


async def one_run(runtime: Runtime, probe: Probe, k: int) -> dict[str, tuple[float, ...]]:
    """The first open of History and a second one with another symbol."""
    app: MarketApp = make_app(runtime.settings, runtime, live=False)
    async with app.run_test(size=(120, 36)) as pilot:
        table: Any = app.screen.query_one("#watchlist")
        while table.row_count < SERIES:
            await pilot.pause(0.05)
        await pilot.pause(0.3)
        first = await open_history(pilot, probe, SYMBOLS[k % SERIES])
        await pilot.pause(0.5)
        await pilot.press("1")
        await pilot.pause(0.3)
        again = await open_history(pilot, probe, SYMBOLS[(k + 1) % SERIES])
        await pilot.pause(0.3)
    return {"first": first, "again": again}


async def child(uri: str, name: str, k: int) -> None:
    """One run in this (fresh) process, as a user's session: prints its four figures."""
    import tui_market.tui.screens.history  # the app imports both while its database starts
    import tui_market.tui.screens.ticker  # noqa: F401  (app._import_screens)

    db = await Database.connect(uri, name, embedded=True)
    try:
        provider = HistoryProvider()
        settings = load_settings(interval=INTERVAL.value, provider="replay")
        runtime = Runtime(settings, db, provider, ReplayQuoteStream(), make_bus(db, provider), None)
        probe = Probe()
        probe.install()
        print(json.dumps(await one_run(runtime, probe, k)))
    finally:
        await db.close()


def run_child(uri: str, name: str, k: int) -> dict[str, list[float]]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", uri, name, str(k)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if out.returncode:
        raise RuntimeError(f"run {k} failed: {out.stderr[-2000:]}")
    figures: dict[str, list[float]] = json.loads(out.stdout.strip().splitlines()[-1])
    return figures


async def main(runs: int, indicators: str = "") -> None:
    with tempfile.TemporaryDirectory(prefix="bench-history-") as tmp:
        os.environ["XDG_CONFIG_HOME"] = f"{tmp}/config"  # no user config or theme file
        os.environ["XDG_STATE_HOME"] = f"{tmp}/state"
        server = EmbeddedServer(Path(tmp) / "server")
        uri = await asyncio.to_thread(server.acquire)
        name = f"bench_{uuid.uuid4().hex[:8]}"
        db = await Database.connect(uri, name, embedded=True)
        try:
            bus = make_bus(db, HistoryProvider())
            started = time.perf_counter()
            for symbol in SYMBOLS:
                await bus.execute(AddSymbol(symbol))
                await bus.execute(SyncHistory(symbol, INTERVAL, n_bars=COUNT))
            print(f"(seeded {SERIES} x {COUNT} bars in {time.perf_counter() - started:.1f} s)")
            if indicators:
                await bus.execute(SaveIndicators("history", indicators))
                print(f"(indicators on History: {indicators})")
            results = [await asyncio.to_thread(run_child, uri, name, 2 * k) for k in range(runs)]
        finally:
            await db.drop()
            await db.close()
            await asyncio.to_thread(server.release)

    def ms(key: str, i: int) -> float:
        return statistics.median(r[key][i] for r in results) * 1000

    print(
        f"Open History, {SERIES} series x {COUNT} {INTERVAL.value} bars stored, "
        f"{runs} runs (median), each a fresh process"
    )
    print(
        f"  enter to first candles painted  {ms('first', 0):7.1f} ms   (goal < "
        f"{GOAL * 1000:.0f} ms: {'met' if ms('first', 0) < GOAL * 1000 else 'NOT met'})"
    )
    print(f"    its GetBars                   {ms('first', 2):7.1f} ms")
    print(f"    CPU time of the app process   {ms('first', 3):7.1f} ms")
    print(f"  volume and table painted        {ms('first', 1):7.1f} ms")
    print(
        f"  again, another symbol: candles {ms('again', 0):7.1f} ms, volume and table "
        f"{ms('again', 1):.1f} ms (GetBars {ms('again', 2):.1f} ms, CPU {ms('again', 3):.1f} ms)"
    )
    print("  runs (first candles, ms): " + " ".join(f"{r['first'][0] * 1000:.0f}" for r in results))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child", nargs=3, metavar=("URI", "DATABASE", "RUN"))
    parser.add_argument("--indicators", default="", help="on History, e.g. ema:21,rsi:14")
    args = parser.parse_args()
    if args.child:
        asyncio.run(child(args.child[0], args.child[1], int(args.child[2])))
    else:
        asyncio.run(main(3 if args.quick else 7, args.indicators))
