"""Session-aware bars: live (BarManager) and history (aggregate of 1m rows) against pandas.

Oracle: pandas ``resample`` per exchange trading date with ``origin`` at that date's session
open in America/New_York (pandas localises the wall time itself, so DST is its business), and
plain ``resample`` with ``origin="epoch"`` in UTC for a 24x7 symbol. None of our bucket code
is used to build the expected bars.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pandas as pd
import pytest

from tui_market.managers.bar_align import aggregate, misaligned, realign
from tui_market.managers.bar_manager import BarManager
from tui_market.managers.session_clock import UTC_CLOCK, SessionClock, clock_for
from tui_market.models import Bar, Interval, Tick
from tui_market.models.symbol_info import SymbolInfo

NY = "America/New_York"
INTERVALS = (Interval.H1, Interval.H4, Interval.M45, Interval.D1)
FREQ = {Interval.H1: "1h", Interval.H4: "4h", Interval.M45: "45min", Interval.D1: None}
# every day, so the two DST-change Sundays of 2024 (Mar 10, Nov 3) hold sessions too
EVERY_DAY = SymbolInfo(timezone=NY, session="0930-1610:1234567")
WEEKDAYS = SymbolInfo(timezone=NY, session="0930-1610")
DAYS = ["2024-03-08", "2024-03-09", "2024-03-10", "2024-03-11", "2024-11-01", "2024-11-03",
        "2024-11-04"]  # fmt: skip


def session_ticks(days: list[str], info: SymbolInfo, seed: int) -> pd.DataFrame:
    """Ticks every 37 s inside each day's session (New York wall time), random walk prices."""
    rng = random.Random(seed)
    stamps: list[pd.Timestamp] = []
    for day in days:
        if pd.Timestamp(day).day_of_week >= 5 and info is WEEKDAYS:
            continue
        open_, close = pd.Timestamp(f"{day} 09:30", tz=NY), pd.Timestamp(f"{day} 16:10", tz=NY)
        stamps += list(pd.date_range(open_, close, freq="37s", inclusive="left"))
    price, rows = 100.0, []
    for stamp in stamps:
        price = max(1.0, price + rng.uniform(-0.5, 0.5))
        rows.append((stamp.tz_convert("UTC"), round(price, 2), float(rng.randint(1, 500))))
    frame = pd.DataFrame(rows, columns=["time", "price", "vol"]).set_index("time")
    frame.iloc[0, 1] = 0.0  # the first tick's volume is the baseline: it adds nothing
    return frame


def oracle_session(ticks: pd.DataFrame, interval: Interval) -> dict[int, tuple[float, ...]]:
    local = ticks.tz_convert(NY)
    out: dict[int, tuple[float, ...]] = {}
    for day, group in local.groupby(local.index.date):
        origin = pd.Timestamp(f"{day} 09:30", tz=NY)
        freq = FREQ[interval]
        if freq is None:
            parts = [(origin, group)]
        else:
            parts = list(group.resample(freq, origin=origin, closed="left", label="left"))
        for start, part in parts:
            if len(part):
                p = part["price"]
                key = int(start.timestamp())
                out[key] = (p.iloc[0], p.max(), p.min(), p.iloc[-1], part["vol"].sum())
    return out


def oracle_utc(ticks: pd.DataFrame, interval: Interval) -> dict[int, tuple[float, ...]]:
    freq = FREQ[interval] or "24h"
    out = {}
    for start, part in ticks.resample(freq, origin="epoch", closed="left", label="left"):
        if len(part):
            p = part["price"]
            out[int(start.timestamp())] = (
                p.iloc[0], p.max(), p.min(), p.iloc[-1], part["vol"].sum()
            )  # fmt: skip
    return out


def live_bars(ticks: pd.DataFrame, info: SymbolInfo) -> dict[Interval, dict[int, tuple]]:
    manager = BarManager(INTERVALS)
    manager.set_clock("X:Y", clock_for(info))
    cum, closed = 0.0, []
    for stamp, row in ticks.iterrows():
        cum += row["vol"]
        closed += manager.on_tick(Tick("X:Y", stamp.timestamp(), row["price"], cum))
    closed += manager.on_clock(4e9)
    out: dict[Interval, dict[int, tuple]] = {iv: {} for iv in INTERVALS}
    for b in closed:
        out[b.interval][b.time] = (b.open, b.high, b.low, b.close, b.volume)
    return out


