"""BarManager throughput against a bare-loop floor and pandas, measured in the same run.

    python benchmarks/bench_bar_manager.py            # 1M ticks, 5 runs
    python benchmarks/bench_bar_manager.py --quick    # 200k ticks, 3 runs

Ticks (seeded): 50 symbols, about 0.85 ticks/s per symbol (~50 ticks per 1m bar; 1M ticks
span a 6.5 h session), integer-second timestamps as TradingView sends them, random-walk
prices, cumulative session volume. Each figure is the median ticks/s over the runs; ratios
are taken per run, then the median.

- BarManager: ``on_ticks`` (batch) and ``on_tick`` (one call per tick, as the live service
  does), then ``on_clock`` to close what is left.
- floor: a bare loop over the same Tick objects doing only per-symbol lookup, bucket math
  (``ts - ts % step``) and the O/H/L/C/V update with cumulative-volume deltas in a list; no
  checks, no bar objects. For six intervals it runs the same update for each interval.
- pandas: from lists to a DataFrame, per-symbol volume deltas, then
  ``groupby([symbol, Grouper(freq, label/closed='left', origin='epoch')])`` ``ohlc()`` + volume
  sum (the same bars BarManager makes); for six intervals one grouping per interval.
"""

from __future__ import annotations

import argparse
import gc
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence

import pandas as pd

from tui_market.managers import BarManager
from tui_market.models import Interval, Tick

SIX = (Interval.M1, Interval.M5, Interval.M15, Interval.H1, Interval.H4, Interval.D1)
_FREQ = {
    Interval.M1: "1min",
    Interval.M5: "5min",
    Interval.M15: "15min",
    Interval.H1: "1h",
    Interval.H4: "4h",
    Interval.D1: "1D",
}


