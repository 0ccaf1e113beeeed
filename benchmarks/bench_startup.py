"""Start to first screen in a real terminal (tmux, 120x36), embedded database not running.

Each run starts ``tui-market --demo`` with fresh XDG dirs (so no embedded server is running and
the database is created from nothing) and polls ``tmux capture-pane`` until the first text
appears and until the first watchlist symbol appears. Baseline in the same run, measured the
same way: stocksTUI (Textual; ``pip install stockstui`` into a separate venv), default config
(4 stocks), fresh XDG dirs, until its first text and its first watchlist ticker. Runs alternate
between the two apps; one untimed warm-up run each fills the bytecode caches.

    python benchmarks/bench_startup.py                 # 7 runs each
    python benchmarks/bench_startup.py --quick         # 3 runs each
    python benchmarks/bench_startup.py --stockstui /path/to/stockstui
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

TMUX = shutil.which("tmux")
OURS = Path(sys.executable).with_name("tui-market")
DEFAULT_STOCKSTUI = Path("/work/bench-venv/bin/stockstui")
GOAL = 1.5
POLL = 0.01


class Pane:
    def __init__(self) -> None:
        self.socket = f"bench-startup-{uuid.uuid4().hex[:8]}"

    def tmux(self, *args: str) -> subprocess.CompletedProcess[str]:
        assert TMUX is not None
        return subprocess.run([TMUX, "-L", self.socket, *args], capture_output=True, text=True,
                              timeout=30, check=False)

    def text(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "b").stdout

    def alive(self) -> bool:
        return self.tmux("has-session", "-t", "b").returncode == 0


def one_run(command: str, marker: str, quit_keys: str, timeout: float = 60.0
            ) -> tuple[float, float]:
    """(seconds to the first text, seconds to ``marker``) for ``command`` in a fresh pane."""
    pane = Pane()
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        home = Path(tmp)
        env = (f"HOME={home} XDG_CONFIG_HOME={home}/config XDG_DATA_HOME={home}/data "
               f"XDG_STATE_HOME={home}/state XDG_CACHE_HOME={home}/cache "
               "TERM=xterm-256color COLORTERM=truecolor")
        first = seen = None
        started = time.perf_counter()
        pane.tmux("new-session", "-d", "-s", "b", "-x", "120", "-y", "36",
                  f"env -u TUI_MARKET_MONGODB_URI {env} {command}")
        try:
            while seen is None:
                elapsed = time.perf_counter() - started
                if elapsed > timeout:
                    raise RuntimeError(f"{command}: no {marker!r} after {timeout:.0f} s:\n"
                                       f"{pane.text()}")
                screen = pane.text()
                if first is None and screen.strip():
                    first = elapsed
                if any(marker in line and "e.g." not in line for line in screen.splitlines()):
                    seen = elapsed  # a watchlist row, not the empty-watchlist hint's example
                time.sleep(POLL)
            pane.tmux("send-keys", "-t", "b", quit_keys)
            deadline = time.monotonic() + 20
            while pane.alive() and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            pane.tmux("kill-server")
    assert first is not None
    return first, seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 runs each instead of 7")
    parser.add_argument("--stockstui", type=Path, default=DEFAULT_STOCKSTUI)
    args = parser.parse_args()
    if TMUX is None:
        sys.exit("tmux is not installed (apt-get install tmux)")
    runs = 3 if args.quick else 7
    apps = {"tui-market --demo": (f"{OURS} --demo", "NASDAQ:AAPL", "q")}
    if args.stockstui.exists():
        apps["stocksTUI"] = (str(args.stockstui), "AAPL", "q")
    else:
        print(f"stocksTUI not found at {args.stockstui}; measuring ours alone. Install it with:\n"
              "  python3 -m venv /work/bench-venv && /work/bench-venv/bin/pip install stockstui")
    for command, marker, keys in apps.values():  # warm-up: bytecode caches
        one_run(command, marker, keys)
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in apps}
    for i in range(runs):
        for name, (command, marker, keys) in apps.items():
            first, seen = one_run(command, marker, keys)
            results[name].append((first, seen))
            print(f"run {i + 1} {name:18s} first text {first:6.3f} s   watchlist {seen:6.3f} s")
    print(f"\nstart to first screen, tmux 120x36, fresh data dir, {runs} runs (median)")
    medians = {name: (statistics.median(r[0] for r in rs), statistics.median(r[1] for r in rs))
               for name, rs in results.items()}
    base = medians.get("stocksTUI")
    for name, (first, seen) in medians.items():
        ratio = f"   {seen / base[1]:.2f}x stocksTUI" if base else ""
        print(f"  {name:18s} first text {first:6.3f} s   watchlist {seen:6.3f} s{ratio}")
    ours = medians["tui-market --demo"][1]
    met = ours < GOAL and (base is None or ours < base[1])
    print(f"  goal < {GOAL} s and below stocksTUI: {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
