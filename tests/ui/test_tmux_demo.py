"""`tui-market --demo` in a real terminal (tmux): open, press 1/2/3, read each screen, quit with
q, and check that the embedded database server it started is gone."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

TMUX = shutil.which("tmux")
SCRIPT = Path(sys.executable).with_name("tui-market")
pytestmark = [
    pytest.mark.skipif(TMUX is None, reason="tmux is not installed (apt-get install tmux)"),
    pytest.mark.skipif(not SCRIPT.exists(), reason=f"console script {SCRIPT} is not installed"),
    pytest.mark.timeout(240),
]


class Terminal:
    def __init__(self, socket: str) -> None:
        self.socket = socket

    def tmux(self, *args: str) -> subprocess.CompletedProcess[str]:
        assert TMUX is not None
        return subprocess.run(
            [TMUX, "-L", self.socket, *args],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "demo").stdout

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "demo", *keys)

    def alive(self) -> bool:
        return self.tmux("has-session", "-t", "demo").returncode == 0

    def wait(self, predicate: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"gave up waiting for {what}; screen:\n{self.screen()}")
            time.sleep(0.2)

    def shows(self, *texts: str, timeout: float = 60.0) -> str:
        self.wait(lambda: all(t in self.screen() for t in texts), f"{texts}", timeout)
        return self.screen()


def server_processes(data_dir: Path) -> list[int]:
    """PIDs whose command line names ``data_dir`` (the embedded server's storage path)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if "secantus" in cmdline and str(data_dir) in cmdline:
            found.append(int(entry.name))
    return found


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[tuple[Terminal, Path]]:
    home = tmp_path / "home"
    env = {
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
    }
    term = Terminal(f"tui-market-test-{uuid.uuid4().hex[:8]}")
    exports = " ".join(f"{k}={v}" for k, v in env.items())
    clean = " ".join(
        f"-u {k}"
        for k in os.environ
        if k.startswith(("TUI_MARKET_", "PYTEST_", "TEXTUAL_")) or k in {"COLUMNS", "LINES"}
    )  # Textual sizes itself 80x24 under pytest
    command = f"env {clean} {exports} {SCRIPT} --demo"
    started = term.tmux("new-session", "-d", "-s", "demo", "-x", "120", "-y", "36", command)
    assert started.returncode == 0, started.stderr
    term.tmux("set-option", "-t", "demo", "window-size", "manual")  # keep 120x36 detached
    term.tmux("resize-window", "-t", "demo", "-x", "120", "-y", "36")
    try:
        yield term, home / "data"
    finally:
        term.tmux("kill-server")
        for pid in server_processes(home / "data"):  # a failed run must not leak its server
            os.kill(pid, signal.SIGTERM)


def test_demo_in_a_real_terminal(terminal: tuple[Terminal, Path]) -> None:
    term, data_dir = terminal
    symbols = term.shows("Change %", "NASDAQ:AAPL", "feed", "DB embedded", "demo")
    assert "1 Symbols" in symbols and "2 History" in symbols and "3 Ticker" in symbols
    term.wait(lambda: "never" not in term.screen(), "the first sync of every symbol")
    assert server_processes(data_dir), "the demo should run its embedded server"

    term.keys("2")
    history = term.shows("Time (UTC)", "Open", "Close")
    assert "NASDAQ:AAPL" in history or "BITSTAMP:BTCUSD" in history

    term.keys("3")
    ticker = term.shows("Chg %", "High", "bars  feed: live")
    assert "NASDAQ:TSLA" in ticker

    term.keys("1")
    term.shows("Symbol", "Change %")

    term.keys("?")
    term.shows("tui-market keys", "Everywhere")
    term.keys("Escape")
    term.wait(lambda: "tui-market keys" not in term.screen(), "the help to close")

    term.keys("q")
    term.wait(lambda: not term.alive(), "the app to quit", timeout=30)
    deadline = time.monotonic() + 15
    while server_processes(data_dir) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert server_processes(data_dir) == [], "the embedded server outlived the app"
