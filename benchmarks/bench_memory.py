"""Memory: 50 live symbols through the real QuoteService and app (headless, Ticker screen) for
10 minutes (``--quick``: 60 s), RSS sampled from /proc/self/status.

Reports RSS after the warm-up (the first 10% of the run, at least 20 s), at the end, the peak,
and the growth after warm-up (end vs. after warm-up, and a least-squares slope over the
samples). The embedded server (a separate process) is reported separately. Baseline in the
same run: stocksTUI (``pip install stockstui`` in a separate venv) idle with its default 4
symbols, started in tmux with fresh XDG dirs at the same time, RSS read from /proc.

    python benchmarks/bench_memory.py            # 600 s
    python benchmarks/bench_memory.py --quick    # 60 s
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from live_fixture import live_rig, quit_done, rss_mb, settle

GOAL_MB, GOAL_GROWTH = 150.0, 0.05
STOCKSTUI = Path("/work/bench-venv/bin/stockstui")


class StocksTui:
    """stocksTUI idle in a tmux pane with fresh XDG dirs (its default watchlist: 4 stocks)."""

    def __init__(self, script: Path) -> None:
        self.socket = f"bench-mem-{uuid.uuid4().hex[:8]}"
        self.home = tempfile.TemporaryDirectory(prefix="bench-mem-stockstui-")
        h = self.home.name
        env = (
            f"HOME={h} XDG_CONFIG_HOME={h}/config XDG_DATA_HOME={h}/data "
            f"XDG_STATE_HOME={h}/state XDG_CACHE_HOME={h}/cache TERM=xterm-256color"
        )
        self._tmux("new-session", "-d", "-s", "m", "-x", "120", "-y", "36", f"env {env} {script}")
        self.pid = int(self._tmux("display", "-p", "-t", "m", "#{pane_pid}").strip())

    def _tmux(self, *args: str) -> str:
        tmux = shutil.which("tmux")
        assert tmux is not None
        return subprocess.run(
            [tmux, "-L", self.socket, *args],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        ).stdout

    def close(self) -> None:
        self._tmux("kill-server")
        self.home.cleanup()


def slope_per_min(samples: list[tuple[float, float]]) -> float:
    n = len(samples)
    if n < 2:
        return 0.0
    mt = sum(t for t, _ in samples) / n
    mr = sum(r for _, r in samples) / n
    var = sum((t - mt) ** 2 for t, _ in samples)
    return 0.0 if var == 0 else sum((t - mt) * (r - mr) for t, r in samples) / var * 60.0


async def run(seconds: float, every: float, n_symbols: int, rate: float) -> None:
    base = StocksTui(STOCKSTUI) if STOCKSTUI.exists() and shutil.which("tmux") else None
    if base is None:
        print(
            f"stocksTUI not found at {STOCKSTUI} (or no tmux); measuring ours alone. Install:\n"
            "  python3 -m venv /work/bench-venv && /work/bench-venv/bin/pip install stockstui"
        )
    warmup = max(20.0, seconds * 0.1)
    samples: list[tuple[float, float, float, float]] = []  # t, ours, server, stocksTUI
    try:
        async with live_rig(n_symbols, rate) as rig, rig.app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            await pilot.press("3")
            started, sent0 = time.perf_counter(), rig.stream.sent
            while (now := time.perf_counter() - started) < seconds:
                server = rss_mb(rig.server_pid) if rig.server_pid else float("nan")
                theirs = rss_mb(base.pid) if base else float("nan")
                samples.append((now, rss_mb(), server, theirs))
                print(
                    f"  t={now:5.0f} s  RSS {samples[-1][1]:6.1f} MB  server "
                    f"{server:6.1f} MB  stocksTUI {theirs:6.1f} MB",
                    flush=True,
                )
                await asyncio.sleep(every)
            report(samples, warmup, seconds, n_symbols, (rig.stream.sent - sent0) / seconds)
            await pilot.press("q")
            await quit_done(pilot)
    finally:
        if base is not None:
            base.close()


def report(
    samples: list[tuple[float, float, float, float]],
    warmup: float,
    seconds: float,
    n: int,
    rate: float,
) -> None:
    after = [s for s in samples if s[0] >= warmup] or samples[-1:]
    warm, end = after[0], samples[-1]
    peak = max(s[1] for s in samples)
    growth = (end[1] - warm[1]) / warm[1]
    slope = slope_per_min([(s[0], s[1]) for s in after])
    print(
        f"\nmemory: {n} live symbols, ~{rate:,.0f} ticks/s, {seconds:.0f} s, Ticker screen, "
        f"headless; warm-up {warmup:.0f} s"
    )
    print(
        f"  app RSS after warm-up {warm[1]:6.1f} MB   end {end[1]:6.1f} MB   peak {peak:6.1f} "
        f"MB   growth {growth * 100:+.1f}%   slope {slope:+.2f} MB/min"
    )
    print(
        f"  embedded DB RSS (separate process): after warm-up {warm[2]:6.1f} MB, "
        f"end {end[2]:6.1f} MB"
    )
    if end[3] == end[3]:  # not NaN
        print(f"  stocksTUI idle, 4 symbols: {end[3]:6.1f} MB  -> ours {end[1] / end[3]:.2f}x")
    ok = end[1] < GOAL_MB and growth < GOAL_GROWTH
    print(
        f"  goal RSS < {GOAL_MB:.0f} MB and growth < {GOAL_GROWTH * 100:.0f}%: "
        f"{'met' if ok else 'NOT met'}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="60 s instead of 600 s")
    parser.add_argument("--symbols", type=int, default=50)
    parser.add_argument("--rate", type=float, default=2000.0, help="ticks/s in total")
    args = parser.parse_args()
    asyncio.run(
        run(60.0 if args.quick else 600.0, 2.0 if args.quick else 5.0, args.symbols, args.rate)
    )
