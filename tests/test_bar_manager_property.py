"""Property: BarManager's bars equal pandas' ``resample(label='left', closed='left').ohlc()``.

Random streams of ticks (several symbols; gaps, bursts of equal timestamps, boundary-exact
timestamps, out-of-order and late ticks, duplicates, bad prices, volume resets, missing volume)
and clock calls. A small, obviously-correct simulation of the documented policies decides which
ticks count and each tick's volume delta; pandas makes the bars from those ticks on its own.
After a final ``on_clock``, BarManager's closed bars must be exactly pandas' non-empty buckets.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui_market.managers import BarManager, ClosedBar
from tui_market.models import Interval, Tick

START_MS = int(datetime(2024, 2, 29, 22, 0, tzinfo=UTC).timestamp()) * 1000  # leap day, Thu
SYMBOLS = ("X:A", "X:B", "X:C")
FREQ = {
    Interval.M1: "1min",
    Interval.M5: "5min",
    Interval.M45: "45min",
    Interval.H1: "1h",
    Interval.H4: "4h",
    Interval.D1: "1D",
    Interval.W1: "W-MON",
    Interval.MN1: "MS",
}
INTERVAL_SETS = [
    (Interval.M1,),
    (Interval.M1, Interval.M5, Interval.H1),
    (Interval.M45, Interval.H4, Interval.D1),
    (Interval.M5, Interval.W1, Interval.MN1),
]
Event = tuple[str, float, float, float | None] | tuple[str, float]


@st.composite
def streams(draw: st.DrawFn) -> list[Event]:
    t = START_MS
    cum = dict.fromkeys(SYMBOLS, 0.0)
    events: list[Event] = []
    for _ in range(draw(st.integers(1, 120))):
        move = draw(st.sampled_from("bbssssnnjkc"))
        if move == "b":  # burst: same timestamp
            pass
        elif move == "s":
            t += draw(st.integers(1, 90_000))
        elif move == "n":  # exactly on the next boundary of some interval
            iv = draw(st.sampled_from(list(FREQ)))
            t = iv.next_open(iv.floor(t / 1000)) * 1000
        elif move == "j":  # a long gap
            t += draw(st.integers(3_600_000, 40 * 86_400_000))
        elif move == "k":  # a step back: out of order or late
            t -= draw(st.integers(1, 400_000))
        if move == "c":
            if draw(st.booleans()):  # exactly at the end of some bar
                iv = draw(st.sampled_from(list(FREQ)))
                events.append(("clock", float(iv.next_open(iv.floor(t / 1000)))))
            else:
                events.append(("clock", t / 1000 + draw(st.integers(-120, 7200))))
            continue
        last_tick = next((e for e in reversed(events) if e[0] != "clock"), None)
        if last_tick is not None and draw(st.integers(0, 9)) == 0:
            events.append(last_tick)  # an exact repeat
            continue
        sym = draw(st.sampled_from(SYMBOLS))
        if draw(st.integers(0, 15)) == 0:
            price = draw(st.sampled_from([math.nan, 0.0, -1.0, math.inf]))
        else:
            price = draw(
                st.one_of(
                    st.sampled_from([10.0, 10.5, 11.0]),
                    st.floats(1.0, 1000.0).map(lambda x: round(x, 2)),
                )
            )
        vol_kind = draw(st.sampled_from("aaaaanr"))
        vol: float | None
        if vol_kind == "n":
            vol = None
        else:
            cum[sym] = (
                draw(st.integers(0, 500))
                if vol_kind == "r"
                else cum[sym] + draw(st.integers(0, 1000))
            )
            vol = cum[sym]
        events.append((sym, t / 1000, price, vol))
    return events


def accepted_ticks(
    events: list[Event],
    intervals: tuple[Interval, ...],
) -> list[tuple[str, int, float, float]]:
    """The documented policies, simulated plainly: (symbol, ms, price, volume delta)."""
    out = []
    last: dict[str, tuple[float, float, float | None]] = {}
    latest: dict[str, float] = {}
    baseline: dict[str, float] = {}
    forming: dict[tuple[str, Interval], int | None] = {}
    low_water: dict[tuple[str, Interval], float] = {}
    for ev in events:
        if ev[0] == "clock":
            now = ev[1]
            for key, start in forming.items():
                if start is not None and key[1].next_open(start) <= now:
                    forming[key], low_water[key] = None, key[1].next_open(start)
            continue
        sym, ts, price, vol = ev  # type: ignore[misc]
        if not (math.isfinite(price) and price > 0):
            continue
        if last.get(sym) == (ts, price, vol):
            continue
        if any(ts < low_water.get((sym, iv), -math.inf) for iv in intervals):
            continue
        last[sym] = (ts, price, vol)
        delta = 0.0
        if ts >= latest.get(sym, -math.inf):
            latest[sym] = ts
            if vol is not None:
                if sym in baseline:
                    delta = vol - baseline[sym] if vol >= baseline[sym] else vol
                baseline[sym] = vol
        for iv in intervals:
            start = iv.floor(ts)
            if forming.get((sym, iv)) is None or start > forming[(sym, iv)]:  # type: ignore[operator]
                forming[(sym, iv)] = low_water[(sym, iv)] = start
        out.append((sym, round(ts * 1000), price, delta))
    return out


def pandas_bars(
    ticks: list[tuple[str, int, float, float]],
    interval: Interval,
) -> dict[tuple[str, int], tuple[float, float, float, float, float, int]]:
    if not ticks:
        return {}
    df = pd.DataFrame(ticks, columns=["symbol", "ms", "price", "dv"])
    df["ts"] = pd.to_datetime(df["ms"], unit="ms")
    bars: dict[tuple[str, int], tuple[float, float, float, float, float, int]] = {}
    for sym, rows in df.groupby("symbol"):
        series = rows.sort_values("ts", kind="stable").set_index("ts")
        calendar = interval in (Interval.W1, Interval.MN1)  # anchored: no origin
        r = series.resample(
            FREQ[interval], label="left", closed="left", **({} if calendar else {"origin": "epoch"})
        )
        ohlc = r["price"].ohlc()
        ohlc["v"], ohlc["n"] = r["dv"].sum(), r["price"].count()
        for stamp, row in ohlc[ohlc["n"] > 0].iterrows():
            key = (str(sym), int(stamp.timestamp()))  # type: ignore[attr-defined]
            bars[key] = (
                row["open"],
                row["high"],
                row["low"],
                row["close"],
                row["v"],
                int(row["n"]),
            )
    return bars


def run_manager(
    events: list[Event],
    intervals: tuple[Interval, ...],
    batch: bool,
) -> tuple[BarManager, list[ClosedBar]]:
    m = BarManager(intervals)
    closed: list[ClosedBar] = []
    pending: list[Tick] = []
    for ev in events:
        if ev[0] == "clock":
            closed.extend(m.on_ticks(pending))
            pending.clear()
            closed.extend(m.on_clock(ev[1]))
        elif batch:
            pending.append(Tick(*ev))  # type: ignore[arg-type]
        else:
            closed.extend(m.on_tick(Tick(*ev)))  # type: ignore[arg-type]
    closed.extend(m.on_ticks(pending))
    closed.extend(m.on_clock(4e9))  # the year 2096: every bar is over
    return m, closed


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(intervals=st.sampled_from(INTERVAL_SETS), events=streams())
def test_bars_equal_pandas_resample(intervals: tuple[Interval, ...], events: list[Event]) -> None:
    m, closed = run_manager(events, intervals, batch=False)
    ticks = accepted_ticks(events, intervals)
    assert m.forming_all() == []
    for iv in intervals:
        mine = [b for b in closed if b.interval is iv]
        got = {
            (b.symbol, b.time): (b.open, b.high, b.low, b.close, b.volume, b.ticks) for b in mine
        }
        assert len(got) == len(mine), "a bar was closed twice"
        expected = pandas_bars(ticks, iv)
        assert got.keys() == expected.keys(), iv
        for key, (o, h, low, c, v, n) in expected.items():
            assert got[key][:4] == (o, h, low, c), (iv, key)
            assert got[key][4] == pytest.approx(v, rel=1e-12, abs=1e-6), (iv, key)
            assert got[key][5] == n, (iv, key)
    batch_m, batch_closed = run_manager(events, intervals, batch=True)
    assert batch_closed == closed and batch_m.stats == m.stats
