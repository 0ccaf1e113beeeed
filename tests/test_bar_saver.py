"""BarSaver: a failed save keeps the bars for the next attempt and reports the outage once;
the queue is bounded (the oldest dropped, one warning); the recovery is reported with counts."""

from __future__ import annotations

import asyncio

from pymongo import AsyncMongoClient

from tests.fakes.memory_provider import MemoryProvider, make_bars
from tui_market.infrastructure.database import Database
from tui_market.models import Interval
from tui_market.models.live import StorageError, StorageEvent, StorageRecovered
from tui_market.queries.get_bars import GetBars
from tui_market.services.bar_saver import BarSaver
from tui_market.services.bus import Bus


async def test_failed_save_keeps_bars_and_reports(database: Database) -> None:
    client: AsyncMongoClient = AsyncMongoClient(
        "mongodb://127.0.0.1:1/?directConnection=true", serverSelectionTimeoutMS=200
    )
    down = Database(client, "nowhere", embedded=False, uri="mongodb://127.0.0.1:1")
    errors: list[StorageEvent] = []
    saver = BarSaver(Bus(down, MemoryProvider()), errors.append)
    bars = make_bars("NASDAQ:AAPL", Interval.M1, 3)
    for bar in bars:
        saver.add(bar)
    assert await saver.flush() == 0
    assert len(saver) == 3 and saver.saved == 0
    assert len(errors) == 1 and isinstance(errors[0], StorageError) and errors[0].pending == 3
    await down.close()

    up = BarSaver(Bus(database, MemoryProvider()), errors.append)
    for bar in bars:
        up.add(bar)
    assert await up.flush() == 3 and len(up) == 0 and up.saved == 3
    stored = await Bus(database, MemoryProvider()).execute(GetBars("NASDAQ:AAPL", Interval.M1))
    assert stored == bars


async def test_bounded_queue_drops_the_oldest_warns_once_and_reports_the_recovery(
    database: Database, mongo_uri: str
) -> None:
    client: AsyncMongoClient = AsyncMongoClient(
        "mongodb://127.0.0.1:1/?directConnection=true", serverSelectionTimeoutMS=200
    )
    db = Database(client, database.name, embedded=False, uri="mongodb://127.0.0.1:1")
    bus = Bus(db, MemoryProvider())
    events: list[StorageEvent] = []
    saver = BarSaver(bus, events.append, max_pending=5, batch=2)
    bars = make_bars("NASDAQ:AAPL", Interval.M1, 14)
    for bar in bars[:3]:
        saver.add(bar)
    assert await saver.flush() == 0 and len(saver) == 3 and saver.down
    for bar in bars[3:12]:  # 12 waiting against a bound of 5: the 7 oldest go at once
        saver.add(bar)
    assert len(saver) == 5 and saver.dropped == 7
    flushing = asyncio.create_task(saver.flush())
    await asyncio.sleep(0.05)  # the two oldest are in flight (the save waits for a server)
    for bar in bars[12:]:
        saver.add(bar)
    assert len(saver) == 7  # over the bound by the batch in flight, until it comes back
    assert await flushing == 0
    assert len(saver) == 5 and saver.dropped == 9  # the failed batch, the oldest, went
    errors = [e for e in events if isinstance(e, StorageError)]
    assert len(errors) == 2, "one report for the outage and one for the full queue"
    assert "failed" in errors[0].message and "oldest" in errors[1].message
    assert not any(isinstance(e, StorageRecovered) for e in events)

    db.rebind(mongo_uri)  # the database is back (on another address: re-pointed)
    bus.rebind()
    assert await saver.flush() == 5 and len(saver) == 0 and not saver.down
    assert events[-1] == StorageRecovered(saved=5, dropped=9)
    assert events[-1].message == "database back: 5 bars saved; 9 oldest dropped (queue full)"
    stored = await Bus(database, MemoryProvider()).execute(GetBars("NASDAQ:AAPL", Interval.M1))
    assert stored == bars[-5:]
    await db.close()
