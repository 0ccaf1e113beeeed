"""Fault 3 (issue 6): ``kill -9`` of ``tui-market sync`` in the middle of a sync, then a rerun.

The installed console script syncs the offline demo data (1m bars) into the embedded database
of a data dir of its own, which the first run starts. Runs are killed with SIGKILL at points
the test observes: while a symbol's bars are being written (the store holds some of them: the
server takes an insert in batches of 1000), or right after the run logged a symbol synced.
The last run completes. Then:
- the database outlived the killed process that started it (its own session), the reruns
  reused it, and the last run dropped the dead runs' registrations;
- right after each kill, no sync_state claims bars the store lacks;
- per series the store holds exactly the bars a clean sync into a fresh database holds (same
  values), one per open time, and the sync_state documents agree with those bars.
Long variant (``TUI_MARKET_LONG_TESTS=1``): every demo symbol, all of their 1m bars, a kill
in the middle of each symbol's write but the last one's.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.dbdump import BARS, bar_docs
from tests.procs import server_pids
from tui_market.commands.sync_history import SyncHistory
from tui_market.infrastructure import bar_buckets, schema
from tui_market.infrastructure.database import Database
from tui_market.infrastructure.embedded import EmbeddedServer
from tui_market.models import Interval
from tui_market.providers.replay import ReplayProvider
from tui_market.services.bus import Bus
from tui_market.settings import DEMO_DATABASE

LONG = os.environ.get("TUI_MARKET_LONG_TESTS") == "1"
CLI = str(Path(sys.executable).with_name("tui-market"))
SYNCED = re.compile(r"synced (\S+) 1m: \d+ new")
Doc = dict[str, Any]
KillPoint = Callable[["Run"], Awaitable[bool]]


class Run:
    """One ``tui-market sync`` process; its stderr (``-v``: the log) goes to a file."""

    def __init__(self, command: list[str], log: Path, db: Database | None) -> None:
        self.log, self.db = log, db
        with open(log, "w") as err:
            self.proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err)

    def synced(self) -> list[str]:
        return SYNCED.findall(self.log.read_text())

    async def kill_when(self, point: KillPoint, timeout: float = 120.0) -> None:
        """SIGKILL the process as soon as ``point`` holds (polled every 10 ms)."""
        async with asyncio.timeout(timeout):
            while not await point(self):
                assert self.proc.poll() is None, f"the sync ended first: {self.synced()}"
                await asyncio.sleep(0.01)
        os.kill(self.proc.pid, signal.SIGKILL)
        assert await asyncio.to_thread(self.proc.wait, 30) == -signal.SIGKILL


def after_synced(count: int) -> KillPoint:
    """Right after the run logged ``count`` symbols synced (the next one is in flight)."""

    async def point(run: Run) -> bool:
        return len(run.synced()) >= count

    return point


def while_writing(symbol: str) -> KillPoint:
    """As soon as the store holds some of ``symbol``'s bars (their insert has begun)."""

    async def point(run: Run) -> bool:
        assert run.db is not None
        return (
            await run.db.get_collection(BARS).find_one(
                bar_buckets.bucket_filter(symbol, Interval.M1), {"_id": 1}
            )
            is not None
        )

    return point


def utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


async def series_of(db: Database, symbols: list[str]) -> dict[str, tuple[list[Doc], Doc | None]]:
    """Per symbol: its 1m bars (time order) and its sync_state document."""
    out: dict[str, tuple[list[Doc], Doc | None]] = {}
    for symbol in symbols:
        held = db.get_collection(BARS).find(bar_buckets.bucket_filter(symbol, Interval.M1))
        bars = bar_docs([doc async for doc in held])  # one per bar, time order
        state = await db.get_collection(schema.SYNC_STATE).find_one(
            {"_id": schema.sync_id(symbol, Interval.M1)}
        )
        out[symbol] = (bars, state)
    return out


def bar_values(bars: list[Doc]) -> list[tuple[object, ...]]:
    return [(b["_id"], utc(b["t"]), b["o"], b["h"], b["l"], b["c"], b["v"]) for b in bars]


def check_state_agrees(symbol: str, bars: list[Doc], state: Doc | None) -> None:
    """The sync_state document says what the stored bars are: ok, their tail, their count."""
    assert state is not None, f"{symbol}: bars but no sync_state"
    assert (state["status"], state["error"], state["rejected"]) == ("ok", None, 0), symbol
    assert state["new"] + state["updated"] + state["unchanged"] == len(bars), symbol
    last, prev = bars[-1], bars[-2]
    assert utc(state["last_bar"]) == utc(last["t"]), symbol
    assert (state["last_close"], state["last_volume"]) == (last["c"], last["v"]), symbol
    assert utc(state["prev_bar"]) == utc(prev["t"]) and state["prev_close"] == prev["c"], symbol


