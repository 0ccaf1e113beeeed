"""The store at scale (issue 14): the embedded server's start, a live save, a whole-series read
and ``symbols remove --drop-bars`` against stores of 60k / 300k / 1M (/ 5M) bars.

Each store is 50 symbols x 4 intervals x N bars per series, built once through the project's
own write path (``AddSymbol``, then ``SaveBars`` with one series of N bars a call) into
``--stores DIR/<size>`` and reused by later runs (so the code before and after a change is
measured on the same files: ``PYTHONPATH=/tmp/old python benchmarks/bench_scale.py``).

Per size, printed:
- start: ``EmbeddedServer.acquire()`` (spawn until ``ping``) + ``Database.connect`` +
  ``ListSymbols`` (what the app needs for the watchlist), median of 3, against the empty
  store's (also a median of 3); the server's RSS right after the third;
- save: ``SaveBars`` of 50 live bars (one new 1m bar per symbol), ``SAVES`` consecutive live
  minutes: median, mean (what the folds of side documents add, spread over the minutes), p90
  and max;
- read: ``GetBars`` of a whole 5,000-bar series (no ``last``), median of 5;
- remove: ``RemoveSymbol(drop_bars=True)`` of one symbol (20,000 bars at N=5,000): wall time and
  the server's peak RSS while it ran (sampled every 10 ms) against its RSS before; the symbol's
  bars are written back afterwards so the store can be reused.

    python benchmarks/bench_scale.py --stores /tmp/scale-stores             # 60k 300k 1M
    python benchmarks/bench_scale.py --stores /tmp/scale-stores --sizes 1M  # one size
    python benchmarks/bench_scale.py --stores /tmp/scale-stores --sizes 5M
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tui_market.commands.add_symbol import AddSymbol, AddSymbolHandler
from tui_market.commands.remove_symbol import RemoveSymbol, RemoveSymbolHandler
from tui_market.commands.save_bars import SaveBars, SaveBarsHandler
from tui_market.infrastructure.database import Database
from tui_market.infrastructure.embedded import EmbeddedServer
from tui_market.models import Bar, Interval
from tui_market.queries.get_bars import GetBars, GetBarsHandler
from tui_market.queries.list_symbols import ListSymbols, ListSymbolsHandler

SYMBOLS = 50
INTERVALS = (Interval.M1, Interval.M5, Interval.H1, Interval.D1)
SIZES = {"60k": 300, "300k": 1_500, "1M": 5_000, "5M": 25_000}  # bars per series
DB_NAME = "tui_market"
SAVES = 60  # live minutes saved per run
ANCHOR = datetime(2026, 11, 20, tzinfo=UTC)  # the newest stored bar of every series


def symbols() -> list[str]:
    return [f"NASDAQ:S{i:03d}" for i in range(SYMBOLS)]


def series(symbol: str, interval: Interval, n: int) -> tuple[Bar, ...]:
    step = timedelta(seconds=interval.seconds)
    first = ANCHOR - step * (n - 1)
    bars = []
    for k in range(n):
        price = 100.0 + (k % 97) * 0.25
        bars.append(
            Bar.model_construct(
                symbol=symbol,
                interval=interval,
                time=first + step * k,
                open=price,
                high=price + 1,
                low=price - 1,
                close=price + 0.5,
                volume=1_000.0 + k,
            )
        )
    return tuple(bars)


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


class PeakRss:
    """The RSS of process ``pid`` when entered (``idle``) and its peak until exit, sampled
    every 10 ms in a thread (the process is another one: the server)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.idle = self.peak = 0.0
        self._done = threading.Event()
        self._watcher = threading.Thread(target=self._sample)

    def __enter__(self) -> PeakRss:
        self.idle = self.peak = rss_mb(self.pid)
        self._watcher.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._watcher.join()

    def _sample(self) -> None:
        while not self._done.is_set():
            self.peak = max(self.peak, rss_mb(self.pid))
            time.sleep(0.01)


def server_pid(data_dir: Path) -> int:
    return int(json.loads((data_dir / "server.json").read_text())["pid"])


async def build(data_dir: Path, per_series: int) -> None:
    """A fresh store through AddSymbol and SaveBars (one series per call, like a sync)."""
    data_dir.mkdir(parents=True)
    server = EmbeddedServer(data_dir, start_timeout=120)
    uri = await asyncio.to_thread(server.acquire)
    db = await Database.connect(uri, DB_NAME, embedded=True)
    started = time.perf_counter()
    try:
        add, save = AddSymbolHandler(db), SaveBarsHandler(db)
        for i, symbol in enumerate(symbols()):
            await add(AddSymbol(symbol, f"bench {i}"))
            for interval in INTERVALS:
                await save(SaveBars(series(symbol, interval, per_series)))
            print(f"  built {i + 1}/{SYMBOLS} symbols, {time.perf_counter() - started:.0f} s")
    finally:
        await db.close()
        await asyncio.to_thread(server.release)
    (data_dir / "built").write_text(str(per_series))


async def start_to_watchlist(data_dir: Path) -> tuple[float, float, EmbeddedServer, Database]:
    """Seconds from acquire() to the watchlist rows; the server's RSS (MB) right after."""
    server = EmbeddedServer(data_dir, start_timeout=120)
    began = time.perf_counter()
    uri = await asyncio.to_thread(server.acquire)
    db = await Database.connect(uri, DB_NAME, embedded=True)
    await ListSymbolsHandler(db)(ListSymbols(Interval.M1))
    took = time.perf_counter() - began
    return took, rss_mb(server_pid(data_dir)), server, db


