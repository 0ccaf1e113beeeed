"""BarManager.merge_history / seed: provider bars merged with live bars, no gap, no duplicate."""

from __future__ import annotations

import random

import pytest

from tui_market.managers import BarManager, ClosedBar
from tui_market.models import Bar, Interval, Tick

M1, M5 = Interval.M1, Interval.M5
T0 = 1_700_000_100  # a 5m boundary


def _bar(
    t: int,
    o: float,
    h: float,
    low: float,
    c: float,
    v: float = 0.0,
    interval: Interval = M1,
    symbol: str = "X:A",
) -> Bar:
    return Bar.from_epoch(symbol, interval, t, o, h, low, c, v)


def test_provider_bar_for_the_current_period_merges_into_the_forming_bar() -> None:
    m = BarManager([M1])
    m.on_tick(Tick("X:A", T0 + 10, 10.0, 1000.0))
    m.on_tick(Tick("X:A", T0 + 20, 13.0, 1030.0))
    closed = m.merge_history([_bar(T0, 9.5, 12.0, 9.0, 11.0, 500.0)], now=T0 + 40)
    assert closed == []
    f = m.forming("X:A", M1)
    assert f is not None
    # open from the provider (earliest), extremes, close as of `now`, volume the larger
    assert (f.open, f.high, f.low, f.close, f.volume, f.ticks) == (9.5, 13.0, 9.0, 11.0, 500.0, 2)
    # the volume baseline restarts: the next tick adds nothing, the one after adds its delta
    m.on_tick(Tick("X:A", T0 + 45, 11.5, 9000.0))
    m.on_tick(Tick("X:A", T0 + 50, 11.6, 9010.0))
    (bar,) = m.on_clock(T0 + 60)
    assert (bar.close, bar.volume, bar.ticks) == (11.6, 510.0, 4)


def test_live_ticks_after_the_fetch_keep_their_close() -> None:
    m = BarManager([M1])
    m.on_tick(Tick("X:A", T0 + 50, 10.0))
    m.merge_history([_bar(T0, 9.0, 12.0, 9.0, 11.0)], now=T0 + 30)  # fetched before our tick
    f = m.forming("X:A", M1)
    assert f is not None and (f.open, f.close, f.high) == (9.0, 10.0, 12.0)
    m.merge_history([_bar(T0, 9.0, 12.0, 9.0, 11.0)], now=T0 + 55)
    m.on_tick(Tick("X:A", T0 + 55, 10.2))  # as recent as the fetch and later: it wins
    (bar,) = m.on_tick(Tick("X:A", T0 + 60, 10.3))
    assert (bar.close, bar.ticks) == (10.2, 2)


def test_backfill_returns_missed_bars_once_and_closes_the_superseded_forming_bar() -> None:
    m = BarManager([M1])
    m.on_tick(Tick("X:A", T0 + 5, 10.0))
    m.on_tick(Tick("X:A", T0 + 30, 10.4))
    history = [
        _bar(T0, 10.0, 10.6, 9.9, 10.5, 7.0),
        _bar(T0 + 60, 10.5, 11.0, 10.5, 10.9, 3.0),
        _bar(T0 + 120, 10.9, 11.2, 10.8, 11.1, 2.0),
        _bar(T0 + 180, 11.1, 11.1, 11.0, 11.0),
    ]
    closed = m.merge_history(history, now=T0 + 200)
    assert [b.time for b in closed] == [T0, T0 + 60, T0 + 120]
    assert (closed[0].open, closed[0].high, closed[0].close, closed[0].ticks) == (
        10.0,
        10.6,
        10.5,
        2,
    )
    assert (closed[1].close, closed[1].volume, closed[1].ticks) == (10.9, 3.0, 0)
    f = m.forming("X:A", M1)
    assert f is not None and (f.time, f.close, f.ticks) == (T0 + 180, 11.0, 0)
    # the same backfill again (a second reconnect): nothing new, nothing twice
    assert m.merge_history(history, now=T0 + 200) == []
    # a tick for a backfilled period is late now
    assert m.on_tick(Tick("X:A", T0 + 150, 50.0)) == ()
    assert m.stats.late_ticks == 1 and m.stats.history_bars == 8
    m.on_tick(Tick("X:A", T0 + 190, 11.3))  # older than the fetch: the provider close stays
    f = m.forming("X:A", M1)
    assert f is not None and (f.high, f.close) == (11.3, 11.0)
    m.on_tick(Tick("X:A", T0 + 210, 11.3))  # newer than the fetch: it is the close
    (last,) = m.on_clock(T0 + 240)
    assert (last.time, last.open, last.high, last.close, last.ticks) == (
        T0 + 180,
        11.1,
        11.3,
        11.3,
        2,
    )


