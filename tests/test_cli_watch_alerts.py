"""An alert set on the demo fires in ``tui-market watch`` (a real process): exactly once when
the replayed price crosses it, with a line in the output and the event in MongoDB; a restart
replays the same prices (the crossing happens again) and does not fire it again.

The level comes from the replay data itself (``tests.replay_level``).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import selectors
import signal
import subprocess
import time
from collections.abc import Callable

from pymongo import MongoClient

from tests.replay_level import SYMBOL, close_crossing_level, crossing_level, replay_prices
from tests.test_cli_watch import BAR_LINE, DEADLINE
from tui_market.infrastructure import alert_schema


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(["tui-market", *args], capture_output=True, text=True, timeout=DEADLINE)
    assert proc.returncode == 0, proc.stderr
    return proc


def watch_bars(
    db_args: list[str], bars: int, after: Callable[[str], bool] | None = None
) -> tuple[list[str], str]:
    """Run ``watch`` until ``bars`` closed-bar lines (counted from the first line ``after``
    accepts, when given), stop it with SIGINT; (stdout, stderr)."""
    proc = subprocess.Popen(
        ["tui-market", *db_args, "watch", "--demo", "-i", "1m", SYMBOL],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        bufsize=1,
    )
    assert proc.stdout is not None
    lines: list[str] = []
    try:
        with selectors.DefaultSelector() as sel:
            sel.register(proc.stdout, selectors.EVENT_READ)
            end = time.monotonic() + DEADLINE
            start: int | None = 0 if after is None else None
            while start is None or sum(bool(BAR_LINE.match(x)) for x in lines[start:]) < bars:
                left = end - time.monotonic()
                if left <= 0 or not sel.select(timeout=left):
                    raise AssertionError(f"gave up waiting for {bars} bars: {lines}")
                line = proc.stdout.readline()
                if not line:
                    raise AssertionError(f"watch ended early: {lines}")
                lines.append(line.rstrip("\n"))
                if start is None and after is not None and after(lines[-1]):
                    start = len(lines)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=DEADLINE)
    finally:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        proc.wait()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    return lines + out.splitlines(), err


def test_a_demo_alert_fires_once_in_watch_and_not_again_after_a_restart(
    cli_db: tuple[list[str], MongoClient],
) -> None:
    args, database = cli_db
    level = crossing_level(asyncio.run(replay_prices()))
    cli(*args, "symbols", "add", SYMBOL)
    added = cli(*args, "alerts", "add", SYMBOL, "above", str(level))
    assert added.stdout.startswith("alert 1: ")

    # 12 replayed minutes (6 ticks each) cover the first 72 ticks: both crossings
    lines, _ = watch_bars(args, 12)
    fired = [line for line in lines if line.startswith("alert ")]
    assert len(fired) == 1, lines
    assert re.fullmatch(rf"alert 1: {SYMBOL} crosses above {level:g}: now [\d.]+", fired[0])
    assert float(fired[0].rsplit(" ", 1)[1]) >= level
    events = list(database[alert_schema.ALERT_EVENTS].find({}))
    assert [(e["alert_id"], e["source"], e["seen"]) for e in events] == [(1, "watch", False)]
    assert events[0]["price"] >= level
    doc = database[alert_schema.ALERTS].find_one({"_id": 1})
    assert doc is not None and doc["active"] is False and doc["fired_count"] == 1

    # a restart plays the same prices again: the spent alert stays quiet
    again, _ = watch_bars(args, 12)
    assert not [line for line in again if line.startswith("alert ")], again
    assert database[alert_schema.ALERT_EVENTS].count_documents({}) == 1


def test_a_close_alert_of_another_interval_fires_in_watch(
    cli_db: tuple[list[str], MongoClient],
) -> None:
    """``watch -i 1m`` judges a 3m close alert: every interval's bars are built, the 1m ones
    printed and saved. The level is one a 3m close crosses in the first 12 minutes, whichever
    minute of its 3 the replay starts in; the firing price is the close of the 1m bar that
    ends a 3m period (same last trade)."""
    args, database = cli_db
    level = close_crossing_level(asyncio.run(replay_prices(72)), ticks_per_minute=6, minutes=12)
    cli(*args, "symbols", "add", SYMBOL)
    added = cli(*args, "alerts", "add", SYMBOL, "close-above", str(level), "-i", "3m")
    assert f"closes above {level:g} (3m)" in added.stdout

    lines, _ = watch_bars(args, 2, after=lambda line: line.startswith("alert "))
    fired = [line for line in lines if line.startswith("alert ")]
    assert len(fired) == 1, lines
    price = float(fired[0].rsplit(" ", 1)[1])
    assert price > level
    bars = [line.split() for line in lines if BAR_LINE.match(line)]
    three_minute_ends = {
        float(b[b.index("C") + 1]) for b in bars if (int(b[1][-2:]) + 1) % 3 == 0
    }  # "HH:MM" of a 1m bar's open: it ends a 3m period when the next minute is one
    assert price in three_minute_ends, (fired, bars)
    assert not [line for line in lines if " 3m " in line], "only the watched interval printed"
    doc = database[alert_schema.ALERTS].find_one({"_id": 1})
    assert doc is not None and doc["fired_count"] == 1