async def stop(server: EmbeddedServer, db: Database) -> None:
    await db.close()
    await asyncio.to_thread(server.release)


async def timed(make, runs: int = 5) -> float:  # type: ignore[no-untyped-def]
    took = []
    for k in range(runs):
        began = time.perf_counter()
        await make(k)
        took.append(time.perf_counter() - began)
    return statistics.median(took)


async def measure(data_dir: Path, per_series: int, empty_start: float) -> dict[str, float]:
    starts = []
    for _ in range(2):  # the start is a median of 3, as the empty store's is
        took, _, server, db = await start_to_watchlist(data_dir)
        await stop(server, db)
        starts.append(took)
    took, rss, server, db = await start_to_watchlist(data_dir)
    took = statistics.median([*starts, took])
    out = {"start_s": took, "start_ratio": took / empty_start, "rss_open_mb": rss}
    pid = server_pid(data_dir)
    try:
        saver, reader = SaveBarsHandler(db), GetBarsHandler(db)
        names = symbols()

        # A live session: SAVES consecutive minutes, each one new 1m bar per symbol, later
        # than every stored one and than any earlier run's (a minute of this run's own).
        first = datetime.now(UTC).replace(second=0, microsecond=0)
        first += timedelta(minutes=1_000 + int(time.time()) % 500_000)
        live = series("X:X", Interval.M1, 1)[0]
        took = []
        for k in range(SAVES):
            fresh = {"time": first + timedelta(minutes=k), "close": live.high - k % 7 / 10}
            bars = tuple(live.model_copy(update={"symbol": s, **fresh}) for s in names)
            began = time.perf_counter()
            await saver(SaveBars(bars))
            took.append((time.perf_counter() - began) * 1000)
        out["save50_ms"] = statistics.median(took)
        out["save50_mean_ms"] = statistics.fmean(took)
        out["save50_p90_ms"] = statistics.quantiles(took, n=10)[-1]
        out["save50_max_ms"] = max(took)
        read_n = min(per_series, 5_000)
        start = ANCHOR - timedelta(seconds=Interval.H1.seconds * (read_n - 1))

        async def read(k: int) -> None:
            bars = await reader(GetBars(names[k + 1], Interval.H1, start=start, end=ANCHOR))
            assert len(bars) == read_n, len(bars)

        out["read_ms"] = await timed(read) * 1000
        out["read_n"] = read_n
        with PeakRss(pid) as rss:
            began = time.perf_counter()
            result = await RemoveSymbolHandler(db)(RemoveSymbol(names[0], drop_bars=True))
            out["remove_s"] = time.perf_counter() - began
        out["remove_deleted"] = result.bars_deleted
        out["rss_idle_mb"], out["rss_remove_peak_mb"] = rss.idle, rss.peak
        # Put the symbol and its bars back so the store can be reused.
        await AddSymbolHandler(db)(AddSymbol(names[0], "bench 0"))
        for interval in INTERVALS:
            await saver(SaveBars(series(names[0], interval, per_series)))
    finally:
        await stop(server, db)
    return out


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stores", type=Path, required=True, help="where stores are kept")
    parser.add_argument("--sizes", default="60k,300k,1M", help="comma list of 60k,300k,1M,5M")
    parser.add_argument("--build-only", action="store_true")
    args = parser.parse_args()
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    for size in sizes:
        if size not in SIZES:
            parser.error(f"unknown size {size!r}; choose from {', '.join(SIZES)}")
    for size in sizes:
        data_dir = args.stores / size
        if not (data_dir / "built").exists():
            print(f"building the {size} store in {data_dir} ...")
            began = time.perf_counter()
            await build(data_dir, SIZES[size])
            print(f"  built in {time.perf_counter() - began:.0f} s")
    if args.build_only:
        return
    empty_dir = args.stores / f"empty-{time.time_ns()}"
    empty = []
    for _ in range(3):
        took, rss, server, db = await start_to_watchlist(empty_dir)
        await stop(server, db)
        empty.append(took)
    empty_start = statistics.median(empty)
    print(f"empty store: start to watchlist {empty_start:.2f} s (median of 3), RSS {rss:.0f} MB")
    for size in sizes:
        row = await measure(args.stores / size, SIZES[size], empty_start)
        print(
            f"{size:>5}: start {row['start_s']:.2f} s ({row['start_ratio']:.2f}x empty), "
            f"RSS after open {row['rss_open_mb']:.0f} MB | save 50 bars {row['save50_ms']:.0f} ms"
            f" (mean {row['save50_mean_ms']:.0f}, p90 {row['save50_p90_ms']:.0f}, max "
            f"{row['save50_max_ms']:.0f})"
            f" | read {row['read_n']:.0f} bars {row['read_ms']:.0f} ms | remove --drop-bars "
            f"{row['remove_s']:.2f} s ({row['remove_deleted']:.0f} bars), RSS "
            f"{row['rss_idle_mb']:.0f} -> peak {row['rss_remove_peak_mb']:.0f} MB"
        )


if __name__ == "__main__":
    asyncio.run(main())
