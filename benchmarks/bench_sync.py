"""History sync of 5,000 bars on the embedded server: cold, unchanged and slightly changed.

Baseline measured in the same run: one ``UpdateOne`` upsert per bar (the naive write).
Prints median seconds over the runs and each figure as a ratio of the baseline.

    python benchmarks/bench_sync.py            # 3 runs, baseline on all bars
    python benchmarks/bench_sync.py --quick    # 1 run, baseline on 1,000 bars scaled up
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from tui_market.commands.sync_history import SyncHistory, SyncHistoryHandler
from tui_market.infrastructure import schema
from tui_market.infrastructure.database import Database
from tui_market.infrastructure.embedded import EmbeddedServer
from tui_market.infrastructure.interfaces import IDataProvider
from tui_market.models import Bar, Interval

SYMBOL, INTERVAL = "NASDAQ:BENCH", Interval.M1
GOAL_COLD, GOAL_UNCHANGED = 1.0, 0.3


class ListProvider(IDataProvider):
    """Serves one prepared list of bars."""

    def __init__(self, bars: list[Bar]) -> None:
        self.bars = bars

    async def fetch_ohlcv(
        self, symbol: str, exchange: str, interval: Interval, n_bars: int
    ) -> list[Bar]:
        return self.bars[-n_bars:]

    async def close(self) -> None:
        return None


def make_bars(count: int, bump: float = 0.0) -> list[Bar]:
    start = 1_700_000_040
    out = []
    for i in range(count):
        close = 100.0 + (i % 97) * 0.25 + bump
        out.append(
            Bar.from_epoch(
                SYMBOL, INTERVAL, start + 60 * i, close, close + 0.5, close - 0.5, close, 1000.0 + i
            )
        )
    return out


async def timed_sync(db: Database, bars: list[Bar]) -> tuple[float, str]:
    handler = SyncHistoryHandler(db, ListProvider(bars))
    t0 = time.perf_counter()
    result = await handler(SyncHistory(SYMBOL, INTERVAL, n_bars=len(bars)))
    elapsed = time.perf_counter() - t0
    return elapsed, f"new={result.new} updated={result.updated} unchanged={result.unchanged}"


async def baseline(db: Database, bars: list[Bar]) -> float:
    col = db.get_collection("naive_bars")  # one document per bar, one upsert each
    t0 = time.perf_counter()
    for bar in bars:
        doc = schema.bar_to_doc(bar)
        await col.update_one({"_id": doc.pop("_id")}, {"$set": doc}, upsert=True)
    return time.perf_counter() - t0


async def run(n_bars: int, runs: int, baseline_bars: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp:
        server = EmbeddedServer(Path(tmp))
        uri = server.acquire()
        figures: dict[str, list[float]] = {
            "cold": [],
            "unchanged": [],
            "10 changed + 10 new": [],
            "baseline": [],
        }
        try:
            bars = make_bars(n_bars)
            later = make_bars(n_bars + 10)[10:]
            later[n_bars // 2 : n_bars // 2 + 10] = make_bars(n_bars, bump=1.0)[
                n_bars // 2 + 10 : n_bars // 2 + 20
            ]
            for i in range(runs):
                db = await Database.connect(uri, f"bench_{uuid.uuid4().hex[:8]}", embedded=True)
                try:
                    for label, data in (
                        ("cold", bars),
                        ("unchanged", bars),
                        ("10 changed + 10 new", later),
                    ):
                        elapsed, counts = await timed_sync(db, data)
                        figures[label].append(elapsed)
                        print(f"run {i + 1}: {label:>20}: {elapsed:7.3f} s  ({counts})")
                finally:
                    await db.drop()
                    await db.close()
                db = await Database.connect(uri, f"bench_{uuid.uuid4().hex[:8]}", embedded=True)
                try:
                    elapsed = await baseline(db, bars[:baseline_bars]) * n_bars / baseline_bars
                finally:
                    await db.drop()
                    await db.close()
                figures["baseline"].append(elapsed)
                scaled = "" if baseline_bars == n_bars else f" (scaled from {baseline_bars} bars)"
                print(f"run {i + 1}: {'baseline':>20}: {elapsed:7.3f} s{scaled}")
        finally:
            server.release()
    base = statistics.median(figures["baseline"])
    print(f"\nmedians over {runs} run(s), {n_bars} bars, embedded server:")
    for label, values in figures.items():
        med = statistics.median(values)
        print(f"  {label:>20}: {med:7.3f} s   {med / base:6.3f}x baseline")
    cold, same = statistics.median(figures["cold"]), statistics.median(figures["unchanged"])
    print(
        f"  goal cold <= {GOAL_COLD} s: {'met' if cold <= GOAL_COLD else 'NOT met'}; "
        f"goal unchanged <= {GOAL_UNCHANGED} s: {'met' if same <= GOAL_UNCHANGED else 'NOT met'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="one run, smaller baseline")
    parser.add_argument("--bars", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=None)
    args = parser.parse_args()
    runs = args.runs or (1 if args.quick else 3)
    baseline_bars = min(args.bars, 1000) if args.quick else args.bars
    asyncio.run(run(args.bars, runs, baseline_bars))


if __name__ == "__main__":
    main()