def make_ticks(n: int, symbols: int = 50, per_second: float = 0.85, seed: int = 7) -> list[Tick]:
    """``n`` ticks, each symbol ticking ``per_second`` on average (1M ticks ~ 6.5 h)."""
    rng = random.Random(seed)
    span = max(1, round(n / symbols / per_second))
    names = [f"NASDAQ:S{i:03d}" for i in range(symbols)]
    price = [rng.uniform(10, 500) for _ in names]
    cum = [0.0] * symbols
    start = 1_700_000_000 - 1_700_000_000 % 86_400 + 13 * 3600 + 1800  # 13:30 UTC
    ticks = []
    for i in range(n):
        k = rng.randrange(symbols)
        price[k] = max(0.01, price[k] * (1 + rng.gauss(0, 0.0005)))
        cum[k] += rng.randrange(1, 500)
        ticks.append(Tick(names[k], float(start + i * span // n), round(price[k], 2), cum[k]))
    return ticks


def run_manager_batch(ticks: Sequence[Tick], intervals: Sequence[Interval]) -> int:
    m = BarManager(intervals)
    closed = len(m.on_ticks(ticks))
    return closed + len(m.on_clock(ticks[-1].ts + 10**8))


def run_manager_each(ticks: Sequence[Tick], intervals: Sequence[Interval]) -> int:
    m = BarManager(intervals)
    on_tick = m.on_tick
    closed = 0
    for t in ticks:
        if on_tick(t):
            closed += 1
    return closed + len(m.on_clock(ticks[-1].ts + 10**8))


def run_floor(ticks: Sequence[Tick], intervals: Sequence[Interval]) -> int:
    """Only bucket math and O/H/L/C/V updates (no validation, no policies, no bar objects)."""
    if len(intervals) == 1:
        return _floor_one(ticks, intervals[0].seconds)
    steps = [iv.seconds for iv in intervals]
    state: dict[str, list[list[float]]] = {}
    closed = 0
    for t in ticks:
        ts, p, v = t.ts, t.price, t.volume
        bars = state.get(t.symbol)
        if bars is None:
            bars = state[t.symbol] = [[-1.0, p, p, p, p, 0.0, v] for _ in steps]
        for st, step in zip(bars, steps, strict=True):
            b = ts - ts % step
            if st[0] != b:
                closed += 1
                st[0] = b
                st[1] = st[2] = st[3] = st[4] = p
                st[5] = v - st[6]
                st[6] = v
                continue
            if p > st[2]:
                st[2] = p
            elif p < st[3]:
                st[3] = p
            st[4] = p
            st[5] += v - st[6]
            st[6] = v
    return closed


def _floor_one(ticks: Sequence[Tick], step: int) -> int:
    state: dict[str, list[float]] = {}
    closed = 0
    for t in ticks:
        ts, p, v = t.ts, t.price, t.volume
        st = state.get(t.symbol)
        b = ts - ts % step
        if st is None or st[0] != b:
            closed += 1
            state[t.symbol] = [b, p, p, p, p, 0.0 if st is None else v - st[6], v]
            continue
        if p > st[2]:
            st[2] = p
        elif p < st[3]:
            st[3] = p
        st[4] = p
        st[5] += v - st[6]
        st[6] = v
    return closed


def run_pandas(
    cols: tuple[list[str], list[float], list[float], list[float]], intervals: Sequence[Interval]
) -> int:
    sym, ts, price, vol = cols
    df = pd.DataFrame(
        {"symbol": sym, "ts": pd.to_datetime(ts, unit="s"), "price": price, "vol": vol}
    )
    df["dv"] = df.groupby("symbol", sort=False)["vol"].diff().fillna(0.0)
    rows = 0
    for iv in intervals:
        grouper = pd.Grouper(key="ts", freq=_FREQ[iv], label="left", closed="left", origin="epoch")
        g = df.groupby(["symbol", grouper])
        bars = g["price"].ohlc().join(g["dv"].sum())
        rows += len(bars)
    return rows


def timed(fn: Callable[[], int]) -> float:
    gc.collect()
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="200k ticks, 3 runs")
    ap.add_argument("--ticks", type=int, default=None)
    ap.add_argument("--runs", type=int, default=None)
    args = ap.parse_args(argv)
    n = args.ticks or (200_000 if args.quick else 1_000_000)
    runs = args.runs or (3 if args.quick else 5)
    ticks = make_ticks(n)
    cols = (
        [t.symbol for t in ticks],
        [t.ts for t in ticks],
        [t.price for t in ticks],
        [t.volume or 0.0 for t in ticks],
    )
    print(
        f"python {platform.python_version()} on {platform.machine()}, {platform.node()}; "
        f"pandas {pd.__version__}; {n:,} ticks, 50 symbols, {runs} runs"
    )
    ok = True
    for label, ivs in (("one interval (1m)", (Interval.M1,)), ("six intervals", SIX)):
        cases: dict[str, Callable[[], int]] = {
            "BarManager.on_ticks": lambda ivs=ivs: run_manager_batch(ticks, ivs),
            "BarManager.on_tick": lambda ivs=ivs: run_manager_each(ticks, ivs),
            "floor (bare loop)": lambda ivs=ivs: run_floor(ticks, ivs),
            "pandas": lambda ivs=ivs: run_pandas(cols, ivs),
        }
        secs: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(runs):
            for name, fn in cases.items():
                secs[name].append(timed(fn))
        print(f"\n{label}:")
        for name, values in secs.items():
            print(f"  {name:22s} {n / statistics.median(values):>12,.0f} ticks/s (median)")
        for name in ("BarManager.on_ticks", "BarManager.on_tick"):
            floor = statistics.median(
                f / m for f, m in zip(secs["floor (bare loop)"], secs[name], strict=True)
            )
            vs_pd = statistics.median(
                p / m for p, m in zip(secs["pandas"], secs[name], strict=True)
            )
            print(f"  {name:22s} {floor:.2f}x floor, {vs_pd:.2f}x pandas")
        best = n / statistics.median(secs["BarManager.on_ticks"])
        if len(ivs) == 1:
            f1 = statistics.median(
                f / m
                for f, m in zip(secs["floor (bare loop)"], secs["BarManager.on_ticks"], strict=True)
            )
            p1 = statistics.median(
                p / m for p, m in zip(secs["pandas"], secs["BarManager.on_ticks"], strict=True)
            )
            met = f1 >= 0.3 and p1 >= 0.5
            print(f"  goal >= 0.3x floor and >= 0.5x pandas: {'met' if met else 'NOT met'}")
        else:
            met = best >= 1_000_000
            print(f"  goal >= 1,000,000 ticks/s (median): {'met' if met else 'NOT met'}")
        ok = ok and met
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