def history_bars(ticks: pd.DataFrame, info: SymbolInfo) -> dict[Interval, dict[int, tuple]]:
    """The history path: 1m rows (as a provider sends them) rolled up by ``aggregate``."""
    minute = ticks.resample("1min").agg({"price": ["first", "max", "min", "last"], "vol": "sum"})
    minute = minute.dropna()
    rows = [
        (int(t.timestamp()), *(float(x) for x in r))
        for t, r in zip(minute.index, minute.values, strict=True)
    ]
    clock = clock_for(info)
    return {iv: {r[0]: r[1:] for r in aggregate(rows, iv, clock)} for iv in INTERVALS}


def assert_same(got: dict[int, tuple], want: dict[int, tuple]) -> None:
    assert sorted(got) == sorted(want)
    for key, values in want.items():
        assert got[key] == pytest.approx(values), datetime.fromtimestamp(key, UTC)


@pytest.mark.parametrize("info", [EVERY_DAY, WEEKDAYS], ids=["every-day", "weekdays"])
def test_new_york_session_live_and_history_match_pandas(info: SymbolInfo) -> None:
    ticks = session_ticks(DAYS, info, seed=7)
    live, history = live_bars(ticks, info), history_bars(ticks, info)
    for interval in INTERVALS:
        want = oracle_session(ticks, interval)
        assert_same(live[interval], want)
        assert_same(history[interval], want)


def test_session_grid_on_dst_days_is_new_york_wall_time() -> None:
    ticks = session_ticks(DAYS, EVERY_DAY, seed=3)
    opens = [datetime.fromtimestamp(t, UTC) for t in live_bars(ticks, EVERY_DAY)[Interval.H1]]
    local = {pd.Timestamp(t).tz_convert(NY).strftime("%H:%M") for t in opens}
    assert local == {"09:30", "10:30", "11:30", "12:30", "13:30", "14:30", "15:30"}
    # 2024-03-08 (EST) opens 14:30 UTC, 2024-03-11 (EDT) 13:30 UTC
    assert min(t.hour for t in opens if t.date().isoformat() == "2024-03-08") == 14
    assert min(t.hour for t in opens if t.date().isoformat() == "2024-03-11") == 13


def test_last_bar_of_the_day_is_cut_at_the_close() -> None:
    clock = SessionClock(WEEKDAYS)
    start = int(pd.Timestamp("2024-03-11 15:30", tz=NY).timestamp())
    assert clock.floor(Interval.H1, start + 1800) == start
    assert clock.next_open(Interval.H1, start) == start + 40 * 60  # 16:10, not 16:30
    # a post-market tick is a new bar from the close, never the closed 15:30 one
    assert clock.floor(Interval.H1, start + 45 * 60) == start + 40 * 60


def test_24x7_symbol_keeps_utc_alignment() -> None:
    info = SymbolInfo(timezone="Etc/UTC", session="24x7")
    assert clock_for(info) is UTC_CLOCK
    stamps = pd.date_range("2024-03-09", "2024-03-11 12:00", freq="41s", tz="UTC")
    rng = random.Random(5)
    frame = pd.DataFrame(
        {"price": [round(25_000 + rng.uniform(-300, 300), 0) for _ in stamps],
         "vol": [float(rng.randint(1, 9)) for _ in stamps]},
        index=stamps,
    )  # fmt: skip
    frame.iloc[0, 1] = 0.0
    live, history = live_bars(frame, info), history_bars(frame, info)
    for interval in INTERVALS:
        want = oracle_utc(frame, interval)
        assert_same(live[interval], want)
        assert_same(history[interval], want)


def test_daily_history_stamped_at_midnight_utc_is_moved_to_the_session_open() -> None:
    clock = SessionClock(WEEKDAYS)
    bar = Bar.from_epoch("SP:SPX", Interval.D1, 1_710_115_200, 10, 11, 9, 10.5, 7)  # Mar 11 00:00Z
    # 00:00 UTC is still the evening of Mar 10 in New York: that belongs to Friday Mar 8
    (moved,) = realign([bar], clock)
    assert moved.time == datetime(2024, 3, 8, 14, 30, tzinfo=UTC)
    session_open = int(pd.Timestamp("2024-03-11 09:30", tz=NY).timestamp())
    assert (
        realign([Bar.from_epoch("SP:SPX", Interval.D1, session_open, 1, 1, 1, 1)], clock)[0].epoch
        == session_open
    )


def test_misaligned_finds_utc_hour_bars_in_a_session_series() -> None:
    clock = SessionClock(WEEKDAYS)
    good = int(pd.Timestamp("2024-03-11 10:30", tz=NY).timestamp())
    utc_hour = int(pd.Timestamp("2024-03-11 15:00", tz="UTC").timestamp())
    assert misaligned([good, utc_hour], Interval.H1, clock) == [utc_hour]
