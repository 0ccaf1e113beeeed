"""A follower across a crash of the embedded server, in-process on its own server.

The follower has read a burst of unjournaled live writes (its resume token names the last);
the server is killed (SIGKILL) and restarted on the same port; journaled bars are stored right
away. The restarted server numbers its oplog again from the last journaled entry, so the token
points past the new entries; the follower must still hold every bar, and the live state
written after the restart. (Before the follower distrusted tokens across a server restart,
this failed with the follower still on its first stream: no new bar, the old price. Whether
the crash loses entries depends on the server's journal timing, so a run may pass anyway.)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import time
from pathlib import Path

import pytest
from pymongo.errors import PyMongoError

from tui_market.commands.publish_live import PublishLive
from tui_market.commands.save_bars import SaveBars
from tui_market.infrastructure import desk_schema
from tui_market.infrastructure.database import Database
from tui_market.infrastructure.embedded import EmbeddedServer
from tui_market.models import Bar, FeedStatus, Interval
from tui_market.models.desk import Heartbeat
from tui_market.models.live import SymbolQuote
from tui_market.runtime import make_bus, offline_providers
from tui_market.services.desk_follower import DeskFollower
from tui_market.settings import load_settings

pytestmark = pytest.mark.skipif(
    "TUI_MARKET_TEST_MONGODB_URI" in os.environ, reason="kills its own embedded server"
)
SYMBOL = "DESK:R0"
START = 1_800_000_000  # a minute boundary


def bar(minute: int) -> Bar:
    return Bar.from_epoch(SYMBOL, Interval.M1, START + 60 * minute, 10.0, 11.0, 9.0, 10.5, 3.0)


def live(price: float) -> desk_schema.Doc:
    quote = SymbolQuote(SYMBOL, price, None, None, float(START), {Interval.M1: bar(99)})
    return desk_schema.live_doc(quote, {}, "test:1")


async def until(predicate: object, what: str, timeout: float = 60.0) -> None:
    assert callable(predicate)
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        await asyncio.sleep(0.05)


async def test_no_bar_is_lost_when_the_token_points_past_the_restarted_oplog(
    data_dir: Path,
) -> None:
    server = EmbeddedServer(data_dir)
    uri = await asyncio.to_thread(server.acquire)
    db = await Database.connect(uri, "desk_resume", embedded=True, timeout=2.0)
    bus = make_bus(db, offline_providers(load_settings())[0])
    beat = Heartbeat("test:1", FeedStatus.LIVE, symbols=(SYMBOL,), persist=(Interval.M1,))
    await bus.execute(PublishLive((live(1.0),), desk_schema.heartbeat_doc(beat)))
    await bus.execute(SaveBars((bar(0),)))
    follower = DeskFollower(db)
    await follower.set_symbols({SYMBOL})
    following = asyncio.create_task(follower.run(lambda event: None))
    try:
        await until(lambda: follower.quote(SYMBOL) is not None, "the first quote")
        for k in range(60):  # unjournaled: lost with the server, their numbers reused
            await bus.execute(PublishLive((live(2.0 + k),)))
        await until(lambda: (follower.quote(SYMBOL) or live_none).last == 61.0, "the burst")
        pid = json.loads((data_dir / "server.json").read_text())["pid"]
        os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):  # our child: reaped, so revive sees it gone
            os.waitpid(pid, 0)
        revived, _ = await asyncio.to_thread(server.revive)
        if revived != db.uri:  # its port was taken meanwhile: re-point, as the supervisor does
            db.rebind(revived)
            bus.rebind()
        deadline = time.monotonic() + 60
        for minute in range(1, 6):  # journaled, right after the restart
            while True:
                try:
                    await bus.execute(SaveBars((bar(minute),)))
                    break
                except PyMongoError:  # the client finds the restarted server
                    assert time.monotonic() < deadline, "the server did not come back"
                    await asyncio.sleep(0.1)
        await bus.execute(PublishLive((live(500.0),)))

        def held() -> list[Bar]:
            return list(follower.snapshot().recent.get((SYMBOL, Interval.M1), ()))

        await until(lambda: held() == [bar(m) for m in range(6)], "every bar")
        await until(lambda: (follower.quote(SYMBOL) or live_none).last == 500.0, "the live state")
        assert follower.opens >= 2
    finally:
        await follower.close()
        await following
        await db.close()
        await asyncio.to_thread(server.release)


live_none = SymbolQuote(SYMBOL)