def test_gap_before_the_forming_bar_is_filled_and_old_bars_are_skipped() -> None:
    m = BarManager([M1])
    m.on_tick(Tick("X:A", T0 + 5, 10.0))
    m.on_tick(Tick("X:A", T0 + 185, 10.0))  # closes T0; T0+60 and T0+120 had no tick
    closed = m.merge_history(
        [_bar(T0, 1.0, 1.0, 1.0, 1.0), _bar(T0 + 120, 9.0, 9.0, 9.0, 9.0)], now=T0 + 190
    )
    assert [(b.time, b.close) for b in closed] == [(T0 + 120, 9.0)]  # T0 was closed already
    assert m.merge_history([_bar(T0 + 120, 9.0, 9.0, 9.0, 9.0)], now=T0 + 190) == []


def test_history_only_series_and_closing_at_now() -> None:
    m = BarManager([M1, M5])
    bars = [_bar(T0, 1, 2, 1, 2, interval=M5), _bar(T0 + 300, 2, 3, 2, 3, interval=M5)]
    closed = m.merge_history(bars, now=T0 + 600)  # both periods over by now
    assert [(b.interval, b.time) for b in closed] == [(M5, T0), (M5, T0 + 300)]
    assert m.forming("X:A", M5) is None
    with pytest.raises(ValueError, match="not aggregated"):
        m.merge_history([_bar(T0, 1, 1, 1, 1, interval=Interval.H1)], now=T0)


def test_seed_starts_the_forming_bar_and_ticks_continue_it() -> None:
    m = BarManager([M1])
    assert m.seed(_bar(T0, 10.0, 12.0, 9.0, 11.0, 40.0)) == []
    m.on_tick(Tick("X:A", T0 + 30, 12.5, 100.0))
    m.on_tick(Tick("X:A", T0 + 40, 11.8, 104.0))
    closed = m.on_tick(Tick("X:A", T0 + 60, 11.9, 110.0))
    assert [(b.open, b.high, b.low, b.close, b.volume, b.ticks) for b in closed] == [
        (10.0, 12.5, 9.0, 11.8, 44.0, 2)
    ]


def _bars_by_key(bars: list[ClosedBar]) -> dict[tuple[str, int], ClosedBar]:
    keys = [(b.symbol, b.time) for b in bars]
    assert len(keys) == len(set(keys)), "a bar was closed twice"
    return {(b.symbol, b.time): b for b in bars}


def test_reconnect_with_backfill_gives_the_bars_of_a_clean_run() -> None:
    """Issue 3 item 3: an outage backfilled from the provider leaves no gap and no duplicate."""
    rng = random.Random(3)
    ticks = [
        Tick(rng.choice(["X:A", "X:B"]), T0 + i * 2.5, round(rng.uniform(10, 11), 2), float(i * 10))
        for i in range(1000)
    ]
    end = ticks[-1].ts + 60
    clean = BarManager([M1])
    clean_bars = list(clean.on_ticks(ticks)) + clean.on_clock(end)

    down, up = 300, 700  # the feed is lost between these ticks
    now = ticks[up].ts  # backfill happens when the feed is live again
    provider = BarManager([M1])  # what the provider knows at `now`: every trade so far
    history = [b.to_bar() for b in provider.on_ticks(ticks[:up])]
    history += [f.to_bar() for f in provider.forming_all()]
    outage_start = ticks[down].ts - 3600

    live = BarManager([M1])
    got = list(live.on_ticks(ticks[:down]))
    got += live.merge_history([b for b in history if b.epoch >= outage_start], now=now)
    got += live.on_ticks(ticks[up:])
    got += live.on_clock(end)

    clean_map, got_map = _bars_by_key(clean_bars), _bars_by_key(got)
    assert got_map.keys() == clean_map.keys()
    for key, bar in clean_map.items():
        mine = got_map[key]
        assert (mine.open, mine.high, mine.low) == (bar.open, bar.high, bar.low), key
        if mine.time + 60 <= now or mine.time > now:  # not the bar that spans the merge
            assert (mine.close, mine.volume) == (bar.close, pytest.approx(bar.volume)), key
