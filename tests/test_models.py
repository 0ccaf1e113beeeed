from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from tui_market.models import Bar, Interval, InvalidSymbol, SymbolRef


def _epoch(*args: int) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NASDAQ:AAPL", "NASDAQ:AAPL"),
        (" binance:btcusdt ", "BINANCE:BTCUSDT"),
        ("CME_MINI:ES1!", "CME_MINI:ES1!"),
        ("NYSE:BRK.B", "NYSE:BRK.B"),
    ],
)
def test_symbol_parse_normalises(text: str, expected: str) -> None:
    assert SymbolRef.parse(text).full == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("AAPL", "missing ':'"),
        ("A:B:C", "more than one ':'"),
        (":AAPL", "exchange is missing"),
        ("NASDAQ:", "ticker is missing"),
        ("NAS DAQ:AAPL", "no spaces"),
        ("NASDAQ:AA!PL", "'!' is allowed only at the end"),
        ("NAS-DAQ:AAPL", "exchange"),
        ("NASDAQ:AAPL$", "ticker"),
    ],
)
def test_symbol_parse_rejects_with_reason(text: str, reason: str) -> None:
    with pytest.raises(InvalidSymbol, match=reason):
        SymbolRef.parse(text)


def test_interval_parse_accepts_names_and_resolutions() -> None:
    assert Interval.parse("1h") is Interval.H1
    assert Interval.parse("60") is Interval.H1
    assert Interval.parse("D") is Interval.D1
    assert Interval.parse("1M") is Interval.MN1
    with pytest.raises(ValueError, match="unknown interval"):
        Interval.parse("7m")


def test_interval_floor_fixed_and_calendar() -> None:
    t = _epoch(2024, 2, 29, 13, 47, 12)
    assert Interval.M1.floor(t) == _epoch(2024, 2, 29, 13, 47)
    assert Interval.M45.floor(t) == t - t % 2700
    assert Interval.H4.floor(t) == _epoch(2024, 2, 29, 12)
    assert Interval.D1.floor(t) == _epoch(2024, 2, 29)
    assert Interval.W1.floor(t) == _epoch(2024, 2, 26)  # Monday
    assert Interval.MN1.floor(t) == _epoch(2024, 2, 1)
    assert Interval.MN1.next_open(_epoch(2024, 12, 1)) == _epoch(2025, 1, 1)
    assert Interval.MN1.next_open(_epoch(2024, 2, 1)) == _epoch(2024, 3, 1)
    # a boundary-exact time belongs to the bar it opens
    assert Interval.M5.floor(_epoch(2024, 1, 1, 0, 5)) == _epoch(2024, 1, 1, 0, 5)


def test_interval_maps_to_tradingview_and_tvdatafeed() -> None:
    from tvDatafeed import Interval as TvInterval

    for item in Interval:
        assert getattr(TvInterval, item.tvdatafeed_name).value in {
            item.tv_resolution,
            item.tv_resolution.replace("60", "1H")
            .replace("120", "2H")
            .replace("180", "3H")
            .replace("240", "4H"),
        }


def _bar(**kw: object) -> Bar:
    base: dict[str, object] = dict(
        symbol="X:Y",
        interval=Interval.M1,
        time=datetime(2024, 1, 1, tzinfo=UTC),
        open=10.0,
        high=11.0,
        low=9.0,
        close=10.5,
        volume=3.0,
    )
    base.update(kw)
    return Bar(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "bad",
    [
        {"high": 8.0},
        {"open": -1.0},
        {"close": math.nan},
        {"low": math.inf},
        {"high": 1e300, "close": 1e300},  # a finite nonsense price from a provider
        {"volume": -5.0},
        {"time": datetime(2024, 1, 1)},
        {"open": 12.0},
    ],
)
def test_bar_rejects_garbage(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        _bar(**bad)


def test_bar_time_normalised_to_utc() -> None:
    local = datetime(2024, 1, 1, 5, 30, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    bar = _bar(time=local)
    assert bar.time == datetime(2024, 1, 1, tzinfo=UTC)
    assert bar.epoch == _epoch(2024, 1, 1)
