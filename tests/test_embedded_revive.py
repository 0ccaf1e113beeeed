"""Reviving a killed embedded server: a second user reuses the one the first revived, and when
another program took the old port the server comes back on a new one and the Database and the
Bus are re-pointed (the bars stored before are all there)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
from pathlib import Path

import pytest

from tests.fakes.memory_provider import MemoryProvider, make_bars
from tests.procs import server_pids
from tui_market.commands.save_bars import SaveBars
from tui_market.infrastructure.database import Database
from tui_market.infrastructure.embedded import HOST, EmbeddedServer, ping
from tui_market.infrastructure.server_process import uri_for
from tui_market.models import Interval
from tui_market.queries.get_bars import GetBars
from tui_market.services.bus import Bus
from tui_market.services.db_supervisor import DatabaseSupervisor

pytestmark = pytest.mark.skipif(
    "TUI_MARKET_TEST_MONGODB_URI" in os.environ, reason="embedded-server tests use secantus"
)


def kill_9(data_dir: Path) -> dict[str, int]:
    state: dict[str, int] = json.loads((data_dir / "server.json").read_text())
    os.kill(state["pid"], signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(state["pid"], 0)
    return state


def test_second_user_reuses_the_server_the_first_revived(data_dir: Path) -> None:
    first, second = EmbeddedServer(data_dir), EmbeddedServer(data_dir)
    uri = first.acquire()
    assert second.acquire() == uri
    killed = kill_9(data_dir)
    assert not ping(uri)
    assert first.revive() == (uri, True)  # same port: the same URI
    assert second.revive() == (uri, False)  # already up: reused, not started twice
    pid = json.loads((data_dir / "server.json").read_text())["pid"]
    assert pid != killed["pid"] and server_pids(data_dir) == [pid] and ping(uri)
    assert first.release() is False and second.release() is True
    assert server_pids(data_dir) == []


async def test_port_taken_after_the_kill_revives_on_a_new_port(data_dir: Path) -> None:
    server = EmbeddedServer(data_dir)
    uri = await asyncio.to_thread(server.acquire)
    db = await Database.connect(uri, "revive", embedded=True)
    bus = Bus(db, MemoryProvider())
    bars = make_bars("NASDAQ:AAPL", Interval.M1, 40)
    try:
        await bus.execute(SaveBars(tuple(bars[:20])))
        killed = kill_9(data_dir)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as squatter:
            squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            squatter.bind((HOST, killed["port"]))  # another program took the port
            squatter.listen()
            supervisor = DatabaseSupervisor(db, server, bus, timeout=5.0)  # the revived one's ping
            assert await supervisor.check()  # down -> revived elsewhere -> up
        port = json.loads((data_dir / "server.json").read_text())["port"]
        assert port != killed["port"] and supervisor.restarts == 1
        assert db.uri == uri_for(port)
        await bus.execute(SaveBars(tuple(bars[20:])))  # through the rebuilt handlers
        assert await bus.execute(GetBars("NASDAQ:AAPL", Interval.M1)) == bars
    finally:
        await db.close()
        await asyncio.to_thread(server.release)
    assert server_pids(data_dir) == []
