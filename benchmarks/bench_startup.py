"""Start to first screen in a real terminal (tmux, 120x36), embedded database not running.

Each run starts ``tui-market --demo`` with fresh XDG dirs (so no embedded server is running and
the database is created from nothing) and polls ``tmux capture-pane`` until the first text
appears and until the first watchlist symbol appears. Baseline in the same run, measured the
same way: stocksTUI (Textual; ``pip install stockstui`` into a separate venv), default config
(4 stocks), fresh XDG dirs, until its first text and its first watchlist ticker. Runs alternate
between the apps; one untimed warm-up run each fills the bytecode caches (with
``PYTHONDONTWRITEBYTECODE`` unset). Also printed: the CPU seconds the app's processes (and the
embedded server among them) had used when the watchlist showed, a figure the machine's load
changes much less than the wall times.

    python benchmarks/bench_startup.py                 # 7 runs each
    python benchmarks/bench_startup.py --quick         # 3 runs each
    python benchmarks/bench_startup.py --stockstui /path/to/stockstui
    python benchmarks/bench_startup.py --ab /tmp/ab-old   # also the code of other work trees
                                                          # (git worktree add /tmp/ab-old <commit>)
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
import uuid
from pathlib import Path

TMUX = shutil.which("tmux")
OURS = Path(sys.executable).with_name("tui-market")
DEFAULT_STOCKSTUI = Path("/work/bench-venv/bin/stockstui")
GOAL = 1.5
POLL = 0.01
CLOCK = os.sysconf("SC_CLK_TCK")


class Pane:
    def __init__(self) -> None:
        self.socket = f"bench-startup-{uuid.uuid4().hex[:8]}"

    def tmux(self, *args: str) -> subprocess.CompletedProcess[str]:
        assert TMUX is not None
        return subprocess.run(
            [TMUX, "-L", self.socket, *args],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )

    def text(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "b").stdout

    def alive(self) -> bool:
        return self.tmux("has-session", "-t", "b").returncode == 0

    def cpu(self) -> tuple[float, float]:
        """CPU seconds (user + system) so far of the pane's processes: (the app, and any
        embedded database server among them), a load-independent figure for comparisons."""
        pids = [
            int(p) for p in self.tmux("list-panes", "-t", "b", "-F", "#{pane_pid}").stdout.split()
        ]
        app = server = 0.0
        while pids:
            pid = pids.pop()
            try:
                stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                argv = Path(f"/proc/{pid}/cmdline").read_bytes()
                children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            except OSError:  # ended meanwhile
                continue
            seconds = (int(stat[11]) + int(stat[12])) / CLOCK
            if b"secantus" in argv:
                server += seconds
            else:
                app += seconds
            pids.extend(int(c) for c in children)
        return app, server


Run = tuple[float, float, float, float]  # first text, marker, app CPU, server CPU (seconds)


def one_run(command: str, marker: str, quit_keys: str, timeout: float = 60.0) -> Run:
    """Seconds to the first text and to ``marker`` for ``command`` in a fresh pane, and the
    CPU seconds its processes had used when the marker showed."""
    pane = Pane()
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        home = Path(tmp)
        env = (
            f"HOME={home} XDG_CONFIG_HOME={home}/config XDG_DATA_HOME={home}/data "
            f"XDG_STATE_HOME={home}/state XDG_CACHE_HOME={home}/cache "
            "TERM=xterm-256color COLORTERM=truecolor"
        )
        first = seen = None
        cpu = (0.0, 0.0)
        started = time.perf_counter()
        # PYTHONDONTWRITEBYTECODE (set in some sandboxes) would make every run compile the
        # app's own modules from source; an installed app has its bytecode (pip compiles it).
        pane.tmux(
            "new-session",
            "-d",
            "-s",
            "b",
            "-x",
            "120",
            "-y",
            "36",
            f"env -u TUI_MARKET_MONGODB_URI -u PYTHONDONTWRITEBYTECODE {env} {command}",
        )
        try:
            while seen is None:
                elapsed = time.perf_counter() - started
                if elapsed > timeout:
                    raise RuntimeError(
                        f"{command}: no {marker!r} after {timeout:.0f} s:\n{pane.text()}"
                    )
                screen = pane.text()
                if first is None and screen.strip():
                    first = elapsed
                if any(marker in line and "e.g." not in line for line in screen.splitlines()):
                    seen = elapsed  # a watchlist row, not the empty-watchlist hint's example
                    cpu = pane.cpu()
                time.sleep(POLL)
            pane.tmux("send-keys", "-t", "b", quit_keys)
            deadline = time.monotonic() + 20
            while pane.alive() and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            pane.tmux("kill-server")
    assert first is not None
    return first, seen, *cpu


def tree_command(tree: Path) -> str:
    """``tui-market --demo`` as the work tree ``tree`` has it (its own console script entry)."""
    project = tomllib.loads((tree / "pyproject.toml").read_text())
    module, func = project["project"]["scripts"]["tui-market"].split(":")
    code = f"import sys; from {module} import {func}; sys.exit({func}())"
    return f"env PYTHONPATH={tree} {sys.executable} -c '{code}' --demo"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 runs each instead of 7")
    parser.add_argument("--stockstui", type=Path, default=DEFAULT_STOCKSTUI)
    parser.add_argument(
        "--ab",
        type=Path,
        action="append",
        default=[],
        help="a work tree whose code also runs (A/B; may be repeated)",
    )
    args = parser.parse_args()
    if TMUX is None:
        sys.exit("tmux is not installed (apt-get install tmux)")
    runs = 3 if args.quick else 7
    apps = {"tui-market --demo": (f"{OURS} --demo", "NASDAQ:AAPL", "q")}
    for tree in args.ab:
        apps[f"ours @ {tree.name}"] = (tree_command(tree.resolve()), "NASDAQ:AAPL", "q")
    if args.stockstui.exists():
        apps["stocksTUI"] = (str(args.stockstui), "AAPL", "q")
    else:
        print(
            f"stocksTUI not found at {args.stockstui}; measuring ours alone. Install it with:\n"
            "  python3 -m venv /work/bench-venv && /work/bench-venv/bin/pip install stockstui"
        )
    for command, marker, keys in apps.values():  # warm-up: bytecode caches
        one_run(command, marker, keys)
    results: dict[str, list[Run]] = {name: [] for name in apps}
    for i in range(runs):
        for name, (command, marker, keys) in apps.items():
            run = one_run(command, marker, keys)
            results[name].append(run)
            print(
                f"run {i + 1} {name:18s} first text {run[0]:6.3f} s   watchlist {run[1]:6.3f} s"
                f"   CPU app {run[2]:5.2f} s, server {run[3]:5.2f} s"
            )
    print(
        f"\nstart to first screen, tmux 120x36, fresh data dir, {runs} runs (median); "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    medians = {
        name: [statistics.median(r[k] for r in rs) for k in range(4)]
        for name, rs in results.items()
    }
    base = medians.get("stocksTUI")
    for name, (first, seen, app_cpu, server_cpu) in medians.items():
        ratio = f"   {seen / base[1]:.2f}x stocksTUI" if base else ""
        print(
            f"  {name:18s} first text {first:6.3f} s   watchlist {seen:6.3f} s{ratio}"
            f"   (CPU until then: app {app_cpu:.2f} s, server {server_cpu:.2f} s)"
        )
    ours = medians["tui-market --demo"][1]
    met = ours < GOAL and (base is None or ours < base[1])
    print(f"  goal < {GOAL} s and below stocksTUI: {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
