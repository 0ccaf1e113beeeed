"""The database dies under the live service (issue 6, fault 2): no closed bar is lost.

- embedded: the server is killed with SIGKILL mid-run; the supervisor restarts it on the same
  port, the open client reconnects, and the bars closed meanwhile are stored (none lost, none
  twice);
- remote URI: a server we started ourselves is killed; the supervisor only waits (it starts no
  server), the saver reports the outage once and keeps the bars; we start the server again on
  the same port and storage, and everything closed is stored.

Each test runs its own server in a temp dir (the session server is left alone).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.procs import server_pids
from tui_market.infrastructure.database import Database
from tui_market.infrastructure.embedded import EmbeddedServer
from tui_market.infrastructure.server_process import free_port, ping, spawn, uri_for
from tui_market.models import Bar, Interval
from tui_market.models.live import (
    BarClosedEvent,
    LiveEvent,
    StorageError,
    StorageRecovered,
)
from tui_market.providers.replay import ReplayProvider, ReplayQuoteStream
from tui_market.queries.get_bars import GetBars
from tui_market.services.bus import Bus
from tui_market.services.db_supervisor import DatabaseHealth, DatabaseSupervisor
from tui_market.services.quote_service import QuoteService

pytestmark = pytest.mark.skipif(
    "TUI_MARKET_TEST_MONGODB_URI" in os.environ, reason="outage tests kill their own secantus"
)
SYMBOLS = ["NASDAQ:AAPL", "BITSTAMP:BTCUSD"]
START = 1_700_000_000.0


def values(bar: Bar) -> tuple[object, ...]:
    return (
        bar.symbol,
        bar.interval,
        bar.epoch,
        bar.open,
        bar.high,
        bar.low,
        bar.close,
        round(bar.volume, 6),
    )


async def wait_for(predicate: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    try:
        async with asyncio.timeout(timeout):
            while not predicate():
                await asyncio.sleep(0.02)
    except TimeoutError:
        raise AssertionError(f"gave up waiting for {what}") from None


def kill_9(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


@dataclass
class LiveRun:
    """The live service on the replay stream (2 symbols, 20 one-minute bars a second)."""

    db: Database
    bus: Bus
    supervisor: DatabaseSupervisor
    events: list[LiveEvent] = field(default_factory=list)
    healths: list[DatabaseHealth] = field(default_factory=list)
    marks: list[tuple[bool, int]] = field(default_factory=list)  # (up, bars closed so far)

    def __post_init__(self) -> None:
        self.stream = ReplayQuoteStream(speed=600.0, start=START)
        provider = ReplayProvider()
        self.service = QuoteService(
            self.stream, self.bus, provider, (Interval.M1,), flush_every=0.1
        )

    def closed(self) -> list[Bar]:
        return [e.bar for e in self.events if isinstance(e, BarClosedEvent)]

    def errors(self) -> list[StorageError]:
        return [e for e in self.events if isinstance(e, StorageError)]

    def recovered(self) -> list[StorageRecovered]:
        return [e for e in self.events if isinstance(e, StorageRecovered)]

    def down(self) -> bool:
        return bool(self.healths) and not self.healths[-1].up

    async def start(self) -> None:
        await self.service.set_symbols(set(SYMBOLS))
        self._watch = asyncio.create_task(self.supervisor.run(self._changed))
        self._live = asyncio.create_task(self.service.run(self.events.append))
        await wait_for(lambda: self.service.saved >= 10, "bars saved before the outage")

    def _changed(self, health: DatabaseHealth) -> None:
        self.healths.append(health)
        self.marks.append((health.up, len(self.closed())))

    async def finish(self) -> None:
        await self.stream.close()
        await asyncio.wait_for(self._live, 20)
        self._watch.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._watch

    def closed_while_down(self) -> int:
        """Bars closed between the supervisor's 'down' and its 'up' again."""
        down = next(i for i, (up, _) in enumerate(self.marks) if not up)
        back = next(i for i in range(down, len(self.marks)) if self.marks[i][0])
        return self.marks[back][1] - self.marks[down][1]

    async def check_nothing_lost(self) -> None:
        closed = self.closed()
        keys = [(b.symbol, b.interval, b.epoch) for b in closed]
        assert len(keys) == len(set(keys)), "a closed bar was reported twice"
        stored: list[Bar] = []
        for symbol in SYMBOLS:
            stored.extend(await self.bus.execute(GetBars(symbol, Interval.M1)))
        assert sorted(map(values, stored)) == sorted(map(values, closed))  # 0 lost, 0 twice
        assert self.service.saved >= len(closed)


