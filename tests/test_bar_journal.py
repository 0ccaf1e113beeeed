"""Live bars journaled (``bar_journal``: one document per interval and open time) and folded
into their buckets every ``FOLD_EVERY`` slots: the handlers that read and write bars see one
series wherever a bar is held."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.dbdump import BARS, JOURNAL, dump
from tests.fakes.memory_provider import MemoryProvider
from tui_market.commands.drop_bars import DropBars, DropBarsHandler
from tui_market.commands.save_bars import SaveBars, SaveBarsHandler
from tui_market.commands.sync_history import SyncHistory, SyncHistoryHandler
from tui_market.infrastructure import bar_journal
from tui_market.infrastructure.database import Database
from tui_market.models import Bar, Interval
from tui_market.queries.get_bars import GetBars, GetBarsHandler
from tui_market.queries.series_times import SeriesTimes, SeriesTimesHandler

M1 = Interval.M1
SERIES = ("NASDAQ:AAPL", "NYSE:BRK.B")
START = 1_699_992_000  # a bucket start of 1m bars (100 minutes) and a fold slot (30 minutes)
FOLD = bar_journal.FOLD_EVERY


def bar(symbol: str, slot: int, close: float) -> Bar:
    return Bar.from_epoch(symbol, M1, START + slot * 60, close, close, close, close, slot + 1.0)


async def journaled(database: Database) -> int:
    return await database.get_collection(JOURNAL).count_documents({})


async def test_a_live_session_is_journaled_then_folded_into_the_buckets(
    database: Database,
) -> None:
    save, reader = SaveBarsHandler(database), GetBarsHandler(database)
    held = []
    for k in range(1, 2 * FOLD + 5):  # live minutes of both series, through two fold slots
        await save(SaveBars(tuple(bar(s, k, 10.0 + k) for s in SERIES)))
        held.append(await journaled(database))
    # One journal document a minute (both series in it), emptied at each fold slot.
    assert held[: FOLD - 1] == list(range(1, FOLD))
    assert held[FOLD - 1] == 0 and held[2 * FOLD - 1] == 0 and held[-1] == 4
    for symbol in SERIES:
        want = [bar(symbol, k, 10.0 + k) for k in range(1, 2 * FOLD + 5)]
        assert await reader(GetBars(symbol, M1)) == want
        assert await reader(GetBars(symbol, M1, last=3)) == want[-3:]
        assert await reader(GetBars(symbol, M1, last=6)) == want[-6:]  # journal and bucket
    times = await SeriesTimesHandler(database)(SeriesTimes(SERIES[1]))
    assert times[M1] == [START + k * 60 for k in range(1, 2 * FOLD + 5)]
    # A sync over journaled bars is newer than them: its bars win, its range leaves the journal.
    provider = MemoryProvider()
    last = 2 * FOLD + 4
    provider.set_bars(SERIES[0], M1, [bar(SERIES[0], k, 50.0) for k in range(last - 1, last + 1)])
    await SyncHistoryHandler(database, provider)(SyncHistory(SERIES[0], M1))
    got = await reader(GetBars(SERIES[0], M1, last=4))
    assert [b.close for b in got] == [10.0 + last - 3, 10.0 + last - 2, 50.0, 50.0]
    rows = [d async for d in database.get_collection(JOURNAL).find({})]
    assert all(bar_journal.key(SERIES[0]) not in d["r"] for d in rows if d["e"] >= got[-2].epoch)


# Slots around fold slots (30, 60, ...) and the second bucket's start (100).
live_op = st.tuples(
    st.just("live"),
    st.lists(st.tuples(st.sampled_from(SERIES), st.integers(20, 130)), min_size=1, max_size=4),
)
sync_op = st.tuples(
    st.just("sync"), st.sampled_from(SERIES), st.integers(0, 120), st.integers(1, 30)
)
backlog_op = st.tuples(  # a batch after an outage: more bars of a series than a fold holds
    st.just("backlog"),
    st.sampled_from(SERIES),
    st.integers(0, 100),
    st.integers(FOLD + 1, FOLD + 9),
)
drop_op = st.tuples(
    st.just("drop"), st.sampled_from(SERIES), st.lists(st.integers(80, 140), max_size=6)
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.one_of(live_op, sync_op, backlog_op, drop_op), min_size=1, max_size=14))
@example([("live", [(SERIES[0], 95)]), ("drop", SERIES[0], [95])])  # a journaled bar dropped
@example([("live", [(SERIES[1], 101)]), ("sync", SERIES[1], 100, 5)])  # synced over
@example([("live", [(SERIES[0], 41)]), ("backlog", SERIES[0], 35, FOLD + 2)])  # a backlog over
async def test_any_mix_of_live_saves_syncs_and_drops_reads_back_as_a_plain_map(
    database: Database, ops: list[tuple]
) -> None:
    """The model is a dict per series (open slot -> close), last write wins; the store, with
    buckets, the journal, folds, backlogs and drops in any order, reads back the same through
    GetBars."""
    model: dict[str, dict[int, float]] = {s: {} for s in SERIES}
    save, drop = SaveBarsHandler(database), DropBarsHandler(database)
    for n, op in enumerate(ops):
        close = 100.0 + n  # each op writes values of its own
        if op[0] == "live":
            bars = {(s, k): bar(s, k, close + k / 1000) for s, k in op[1]}
            await save(SaveBars(tuple(bars.values())))
            for (s, k), b in bars.items():
                model[s][k] = b.close
        elif op[0] == "backlog":
            _, symbol, first, count = op
            await save(SaveBars(tuple(bar(symbol, k, close) for k in range(first, first + count))))
            model[symbol] |= {k: close for k in range(first, first + count)}
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
    for name in (BARS, JOURNAL, "sync_state", "live_tails"):
        await database.get_collection(name).delete_many({})
