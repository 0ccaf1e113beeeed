"""Live bars as side documents beside their buckets (``bar_buckets``), folded in by turns: the
handlers that read and write bars see one series whatever document holds a bar."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.dbdump import BARS, dump
from tests.fakes.memory_provider import MemoryProvider
from tui_market.commands.drop_bars import DropBars, DropBarsHandler
from tui_market.commands.save_bars import SaveBars, SaveBarsHandler
from tui_market.commands.sync_history import SyncHistory, SyncHistoryHandler
from tui_market.infrastructure import bar_buckets
from tui_market.infrastructure.database import Database
from tui_market.models import Bar, Interval
from tui_market.queries.get_bars import GetBars, GetBarsHandler
from tui_market.queries.series_times import SeriesTimes, SeriesTimesHandler

M1 = Interval.M1
SERIES = ("NASDAQ:AAPL", "NYSE:BRK.B")
START = 1_700_004_000  # a bucket start of 1m bars (100 minutes)


def bar(symbol: str, slot: int, close: float) -> Bar:
    return Bar.from_epoch(symbol, M1, START + slot * 60, close, close, close, close, slot + 1.0)


async def side_count(database: Database) -> int:
    return await database.get_collection(BARS).count_documents({"side": True})


async def test_live_bars_go_beside_their_bucket_and_are_folded_in_by_turns(
    database: Database,
) -> None:
    save = SaveBarsHandler(database)
    await save(SaveBars(tuple(bar(s, k, 10.0 + k) for s in SERIES for k in range(10))))
    assert await side_count(database) == 0  # a new bucket is inserted whole
    sides_seen = []
    for k in range(10, 90):  # 80 live minutes of both series
        await save(SaveBars(tuple(bar(s, k, 10.0 + k) for s in SERIES)))
        sides_seen.append(await side_count(database))
    assert sides_seen[0] >= 1  # a live bar: a side document (unless its fold came at once)
    # Each series folds once every FOLD_BARS bars: never more sides than that per series.
    assert max(sides_seen) <= bar_buckets.FOLD_BARS * len(SERIES)
    assert min(sides_seen[bar_buckets.FOLD_BARS :]) < bar_buckets.FOLD_BARS
    for symbol in SERIES:
        want = [bar(symbol, k, 10.0 + k) for k in range(90)]
        assert await GetBarsHandler(database)(GetBars(symbol, M1)) == want
        assert await GetBarsHandler(database)(GetBars(symbol, M1, last=3)) == want[-3:]
    times = await SeriesTimesHandler(database)(SeriesTimes(SERIES[0]))
    assert times[M1] == [START + k * 60 for k in range(90)]
    # A sync of the bucket folds every side into it, its bars winning.
    provider = MemoryProvider()
    provider.set_bars(SERIES[0], M1, [bar(SERIES[0], k, 50.0) for k in range(85, 90)])
    await SyncHistoryHandler(database, provider)(SyncHistory(SERIES[0], M1))
    left = database.get_collection(BARS).find({"side": True, "symbol": SERIES[0]})
    assert [doc async for doc in left] == []
    got = await GetBarsHandler(database)(GetBars(SERIES[0], M1, last=6))
    assert [b.close for b in got] == [94.0] + [50.0] * 5


async def test_a_live_bar_saved_again_is_changed_where_it_is_held(database: Database) -> None:
    save = SaveBarsHandler(database)
    await save(SaveBars(tuple(bar(SERIES[0], k, 1.0) for k in range(5))))
    slot = next(k for k in range(5, 25) if not _due(k))  # a bar that stays a side
    await save(SaveBars((bar(SERIES[0], slot, 2.0),)))
    assert await side_count(database) == 1
    result = await save(SaveBars((bar(SERIES[0], slot, 3.0),)))
    assert (result.new, result.updated, result.unchanged) == (0, 1, 0)
    got = await GetBarsHandler(database)(GetBars(SERIES[0], M1, last=1))
    assert [b.close for b in got] == [3.0]
    assert len((await dump(database))[BARS]) == 6  # one document holds it: n agrees


def _due(slot: int) -> bool:
    bucket = bar_buckets.bucket_id(SERIES[0], M1, START)
    return bar_buckets.fold_due(M1, bucket, START + slot * 60)


# Slots around the second bucket's start (100): live bars, syncs and drops meet there.
live_op = st.tuples(
    st.just("live"),
    st.lists(st.tuples(st.sampled_from(SERIES), st.integers(90, 130)), min_size=1, max_size=4),
    st.integers(1, 99),
)
sync_op = st.tuples(
    st.just("sync"), st.sampled_from(SERIES), st.integers(0, 120), st.integers(1, 30)
)
drop_op = st.tuples(
    st.just("drop"), st.sampled_from(SERIES), st.lists(st.integers(80, 140), max_size=6)
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.one_of(live_op, sync_op, drop_op), min_size=1, max_size=14))
async def test_any_mix_of_live_saves_syncs_and_drops_reads_back_as_a_plain_map(
    database: Database, ops: list[tuple]
) -> None:
    """The model is a dict per series (open slot -> close), last write wins; the store, with
    buckets, sides, folds and drops in any order, reads back the same through GetBars."""
    model: dict[str, dict[int, float]] = {s: {} for s in SERIES}
    save, drop = SaveBarsHandler(database), DropBarsHandler(database)
    for n, op in enumerate(ops):
        close = 100.0 + n  # each op writes values of its own
        if op[0] == "live":
            bars = {(s, k): bar(s, k, close + k / 1000) for s, k in op[1]}
            await save(SaveBars(tuple(bars.values())))
            for (s, k), b in bars.items():
                model[s][k] = b.close
        elif op[0] == "sync":
            _, symbol, first, count = op
            history = [bar(symbol, k, close) for k in range(first, first + count)]
            provider = MemoryProvider()
            provider.set_bars(symbol, M1, history)
            await SyncHistoryHandler(database, provider)(SyncHistory(symbol, M1))
            model[symbol] |= {k: close for k in range(first, first + count)}
        else:
            _, symbol, slots = op
            dropped = await drop(DropBars(symbol, M1, tuple(START + k * 60 for k in slots)))
            assert dropped == len(set(slots) & set(model[symbol]))
            for k in slots:
                model[symbol].pop(k, None)
    reader = GetBarsHandler(database)
    for symbol in SERIES:
        want = [(START + k * 60, model[symbol][k]) for k in sorted(model[symbol])]
        got = await reader(GetBars(symbol, M1))
        assert [(b.epoch, b.close) for b in got] == want
        for last in (1, 7):
            got = await reader(GetBars(symbol, M1, last=last))
            assert [(b.epoch, b.close) for b in got] == want[-last:]
    assert len((await dump(database))[BARS]) == sum(len(m) for m in model.values())
    for name in (BARS, "sync_state", "live_tails"):
        await database.get_collection(name).delete_many({})
