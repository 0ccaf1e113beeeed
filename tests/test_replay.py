"""The offline demo: shipped data file, ReplayProvider history and the replay tick stream."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tui_market.errors import ProviderError, SymbolNotFound
from tui_market.models import Bar, Interval
from tui_market.providers.replay import ReplayProvider
from tui_market.providers.replay.data import WEEK, ReplayData, aggregate

CAPTURE = Path(__file__).parent / "data" / "tradingview" / "socket_messages.txt"
NOW = datetime(2025, 11, 19, 12, 0, tzinfo=UTC).timestamp()  # a Wednesday
DEMO = {
    "NASDAQ:NDX": "real",
    "TVC:RUT": "real",
    "DJ:DJI": "likely",
    "TVC:VIX": "likely",
    "TVC:DXY": "likely",
    "SP:SPX": "real",
    "BITSTAMP:BTCUSD": "synthetic",
    "NASDAQ:AAPL": "synthetic",
    "NASDAQ:TSLA": "synthetic",
}


@pytest.fixture(scope="module")
def data() -> ReplayData:
    return ReplayData.load()


def test_shipped_file_is_compact_and_credited() -> None:
    folder = resources.files("tui_market") / "data"
    blob = (folder / "replay.json.gz").read_bytes()
    assert len(blob) < 300_000
    assert "MIT" in (folder / "LICENSE.tradingview-rs").read_text()


def test_series_and_provenance(data: ReplayData) -> None:
    assert set(data.symbols) == set(DEMO)
    for name, status in DEMO.items():
        first = data.symbols[name].series.get(Interval.M1) or data.symbols[name].series[Interval.D1]
        assert first.status == status or (name == "SP:SPX" and first.synthetic)
        for series in data.symbols[name].series.values():
            assert series.note
            if series.status == "likely":
                assert "likely" in series.note
    spx = data.symbols["SP:SPX"].series
    assert spx[Interval.D1].status == "real" and len(spx[Interval.D1].rows) == 368
    assert spx[Interval.M1].synthetic
    for name in ("BITSTAMP:BTCUSD", "NASDAQ:AAPL", "NASDAQ:TSLA"):
        assert all(s.synthetic for s in data.symbols[name].series.values())
    assert data.symbols["TVC:RUT"].description == "RUSSELL 2000"
    assert data.symbols["NASDAQ:AAPL"].description == "Apple Inc."


def test_real_values(data: ReplayData) -> None:
    ndx = data.symbols["NASDAQ:NDX"]
    assert ndx.series[Interval.M1].rows[-1][4] == 14528.3605
    assert ndx.quote["lp"] == 14528.3605 and ndx.quote["ch"] == 43.82
    spx_last = data.symbols["SP:SPX"].series[Interval.D1].rows[-1]
    assert spx_last == (1686268800, 4304.88, 4322.62, 4291.7, 4298.87, 2109000000.0)
    assert len(data.symbols["TVC:DXY"].series[Interval.M1].rows) == 3507
    assert data.symbols["DJ:DJI"].series[Interval.M1].rows[0] == (
        1685633880,
        33019.3,
        33025.31,
        33018.84,
        33021.84,
        638315.0,
    )


def test_every_real_minute_bar_matches_the_capture(data: ReplayData) -> None:
    text, bars = CAPTURE.read_text(), {}
    for m in re.finditer(r"~m~(\d+)~m~", text):
        payload = text[m.end() : m.end() + int(m.group(1))]
        if '"timescale_update"' in payload[:40]:
            for key, v in json.loads(payload)["p"][1].items():
                bars[key] = [tuple(b["v"]) for b in v["s"]]
    for key, name in (
        ("sds_2", "NASDAQ:NDX"),
        ("sds_6", "TVC:RUT"),
        ("sds_5", "DJ:DJI"),
        ("sds_3", "TVC:VIX"),
        ("sds_4", "TVC:DXY"),
    ):
        rows = data.symbols[name].series[Interval.M1].rows
        with_volume = len(bars[key][0]) > 5
        assert [r if with_volume else r[:5] for r in rows] == bars[key], name


@pytest.mark.parametrize("name", ["BITSTAMP:BTCUSD", "NASDAQ:AAPL", "NASDAQ:TSLA", "SP:SPX"])
def test_synthetic_series_are_anchored_and_consistent(data: ReplayData, name: str) -> None:
    demo = data.symbols[name]
    daily = demo.series[Interval.D1].rows
    assert daily[-1][4] == demo.quote["lp"]
    assert daily[-2][4] == pytest.approx(demo.quote["lp"] - demo.quote["ch"], abs=1e-6)
    by_day = {r[0]: r for r in daily}
    days = aggregate(demo.series[Interval.M1].rows, Interval.D1)
    assert len(days) >= 5
    for got in days:
        assert got[:5] == by_day[got[0]][:5]
        assert got[5] == pytest.approx(by_day[got[0]][5], rel=1e-9, abs=1e-3)


def test_aggregate_matches_a_plain_reference() -> None:
    base = int(datetime(2024, 2, 26, 23, 58, tzinfo=UTC).timestamp())  # Monday 23:58
    rows = [(base + 60 * i, 10.0 + i, 12.0 + i, 9.0 + i, 11.0 + i, float(i)) for i in range(7)]
    five = aggregate(rows, Interval.M5)
    assert five[0] == (base - 180, 10.0, 13.0, 9.0, 11.0 + 1, 1.0)
    assert five[1] == (base + 120, 12.0, 18.0, 11.0, 17.0, 2.0 + 3 + 4 + 5 + 6)
    assert [r[0] for r in aggregate(rows, Interval.D1)] == [base - 86_280, base + 120]
    assert aggregate(rows, Interval.W1)[0][0] == base - 86_280  # Monday 00:00
    month = aggregate(rows, Interval.MN1)
    assert datetime.fromtimestamp(month[-1][0], UTC) == datetime(2024, 2, 1, tzinfo=UTC)


async def test_history_every_interval_is_valid_aligned_and_bounded(data: ReplayData) -> None:
    provider = ReplayProvider(data, now=NOW)
    for name in ("NASDAQ:NDX", "SP:SPX", "BITSTAMP:BTCUSD", "TVC:VIX"):
        exchange, ticker = name.split(":")
        for interval in Interval:
            bars = await provider.fetch_ohlcv(ticker, exchange, interval, 5000)
            assert bars and all(isinstance(b, Bar) and b.symbol == name for b in bars)
            epochs = [b.epoch for b in bars]
            assert epochs == sorted(set(epochs))
            clock = provider.clock(name)  # the symbol's session (UTC for 24x7 BTCUSD)
            assert all(clock.floor(interval, e) == e for e in epochs)
            assert clock.next_open(interval, epochs[-1]) <= NOW or interval.seconds >= 86_400
            last = await provider.fetch_ohlcv(name, "", interval, 3)
            assert last == bars[-3:]
            assert await provider.fetch_ohlcv(name, "", interval, 0) == []


async def test_history_values_follow_the_data(data: ReplayData) -> None:
    provider = ReplayProvider(data, now=NOW)
    shift = provider.shift()
    spx = await provider.fetch_ohlcv("SPX", "SP", Interval.D1, 1000)
    # stored by date, served at each date's session open (09:30 New York, DST included)
    ny = ZoneInfo("America/New_York")
    assert [(datetime.fromtimestamp(b.epoch - shift, ny).date(), b.close) for b in spx] == [
        (datetime.fromtimestamp(r[0], UTC).date(), r[4])
        for r in data.symbols["SP:SPX"].series[Interval.D1].rows
    ]
    assert {datetime.fromtimestamp(b.epoch, ny).strftime("%H:%M") for b in spx} == {"09:30"}
    ndx_h1 = await provider.fetch_ohlcv("NDX", "NASDAQ", Interval.H1, 1)
    assert ndx_h1[-1].close == 14528.3605
    assert len(await provider.fetch_ohlcv("NDX", "NASDAQ", Interval.M1, 100)) == 100


@pytest.mark.parametrize("day", range(14, 21))
def test_shift_is_whole_weeks_and_keeps_weekdays(data: ReplayData, day: int) -> None:
    now = datetime(2025, 11, day, 7, 30, tzinfo=UTC).timestamp()
    provider = ReplayProvider(data, now=lambda: now)
    shift = provider.shift()
    assert shift % WEEK == 0
    assert 0 <= now - (data.end + shift) < WEEK
    original = data.symbols["NASDAQ:NDX"].series[Interval.M1].rows
    moved = provider.rows("NASDAQ:NDX", Interval.M1)
    for a, b in zip(original[::97], moved[::97], strict=True):
        da, db = (datetime.fromtimestamp(x[0], UTC) for x in (a, b))
        assert (da.weekday(), da.time()) == (db.weekday(), db.time())
        assert a[1:] == b[1:]


async def test_unknown_symbol_lists_the_demo_symbols(data: ReplayData) -> None:
    provider = ReplayProvider(data, now=NOW)
    with pytest.raises(SymbolNotFound) as caught:
        await provider.fetch_ohlcv("NOPE", "NASDAQ", Interval.D1, 10)
    assert "NASDAQ:NOPE" in str(caught.value) and "NASDAQ:AAPL" in str(caught.value)
    assert ("NASDAQ:AAPL", "Apple Inc.") in await provider.search("apple")
    assert provider.name == "demo"
    await provider.close()


def test_unreadable_data_file_is_a_provider_error(tmp_path: Path) -> None:
    bad = tmp_path / "replay.json.gz"
    bad.write_bytes(b"not gzip")
    with pytest.raises(ProviderError, match="unreadable"):
        ReplayData.load(bad)
