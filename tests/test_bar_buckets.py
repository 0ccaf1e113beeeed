"""The bucket layout: a store of an earlier version moved by ``MigrateBars``, bars dropped in
place, and change events that name only the bars a write touched."""

from __future__ import annotations

import asyncio

from tests.dbdump import BARS, dump
from tests.fakes.memory_provider import make_bars
from tui_market.commands import bar_writes
from tui_market.commands.drop_bars import DropBars, DropBarsHandler
from tui_market.commands.migrate_bars import MigrateBars, MigrateBarsHandler
from tui_market.commands.save_bars import SaveBars, SaveBarsHandler
from tui_market.infrastructure import bar_buckets, bar_journal, schema
from tui_market.infrastructure.database import Database
from tui_market.models import Bar, Interval
from tui_market.queries.get_bars import GetBars, GetBarsHandler
from tui_market.queries.old_layout import OldLayoutBars, OldLayoutBarsHandler

H1, M1 = Interval.H1, Interval.M1


def old_doc(bar: Bar) -> dict[str, object]:
    """A bar as an earlier version stored it (one document, ``_id`` = series + epoch); written
    here by hand, not through the code under test."""
    return {
        "_id": f"{bar.symbol}|{bar.interval.value}|{bar.epoch:012d}",
        "symbol": bar.symbol,
        "interval": bar.interval.value,
        "t": bar.time,
        "o": bar.open,
        "h": bar.high,
        "l": bar.low,
        "c": bar.close,
        "v": bar.volume,
    }


async def test_an_old_store_is_migrated_once_and_reads_the_same(database: Database) -> None:
    bars = make_bars("NASDAQ:AAPL", H1, 250) + make_bars("BITSTAMP:BTCUSD", M1, 130)
    old = database.get_collection(schema.OHLCV)
    await old.insert_many([old_doc(bar) for bar in bars])
    assert await OldLayoutBarsHandler(database)(OldLayoutBars()) == 380
    seen: list[int] = []
    result = await MigrateBarsHandler(database)(MigrateBars(batch=100, progress=seen.append))
    assert (result.read, result.written, result.unreadable, result.dropped) == (380, 380, 0, True)
    assert seen == [100, 200, 300]
    assert await OldLayoutBarsHandler(database)(OldLayoutBars()) == 0
    get = GetBarsHandler(database)
    assert await get(GetBars("NASDAQ:AAPL", H1)) == bars[:250]
    assert await get(GetBars("BITSTAMP:BTCUSD", M1, last=30)) == bars[-30:]
    again = await MigrateBarsHandler(database)(MigrateBars())
    assert (again.read, again.written) == (0, 0)


async def test_an_unreadable_old_document_keeps_the_old_collection(database: Database) -> None:
    bars = make_bars("NASDAQ:AAPL", H1, 5)
    old = database.get_collection(schema.OHLCV)
    await old.insert_many([old_doc(bar) for bar in bars] + [{"_id": "junk", "symbol": 5}])
    result = await MigrateBarsHandler(database)(MigrateBars())
    assert (result.read, result.written, result.unreadable, result.dropped) == (6, 5, 1, False)
    assert await old.count_documents({}) == 6  # nothing the user stored is dropped unread
    assert await GetBarsHandler(database)(GetBars("NASDAQ:AAPL", H1)) == bars


async def test_drop_bars_unsets_bars_and_deletes_emptied_buckets(database: Database) -> None:
    bars = make_bars("NASDAQ:AAPL", H1, 250)  # three buckets
    await SaveBarsHandler(database)(SaveBars(tuple(bars)))
    start = bar_buckets.bucket_start(H1, bars[0].epoch)
    first_bucket = [b for b in bars if bar_buckets.bucket_start(H1, b.epoch) == start]
    assert len(first_bucket) == 76
    gone = {b.epoch for b in first_bucket} | {bars[200].epoch, bars[201].epoch, 12}
    dropped = await DropBarsHandler(database)(DropBars("NASDAQ:AAPL", H1, tuple(gone)))
    assert dropped == len(first_bucket) + 2  # epoch 12 was never stored
    kept = [b for b in bars if b.epoch not in gone]
    assert await GetBarsHandler(database)(GetBars("NASDAQ:AAPL", H1)) == kept
    assert len((await dump(database))[BARS]) == len(kept)  # and every bucket's n agrees
    buckets = [d["_id"] async for d in database.get_collection(BARS).find({})]
    assert len(buckets) == 2


async def test_a_change_event_names_only_the_bars_written(database: Database) -> None:
    """A follower reads the bars a live save wrote from its change events: a live minute of
    three symbols is one journal document naming their three bars; a correction of one of
    them names that bar alone (not the others, nor the ~100 its bucket holds)."""
    symbols = ("NASDAQ:AAPL", "NYSE:BRK.B", "BINANCE:BTCUSDT")
    history = make_bars("NASDAQ:AAPL", M1, 50)
    save = SaveBarsHandler(database)
    await save(SaveBars(tuple(history)))
    at = history[-1].epoch + 120  # not a fold slot: the minute stays journaled
    minute = [
        Bar.from_epoch(s, M1, at, 9.0, 12.0, 8.5, 9.0 + n, 1.0) for n, s in enumerate(symbols)
    ]
    fixed = minute[1].model_copy(update={"close": 9.25})
    stream = await database.get_collection("bar_journal").watch(full_document="updateLookup")
    try:
        await save(SaveBars(tuple(minute)))
        await save(SaveBars((minute[0], fixed, minute[2])))
        events = [await asyncio.wait_for(stream.next(), 10) for _ in range(2)]
    finally:
        await stream.close()
    assert [e["operationType"] for e in events] == ["insert", "update"]
    assert sorted(bar_journal.changed_bars(events[0]), key=lambda b: b.symbol) == sorted(
        minute, key=lambda b: b.symbol
    )
    assert bar_journal.changed_bars(events[1]) == [fixed]


async def test_a_bucket_created_after_the_read_keeps_both_writers_bars(database: Database) -> None:
    """Writer A read no bucket, then B created it: A's whole-bucket insert finds it there and
    A's bars go in as fields, next to B's (a read this stale is what racing writers see)."""
    bars = make_bars("NASDAQ:AAPL", M1, 20)
    await SaveBarsHandler(database)(SaveBars(tuple(bars[10:])))  # writer B
    coll = database.get_collection(BARS)
    docs = bar_writes.series_docs("NASDAQ:AAPL", M1, bars[:10])
    counts = await bar_writes._apply(coll, docs, held=[])  # writer A, with its stale read
    assert counts.new == 10
    assert await GetBarsHandler(database)(GetBars("NASDAQ:AAPL", M1)) == bars
    assert len((await dump(database))[BARS]) == 20  # and the bucket's n counts both
