"""The handlers that read (or delete) a series' bars do it through an index, never a full scan.

The embedded server scans the whole ``bars`` collection for any ``_id`` range; these tests
watch the real ``find`` commands the handlers send (PyMongo command monitoring on a second
client to the same database) and ask the server to explain each one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pymongo import AsyncMongoClient, monitoring

from tests.fakes.memory_provider import MemoryProvider, make_bars
from tui_market.commands.remove_symbol import RemoveSymbol, RemoveSymbolHandler
from tui_market.commands.save_bars import SaveBars, SaveBarsHandler
from tui_market.commands.sync_history import SyncHistory, SyncHistoryHandler
from tui_market.infrastructure import bar_buckets, schema
from tui_market.infrastructure.database import Database
from tui_market.models import Interval
from tui_market.queries.get_bars import GetBars, GetBarsHandler

H1, D1 = Interval.H1, Interval.D1
SYMBOLS = ("NASDAQ:AAPL", "NASDAQ:MSFT", "NYSE:IBM")


class FindLog(monitoring.CommandListener):
    """The filters of the ``find`` and ``delete`` commands sent to ``bars``."""

    def __init__(self) -> None:
        self.filters: list[dict[str, Any]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name == "find" and event.command.get("find") == bar_buckets.BARS:
            self.filters.append(dict(event.command.get("filter", {})))
        if event.command_name == "delete" and event.command.get("delete") == bar_buckets.BARS:
            self.filters.extend(dict(d["q"]) for d in event.command.get("deletes", []))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        del event

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        del event


async def _explain(db: Database, query: dict[str, Any]) -> dict[str, Any]:
    plan = await db.get_collection(bar_buckets.BARS).find(query).explain()
    winning: dict[str, Any] = plan["queryPlanner"]["winningPlan"]
    return winning.get("inputStage", winning)


async def test_series_reads_and_writes_use_the_series_index(database: Database) -> None:
    finds = FindLog()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        database.uri, tz_aware=True, event_listeners=[finds]
    )
    watched = Database(client, database.name, embedded=database.embedded, uri=database.uri)
    try:
        provider = MemoryProvider()
        for symbol in SYMBOLS:
            provider.set_bars(symbol, H1, make_bars(symbol, H1, 200))
        sync = SyncHistoryHandler(watched, provider)
        for symbol in SYMBOLS:
            await sync(SyncHistory(symbol, H1))
        newer = make_bars("NASDAQ:MSFT", H1, 3, start=1_700_006_400 + 199 * H1.seconds)
        await SaveBarsHandler(watched)(SaveBars(tuple(newer)))
        get = GetBarsHandler(watched)
        assert len(await get(GetBars("NASDAQ:MSFT", H1, last=50))) == 50
        assert len(await get(GetBars("NASDAQ:MSFT", H1))) == 202
        assert await get(GetBars("NASDAQ:MSFT", D1, last=5)) == []
        dropped = await RemoveSymbolHandler(watched)(RemoveSymbol("NYSE:IBM", drop_bars=True))
        assert dropped.bars_deleted == 200
    finally:
        await client.close()
    assert len(finds.filters) >= 7  # 3 syncs, 1 save, 3+ reads, 1 delete
    for query in finds.filters:
        stage = await _explain(database, query)
        assert stage["stage"] == "IXSCAN", (query, stage)
        if set(query) == {"_id"}:  # SaveBars: its bars by exact _id, never an _id range
            assert list(query["_id"]) == ["$in"], query
            assert stage["keyPattern"] == {"_id": 1}, (query, stage)
        else:
            assert stage["keyPattern"] == dict(schema.SERIES_INDEX), (query, stage)


async def test_bucket_reads_select_exactly_the_bars_in_range(database: Database) -> None:
    """GetBars over buckets equals a plain filter of every saved bar, bounds included, for
    ranges that start and end inside buckets, on their edges and outside the series."""
    bars = [bar for s in SYMBOLS for i in (H1, D1) for bar in make_bars(s, i, 260)]
    await SaveBarsHandler(database)(SaveBars(tuple(bars)))
    mine = [b for b in bars if b.symbol == "NASDAQ:MSFT" and b.interval is H1]
    span = H1.seconds * bar_buckets.BUCKET_BARS
    edge = next(b.epoch for b in mine if b.epoch % span == 0)
    epochs = [mine[3].epoch, mine[7].epoch + 1, edge, edge - 1, mine[-1].epoch, mine[0].epoch - 5]
    get = GetBarsHandler(database)
    for start in (None, *epochs):
        for end in (None, *epochs):
            low = datetime.fromtimestamp(start, UTC) if start is not None else None
            high = datetime.fromtimestamp(end, UTC) if end is not None else None
            want = [
                b
                for b in mine
                if (low is None or b.time >= low) and (high is None or b.time <= high)
            ]
            assert await get(GetBars("NASDAQ:MSFT", H1, start=low, end=high)) == want