async def check_nothing_claimed_is_missing(db: Database, symbols: list[str]) -> dict[str, int]:
    """Right after a kill: a series' sync_state never claims bars the store lacks (its tail
    bar is stored with its close, and an ok sync's count is all there). Returns bar counts."""
    counts: dict[str, int] = {}
    for symbol, (bars, state) in (await series_of(db, symbols)).items():
        counts[symbol] = len(bars)
        if state is None:
            continue
        by_time = {utc(b["t"]): b for b in bars}
        tail = by_time.get(utc(state["last_bar"]))
        assert tail is not None and tail["c"] == state["last_close"], f"{symbol}: {state}"
        done = state["new"] + state["updated"] + state["unchanged"]
        assert state["status"] == "ok" and len(bars) >= done, f"{symbol}: {state}"
    return counts


async def crash_and_resume(
    database: Database, data_dir: Path, symbols: list[str], n_bars: int, kills: list[KillPoint]
) -> list[str]:
    """Run the sync, killing run ``i`` at ``kills[i]``, then once more to the end; check the
    store against a clean sync into ``database``. Returns the last run's stdout lines."""
    command = [
        CLI,
        "-v",
        "--data-dir",
        str(data_dir),
        "sync",
        "--demo",
        "--interval",
        "1m",
        "--bars",
        str(n_bars),
        *symbols,
    ]
    clients = data_dir / "clients"
    first = Run(command, data_dir.parent / "run0.log", None)
    async with asyncio.timeout(60):  # the app starts the database; the test then shares it
        while not server_pids(data_dir):
            await asyncio.sleep(0.01)
    server = server_pids(data_dir)
    embedded = EmbeddedServer(data_dir)
    db = await Database.connect(
        await asyncio.to_thread(embedded.acquire), DEMO_DATABASE, embedded=True
    )
    try:
        first.db = db
        await first.kill_when(kills[0])
        for index, point in enumerate(kills):
            if index:
                await Run(command, data_dir.parent / f"run{index}.log", db).kill_when(point)
            assert server_pids(data_dir) == server, "the database died with the app"
            counts = await check_nothing_claimed_is_missing(db, symbols)
            print(f"killed run {index}: bars stored {counts}")
        last = await asyncio.to_thread(
            subprocess.run, command, capture_output=True, text=True, timeout=120
        )
        assert last.returncode == 0, last.stderr[-2000:]
        assert server_pids(data_dir) == server
        # The last run dropped the dead runs' registrations; only the test's own is left.
        assert [p.name.split(".")[0] for p in clients.iterdir()] == [str(os.getpid())]
        crashed = await series_of(db, symbols)
    finally:
        await db.close()
        stopping = asyncio.create_task(asyncio.to_thread(embedded.release))

    bus = Bus(database, ReplayProvider())  # the clean sync: same handler, fresh database
    for symbol in symbols:
        await bus.execute(SyncHistory(symbol, Interval.M1, n_bars))
    clean = await series_of(database, symbols)
    assert await stopping and server_pids(data_dir) == []

    for symbol in symbols:
        bars, state = crashed[symbol]
        clean_bars, clean_state = clean[symbol]
        assert len(bars) == len(clean_bars) == min(n_bars, len(clean_bars)) > 2, symbol
        assert len({b["t"] for b in bars}) == len(bars), f"{symbol}: duplicate open times"
        assert bar_values(bars) == bar_values(clean_bars), f"{symbol}: bars differ"
        check_state_agrees(symbol, bars, state)
        check_state_agrees(symbol, clean_bars, clean_state)
    return last.stdout.splitlines()


async def test_kill_9_during_sync_then_rerun_leaves_a_consistent_store(
    database: Database, tmp_path: Path
) -> None:
    symbols = ["BITSTAMP:BTCUSD", "NASDAQ:AAPL", "TVC:DXY"]
    kills = [while_writing(symbols[0]), after_synced(2)]
    lines = await crash_and_resume(database, tmp_path / "data", symbols, 2000, kills)
    # The last run wrote only what the killed runs had not.
    assert lines[0] == f"{symbols[0]} 1m: 0 new, 0 updated, 2000 unchanged"
    assert lines[1] == f"{symbols[1]} 1m: 0 new, 0 updated, 2000 unchanged"
    assert lines[2].startswith(f"{symbols[2]} 1m: ") and " 0 new" not in lines[2]


@pytest.mark.skipif(not LONG, reason="long run: set TUI_MARKET_LONG_TESTS=1")
@pytest.mark.timeout(900)
async def test_kill_9_while_writing_each_symbol_of_a_full_sync(
    database: Database, tmp_path: Path
) -> None:
    symbols = sorted(ReplayProvider().data.symbols)
    kills = [while_writing(symbol) for symbol in symbols[:-1]]
    lines = await crash_and_resume(database, tmp_path / "data", symbols, 20_000, kills)
    assert len(lines) == len(symbols) and " 0 new" not in lines[-1]
