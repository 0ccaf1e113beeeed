"""The embedded server: one per data dir, shared, stopped by its last user, durable, stale-safe.

Each test starts its own server in a temp data dir (the session server is left alone).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from pymongo import MongoClient

from tests.fakes.memory_provider import make_bars
from tests.procs import server_pids
from tui_market.commands.save_bars import SaveBars, SaveBarsHandler
from tui_market.infrastructure import bar_buckets, schema
from tui_market.infrastructure.database import Database
from tui_market.infrastructure.embedded import EmbeddedServer, ping
from tui_market.models import Interval
from tui_market.queries.get_bars import GetBars, GetBarsHandler

pytestmark = pytest.mark.skipif(
    "TUI_MARKET_TEST_MONGODB_URI" in os.environ, reason="embedded-server tests use secantus"
)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "zombie" not in _proc_state(pid)


def _proc_state(pid: int) -> str:
    try:
        return (Path(f"/proc/{pid}") / "status").read_text().split("State:")[1].split("\n")[0]
    except (OSError, IndexError):
        return "zombie"


def state_of(data_dir: Path) -> dict[str, int]:
    return json.loads((data_dir / "server.json").read_text())


def test_second_user_reuses_and_last_release_stops(data_dir: Path) -> None:
    first, second = EmbeddedServer(data_dir), EmbeddedServer(data_dir)
    uri = first.acquire()
    assert first.started_here
    pid = state_of(data_dir)["pid"]
    assert second.acquire() == uri
    assert not second.started_here
    assert server_pids(data_dir) == [pid]  # no second server process
    assert first.release() is False  # the other user keeps it up
    assert alive(pid) and ping(uri)
    assert second.release() is True  # the last user stops it
    assert not alive(pid)
    assert server_pids(data_dir) == []
    assert not (data_dir / "server.json").exists()


def test_stale_state_with_a_dead_pid_is_replaced(data_dir: Path) -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    (data_dir / "server.json").write_text(json.dumps({"pid": gone.pid, "port": 1}))
    (data_dir / "clients").mkdir()
    (data_dir / "clients" / f"{gone.pid}.deadbeef").touch()  # a crashed app's registration
    server = EmbeddedServer(data_dir)
    uri = server.acquire()
    assert server.started_here and ping(uri)
    state = state_of(data_dir)
    assert state["pid"] != gone.pid and alive(state["pid"])
    assert server.release() is True  # the dead app does not keep it alive
    assert not alive(state["pid"])


async def test_journaled_bars_survive_kill_9(data_dir: Path) -> None:
    crashed = EmbeddedServer(data_dir)
    uri = await asyncio.to_thread(crashed.acquire)
    db = await Database.connect(uri, "durability", embedded=True)
    assert db.get_collection(bar_buckets.BARS).write_concern.document == {"w": 1, "j": True}
    bars = make_bars("NASDAQ:AAPL", Interval.H1, 3000)
    result = await SaveBarsHandler(db)(SaveBars(tuple(bars)))
    assert result.new == 3000
    pid = state_of(data_dir)["pid"]
    os.kill(pid, signal.SIGKILL)  # right after the write returned
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
    await db.close()

    restarted = EmbeddedServer(data_dir)
    uri2 = await asyncio.to_thread(restarted.acquire)
    assert restarted.started_here and state_of(data_dir)["pid"] != pid
    db2 = await Database.connect(uri2, "durability", embedded=True)
    try:
        stored = await GetBarsHandler(db2)(GetBars("NASDAQ:AAPL", Interval.H1))
    finally:
        await db2.close()
    assert stored == bars
    assert await asyncio.to_thread(restarted.release) is False  # `crashed` is still registered
    assert await asyncio.to_thread(crashed.release) is True
    assert server_pids(data_dir) == []


def test_two_app_processes_share_one_server(data_dir: Path) -> None:
    holder = EmbeddedServer(data_dir)
    uri = holder.acquire()
    pid = state_of(data_dir)["pid"]
    procs = [
        subprocess.Popen(
            # the demo provider resolves the metadata: no network
            [
                "tui-market",
                "--data-dir",
                str(data_dir),
                "--provider",
                "replay",
                "symbols",
                "add",
                symbol,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for symbol in ("NASDAQ:AAPL", "NYSE:IBM")
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert ": added" in out
    assert state_of(data_dir)["pid"] == pid  # both reused the running server
    assert server_pids(data_dir) == [pid] and ping(uri)  # and neither stopped it
    client: MongoClient = MongoClient(uri)
    try:
        stored = {doc["_id"] for doc in client["tui_market"][schema.SYMBOLS].find({})}
    finally:
        client.close()
    assert stored == {"NASDAQ:AAPL", "NYSE:IBM"}
    assert holder.release() is True
    assert not alive(pid)
