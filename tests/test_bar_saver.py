"""BarSaver: a failed save keeps the bars for the next attempt and reports the failure."""

from __future__ import annotations

from pymongo import AsyncMongoClient

from tests.fakes.memory_provider import MemoryProvider, make_bars
from tui_market.infrastructure.database import Database
from tui_market.models import Interval
from tui_market.queries.get_bars import GetBars
from tui_market.services.bar_saver import BarSaver
from tui_market.services.bus import Bus
from tui_market.services.live_state import StorageError


async def test_failed_save_keeps_bars_and_reports(database: Database) -> None:
    client: AsyncMongoClient = AsyncMongoClient(
        "mongodb://127.0.0.1:1/?directConnection=true", serverSelectionTimeoutMS=200
    )
    down = Database(client, "nowhere", embedded=False, uri="mongodb://127.0.0.1:1")
    errors: list[StorageError] = []
    saver = BarSaver(Bus(down, MemoryProvider()), errors.append)
    bars = make_bars("NASDAQ:AAPL", Interval.M1, 3)
    for bar in bars:
        saver.add(bar)
    assert await saver.flush() == 0
    assert len(saver) == 3 and saver.saved == 0
    assert len(errors) == 1 and errors[0].pending == 3
    await down.close()

    up = BarSaver(Bus(database, MemoryProvider()), errors.append)
    for bar in bars:
        up.add(bar)
    assert await up.flush() == 3 and len(up) == 0 and up.saved == 3
    stored = await Bus(database, MemoryProvider()).execute(GetBars("NASDAQ:AAPL", Interval.M1))
    assert stored == bars
