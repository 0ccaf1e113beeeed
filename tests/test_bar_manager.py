"""BarManager: alignment, closing, several symbols/intervals, volume and tick policies."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest

from tui_market.managers import BarManager, ClosedBar
from tui_market.models import Bar, Interval, Tick

M1, M5, H1 = Interval.M1, Interval.M5, Interval.H1
T0 = 1_700_000_100  # a 5m boundary (so T0 + 60 is a 1m boundary only)


def _epoch(*args: int) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp())


def _ohlcv(bar: ClosedBar) -> tuple[float, float, float, float, float, int]:
    return (bar.open, bar.high, bar.low, bar.close, bar.volume, bar.ticks)


def test_bar_closes_on_first_tick_of_next_period_boundary_exact_belongs_to_new_bar() -> None:
    m = BarManager([M1])
    assert m.on_tick(Tick("X:A", T0, 10.0)) == ()
    assert m.on_tick(Tick("X:A", T0 + 20, 12.0)) == ()
    assert m.on_tick(Tick("X:A", T0 + 40, 9.0)) == ()
    assert m.on_tick(Tick("X:A", T0 + 59.999, 11.0)) == ()
    closed = m.on_tick(Tick("X:A", T0 + 60, 50.0))  # exactly on the boundary
    assert len(closed) == 1
    assert (closed[0].symbol, closed[0].interval, closed[0].time) == ("X:A", M1, T0)
    assert _ohlcv(closed[0]) == (10.0, 12.0, 9.0, 11.0, 0.0, 4)
    forming = m.forming("X:A", M1)
    assert forming is not None
    assert (forming.time, forming.end, forming.open, forming.ticks) == (T0 + 60, T0 + 120, 50.0, 1)


def test_gap_makes_no_empty_bars() -> None:
    m = BarManager([M1])
    m.on_tick(Tick("X:A", T0 + 5, 10.0))
    closed = m.on_tick(Tick("X:A", T0 + 600, 11.0))
    assert [b.time for b in closed] == [T0]
    assert [b.time for b in m.on_clock(T0 + 10_000)] == [T0 + 600]


def test_on_clock_closes_exactly_at_the_end_and_only_once() -> None:
    m = BarManager([M1, M5])
    m.on_tick(Tick("X:A", T0 + 1, 10.0))
    m.on_tick(Tick("X:A", T0 + 2, 11.0))
    assert m.on_clock(T0 + 59.9) == []
    closed = m.on_clock(T0 + 60)
    assert [(b.interval, b.time) for b in closed] == [(M1, T0)]
    assert _ohlcv(closed[0]) == (10.0, 11.0, 10.0, 11.0, 0.0, 2)
    assert m.on_clock(T0 + 61) == []
    assert m.forming("X:A", M1) is None
    five = m.forming("X:A", M5)
    assert five is not None and five.time == T0 - T0 % 300
    # the next tick in a later minute opens a new 1m bar and still feeds the 5m bar
    m.on_tick(Tick("X:A", T0 + 75, 12.0))
    later = m.forming("X:A", M5)
    assert later is not None and (later.high, later.close, later.ticks) == (12.0, 12.0, 3)
    assert [b.interval for b in m.on_clock(five.end)] == [M1, M5]


def test_symbols_interleaved_keep_separate_bars() -> None:
    m = BarManager([M1])
    feed = [
        ("X:A", 1, 10.0),
        ("X:B", 2, 100.0),
        ("X:A", 3, 12.0),
        ("X:B", 4, 90.0),
        ("X:A", 61, 13.0),
        ("X:B", 62, 95.0),
    ]
    closed: list[ClosedBar] = []
    for sym, dt, price in feed:
        closed.extend(m.on_tick(Tick(sym, T0 + dt, price)))
    by_symbol = {b.symbol: _ohlcv(b) for b in closed}
    assert by_symbol == {
        "X:A": (10.0, 12.0, 10.0, 12.0, 0.0, 2),
        "X:B": (100.0, 100.0, 90.0, 90.0, 0.0, 2),
    }
    assert {f.symbol for f in m.forming_all()} == {"X:A", "X:B"}


def test_several_intervals_at_once_agree() -> None:
    m = BarManager([M1, M5, H1])
    start = _epoch(2024, 3, 4, 10, 0)
    closed: list[ClosedBar] = []
    for i in range(0, 3600 + 60, 7):
        closed.extend(m.on_tick(Tick("X:A", start + i, 100.0 + (i * 37 % 101) / 10, 10.0 * i)))
    ones = [b for b in closed if b.interval is M1]
    fives = [b for b in closed if b.interval is M5]
    hours = [b for b in closed if b.interval is H1]
    assert len(ones) == 60 and len(fives) == 12 and len(hours) == 1
    for five in fives:
        parts = [b for b in ones if five.time <= b.time < five.time + 300]
        assert five.open == parts[0].open and five.close == parts[-1].close
        assert five.high == max(b.high for b in parts) and five.low == min(b.low for b in parts)
        assert five.volume == pytest.approx(sum(b.volume for b in parts))
        assert five.ticks == sum(b.ticks for b in parts)
    assert hours[0].time == start and hours[0].ticks == sum(b.ticks for b in ones)


def test_monthly_and_weekly_alignment() -> None:
    m = BarManager([Interval.W1, Interval.MN1, Interval.D1])
    m.on_tick(Tick("X:A", _epoch(2024, 2, 29, 23, 59, 59), 10.0))  # Thursday, leap day
    closed = m.on_tick(Tick("X:A", _epoch(2024, 3, 1), 11.0))  # Friday, new month and day
    assert {(b.interval, b.time) for b in closed} == {
        (Interval.MN1, _epoch(2024, 2, 1)),
        (Interval.D1, _epoch(2024, 2, 29)),
    }
    week = m.forming("X:A", Interval.W1)
    assert week is not None
    assert (week.time, week.end) == (_epoch(2024, 2, 26), _epoch(2024, 3, 4))  # Mondays
    m.on_tick(Tick("X:A", _epoch(2024, 3, 3, 23, 59, 59), 12.0))  # Sunday
    closed = m.on_tick(Tick("X:A", _epoch(2024, 3, 4), 13.0))  # Monday 00:00 UTC
    week_bar = next(b for b in closed if b.interval is Interval.W1)
    assert (week_bar.time, week_bar.open, week_bar.close, week_bar.ticks) == (
        _epoch(2024, 2, 26),
        10.0,
        12.0,
        3,
    )
    month = m.forming("X:A", Interval.MN1)
    assert month is not None and (month.time, month.end) == (_epoch(2024, 3, 1), _epoch(2024, 4, 1))


def test_volume_is_the_delta_of_cumulative_volume() -> None:
    m = BarManager([M1])
    m.on_tick(Tick("X:A", T0 + 1, 10.0, 1000.0))  # first tick: contributes 0
    m.on_tick(Tick("X:A", T0 + 2, 10.0, 1250.0))
    m.on_tick(Tick("X:A", T0 + 3, 10.0, None))  # no volume: 0, baseline kept
    m.on_tick(Tick("X:A", T0 + 4, 10.0, 1300.0))
    closed = m.on_tick(Tick("X:A", T0 + 61, 10.0, 1400.0))
    assert closed[0].volume == 300.0
    forming = m.forming("X:A", M1)
    assert forming is not None and forming.volume == 100.0


def test_volume_drop_is_a_new_session() -> None:
    m = BarManager([M1])
    m.on_tick(Tick("X:A", T0 + 1, 10.0, 5000.0))
    m.on_tick(Tick("X:A", T0 + 2, 10.0, 5200.0))
    m.on_tick(Tick("X:A", T0 + 3, 10.0, 40.0))  # new session: 40 is the delta
    m.on_tick(Tick("X:A", T0 + 4, 10.0, 45.0))
    m.on_tick(Tick("X:A", T0 + 5, 10.0, math.nan))  # garbage volume: ignored
    m.on_tick(Tick("X:A", T0 + 6, 10.0, 50.0))
    assert m.stats.session_resets == 1
    forming = m.forming("X:A", M1)
    assert forming is not None and forming.volume == 200.0 + 40.0 + 5.0 + 5.0


def test_late_tick_is_dropped_counted_and_never_reopens_a_bar() -> None:
    m = BarManager([M1, M5])
    m.on_tick(Tick("X:A", T0 + 10, 10.0))
    closed = m.on_tick(Tick("X:A", T0 + 70, 11.0))
    assert [b.time for b in closed] == [T0]
    assert m.on_tick(Tick("X:A", T0 + 30, 99.0)) == ()  # belongs to the closed 1m bar
    assert m.stats.late_ticks == 1
    five = m.forming("X:A", M5)
    assert five is not None and five.high == 11.0  # not fed to the 5m bar either
    m.on_clock(T0 + 300)
    assert m.on_tick(Tick("X:A", T0 + 90, 99.0)) == ()  # its bar closed by the clock
    assert m.stats.late_ticks == 2
    assert all(b.high < 99 for b in m.on_clock(T0 + 10_000))


def test_tick_before_the_forming_bar_in_an_empty_period_is_late() -> None:
    m = BarManager([M1])
    m.on_tick(Tick("X:A", T0 + 10, 10.0))
    m.on_tick(Tick("X:A", T0 + 190, 11.0))  # forming bar at T0+180; T0+60.. had no tick
    assert m.on_tick(Tick("X:A", T0 + 100, 12.0)) == ()
    assert m.stats.late_ticks == 1
    assert [b.time for b in m.on_clock(T0 + 1000)] == [T0 + 180]


def test_after_the_clock_a_tick_in_a_later_empty_period_opens_a_bar() -> None:
    m = BarManager([M1])
    m.on_tick(Tick("X:A", T0 + 10, 10.0))
    assert len(m.on_clock(T0 + 200)) == 1
    assert m.on_tick(Tick("X:A", T0 + 130, 12.0)) == ()  # delayed feed: not late
    assert m.stats.late_ticks == 0
    assert [(b.time, b.open) for b in m.on_clock(T0 + 200)] == [(T0 + 120, 12.0)]


def test_out_of_order_tick_inside_the_forming_bar() -> None:
    m = BarManager([M1])
    m.on_tick(Tick("X:A", T0 + 20, 10.0, 100.0))
    m.on_tick(Tick("X:A", T0 + 30, 11.0, 110.0))
    m.on_tick(Tick("X:A", T0 + 5, 15.0, 105.0))  # older: high and open, not close/volume
    m.on_tick(Tick("X:A", T0 + 25, 8.0, 108.0))
    assert m.stats.out_of_order_ticks == 2 and m.stats.late_ticks == 0
    (bar,) = m.on_clock(T0 + 60)
    assert _ohlcv(bar) == (15.0, 15.0, 8.0, 11.0, 10.0, 4)


def test_duplicate_ticks_are_dropped_and_counted() -> None:
    m = BarManager([M1])
    m.on_tick(Tick("X:A", T0 + 1, 10.0, 100.0))
    m.on_tick(Tick("X:A", T0 + 1, 10.0, 100.0))
    m.on_tick(Tick("X:A", T0 + 1, 10.5, 100.0))  # same second, new price: a real tick
    m.on_tick(Tick("X:A", T0 + 2, 11.0))
    m.on_tick(Tick("X:A", T0 + 2, 11.0))
    assert m.stats.duplicate_ticks == 2
    (bar,) = m.on_clock(T0 + 60)
    assert bar.ticks == 3 and bar.close == 11.0


@pytest.mark.parametrize("price", [math.nan, math.inf, -math.inf, 0.0, -5.0])
def test_bad_prices_are_rejected_and_counted(price: float) -> None:
    m = BarManager([M1])
    m.on_tick(Tick("X:A", T0 + 1, 10.0))
    assert m.on_tick(Tick("X:A", T0 + 2, price)) == ()
    assert m.on_tick(Tick("X:B", T0 + 2, price)) == ()
    assert m.stats.rejected_ticks == 2
    assert m.forming("X:B", M1) is None
    (bar,) = m.on_clock(T0 + 60)
    assert _ohlcv(bar) == (10.0, 10.0, 10.0, 10.0, 0.0, 1)


def test_non_finite_timestamp_is_rejected() -> None:
    m = BarManager([M1])
    assert m.on_tick(Tick("X:A", math.nan, 10.0)) == ()
    assert m.on_tick(Tick("X:A", math.inf, 10.0)) == ()
    assert m.stats.rejected_ticks == 2 and m.forming_all() == []


@pytest.mark.parametrize("ts", [1e15, 253_370_764_800.0, -1.0, -1e12])
def test_timestamp_beyond_any_calendar_bucket_is_rejected_not_raised(ts: float) -> None:
    """Found by the quote-client fuzz: a year-5138 time raised OverflowError from the monthly
    bucket; a manager of every interval must count it as rejected instead."""
    m = BarManager(tuple(Interval))
    assert m.on_tick(Tick("X:A", ts, 10.0)) == ()
    assert not m.on_ticks([Tick("X:A", ts, 10.0)])
    assert m.stats.rejected_ticks == 2 and m.forming_all() == []
    assert m.on_tick(Tick("X:A", T0, 10.0)) == () and len(m.forming_all()) == len(Interval)


def test_on_ticks_matches_on_tick() -> None:
    ticks = [
        Tick("X:A" if i % 3 else "X:B", T0 + i * 13 % 700 + i, 10 + i % 7, float(i * 5))
        for i in range(400)
    ]
    one, batch = BarManager([M1, M5]), BarManager([M1, M5])
    closed_one = [b for t in ticks for b in one.on_tick(t)]
    assert closed_one == list(batch.on_ticks(ticks))
    assert one.stats == batch.stats and one.forming_all() == batch.forming_all()


def test_closed_bar_to_bar_is_a_validated_utc_bar() -> None:
    m = BarManager([M1])
    m.on_tick(Tick("X:A", T0 + 1, 10.0, 1.0))
    m.on_tick(Tick("X:A", T0 + 2, 12.0, 4.0))
    (bar,) = m.on_clock(T0 + 60)
    stored = bar.to_bar()
    assert isinstance(stored, Bar)
    assert stored.time == datetime.fromtimestamp(T0, UTC) and stored.volume == 3.0
    assert stored.high == 12.0 and stored.interval is M1


def test_constructor_needs_intervals_and_dedupes() -> None:
    with pytest.raises(ValueError, match="at least one interval"):
        BarManager([])
    assert BarManager([M1, M1, M5]).intervals == (M1, M5)
    m = BarManager([M1])
    assert m.forming("X:A", M1) is None and m.forming("X:A", M5) is None
    m.on_tick(Tick("X:A", T0, 1.0))
    m.forget("X:A")
    assert m.symbols() == [] and m.on_clock(T0 + 100) == []