async def test_embedded_server_killed_is_restarted_and_no_bar_is_lost(data_dir: Path) -> None:
    server = EmbeddedServer(data_dir)
    uri = await asyncio.to_thread(server.acquire)
    db = await Database.connect(uri, "outage", embedded=True)
    bus = Bus(db, ReplayProvider())
    run = LiveRun(db, bus, DatabaseSupervisor(db, server, bus, every=0.2, timeout=1.0))
    try:
        await run.start()
        before = json.loads((data_dir / "server.json").read_text())
        kill_9(before["pid"])
        await wait_for(run.down, "the outage noticed")
        await wait_for(lambda: run.healths[-1].up, "the database back")
        after = json.loads((data_dir / "server.json").read_text())
        assert after["pid"] != before["pid"] and after["port"] == before["port"]
        assert server_pids(data_dir) == [after["pid"]]  # one server, not two
        assert run.supervisor.restarts == 1 and db.uri == uri  # same port: same client
        closed = len(run.closed())
        await wait_for(lambda: len(run.closed()) >= closed + 20, "bars closed after the restart")
        await run.finish()
        assert run.closed_while_down() > 0
        await run.check_nothing_lost()
    finally:
        await db.close()
        await asyncio.to_thread(server.release)
    assert server_pids(data_dir) == []


async def test_remote_database_away_and_back_no_bar_is_lost(data_dir: Path) -> None:
    port = free_port()
    pid = await asyncio.to_thread(spawn, data_dir, port, 20.0)
    uri = uri_for(port)
    db = await Database.connect(uri, "outage", embedded=False, timeout=1.0)
    bus = Bus(db, ReplayProvider())
    # Even handed a server for the dir, the supervisor must never start one for a URI.
    supervisor = DatabaseSupervisor(db, EmbeddedServer(data_dir), bus, every=0.2, timeout=0.5)
    run = LiveRun(db, bus, supervisor)
    try:
        await run.start()
        kill_9(pid)
        await wait_for(lambda: bool(run.errors()), "a failed save reported")
        await wait_for(run.down, "the outage noticed")
        checks = supervisor.revive_attempts
        await asyncio.sleep(2.0)  # ~10 supervisor rounds and two failed flushes
        assert not ping(uri, timeout=2.0), "something restarted the remote server"
        assert server_pids(data_dir) == [] and supervisor.revive_attempts == checks == 0
        assert not (data_dir / "server.json").exists()
        assert run.healths[-1].detail == f"waiting for 127.0.0.1:{port}"
        pid = await asyncio.to_thread(spawn, data_dir, port, 20.0)  # same port, same storage
        await wait_for(lambda: bool(run.recovered()), "the backlog flushed")
        assert run.healths[-1].up and supervisor.restarts == 0
        await run.finish()
        assert len(run.errors()) == 1, "the outage was reported more than once"
        recovered = run.recovered()
        assert len(recovered) == 1 and recovered[0].dropped == 0 and recovered[0].saved > 0
        assert run.closed_while_down() > 0
        await run.check_nothing_lost()
    finally:
        await db.close()
        with contextlib.suppress(ProcessLookupError):
            kill_9(pid)
