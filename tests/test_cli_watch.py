"""``tui-market watch``: the headless live command as a real process (the installed console
script) on the demo replay feed and the session's database server. Its output lines are read as
they come; Ctrl-C (SIGINT) stops it; it exits 0, having printed and saved the closed bars.
Bad input (a malformed or unknown symbol) gets one line on stderr and a non-zero exit.
"""

from __future__ import annotations

import contextlib
import re
import selectors
import signal
import subprocess
import time

import pytest
from pymongo import MongoClient

from tests.dbdump import JOURNAL, bar_docs
from tui_market.infrastructure import bar_buckets

BAR_LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d NASDAQ:AAPL 1m  O [\d.]+  H [\d.]+  L [\d.]+  C [\d.]+  V [\d,]+$"
)
DEADLINE = 60.0  # seconds: a generous wait for lines on a loaded machine (not a speed goal)


def stored_bars(mongo_uri: str, name: str) -> int:
    client: MongoClient = MongoClient(mongo_uri)
    try:
        buckets = list(client[name][bar_buckets.BARS].find({}))
        return len(bar_docs(buckets, list(client[name][JOURNAL].find({}))))
    finally:
        client.close()


def read_until(proc: subprocess.Popen[str], enough: int) -> list[str]:
    """stdout lines as they come, until ``enough`` closed-bar lines (or the deadline)."""
    assert proc.stdout is not None
    lines: list[str] = []
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        end = time.monotonic() + DEADLINE
        while sum(bool(BAR_LINE.match(x)) for x in lines) < enough:
            if time.monotonic() > end or not sel.select(timeout=max(0.0, end - time.monotonic())):
                raise AssertionError(f"gave up waiting for {enough} closed bars: {lines}")
            line = proc.stdout.readline()
            if not line:
                raise AssertionError(f"watch ended early: {lines}")
            lines.append(line.rstrip("\n"))
    return lines


def test_watch_prints_closed_bars_and_a_sigint_stops_it_cleanly(
    db_args: list[str], mongo_uri: str
) -> None:
    proc = subprocess.Popen(
        ["tui-market", *db_args, "watch", "--demo", "-i", "1m", "NASDAQ:AAPL"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        bufsize=1,
    )
    try:
        lines = read_until(proc, 3)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=DEADLINE)
    finally:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        proc.wait()
    lines += out.splitlines()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert lines[0].startswith("feed: ")  # the feed's states are printed too
    assert any(line.startswith("feed: live") for line in lines)
    assert lines[-1] == "feed: stopped"
    bars = [line for line in lines if BAR_LINE.match(line)]
    assert len(bars) >= 3
    times = [line[:16] for line in bars]
    assert times == sorted(set(times)), "each minute closed once, in order"
    saved = re.search(r"^saved (\d+) closed bars$", err, re.MULTILINE)
    assert saved is not None, err
    assert int(saved.group(1)) >= len(bars) - 1  # the first bar opened before the start
    assert stored_bars(mongo_uri, db_args[3]) >= int(saved.group(1))


def run_watch(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["tui-market", *args], capture_output=True, text=True, timeout=DEADLINE)


@pytest.mark.parametrize(
    ("symbol", "says"),
    [
        ("NASDAQ AAPL", "'NASDAQ AAPL': no spaces allowed"),
        ("NASDAQAAPL", "missing ':'"),
        ("NASDAQ:NOPE", "'NASDAQ:NOPE' is not in the offline demo data"),
    ],
)
def test_watch_with_a_bad_symbol_says_so_once_and_exits_non_zero(
    db_args: list[str], symbol: str, says: str
) -> None:
    proc = run_watch(*db_args, "watch", "--demo", "-i", "1m", "NASDAQ:AAPL", symbol)
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("tui-market: ") and says in lines[0]
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""  # nothing was watched
