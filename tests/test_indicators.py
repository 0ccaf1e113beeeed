"""Indicators (talipp through ``IndicatorSet``) against oracles independent of our code.

TA-Lib (``talib``) for SMA, EMA, RSI and Bollinger bands; MACD as TA-Lib's own EMAs of the
close and of the MACD line (``talib.MACD`` seeds its fast EMA at the slow one's start, a
convention that differs from the textbook MACD talipp and TradingView draw); pandas ``groupby``
cumulative sums per session date for the session-anchored VWAP. Bars are the real captures
(``tests/data/tradingview``) and the app's replay data. Agreement to 1e-9 (relative to the
price level, absolute for values near zero), on the whole series, and on the live path: bars
fed one at a time, each first as a forming bar updated several times, and on a closed series.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
import talib

from tests.fakes.tv_data import load_market_data
from tui_market.managers.indicators import IndicatorSet, SeriesStudies, session_anchor
from tui_market.models import Bar, Interval
from tui_market.models.indicator import parse_specs
from tui_market.models.symbol_info import SymbolInfo
from tui_market.providers.replay.data import ReplayData

TOL = 1e-9
NY_CASH = SymbolInfo(timezone="America/New_York", session="0930-1600")
NY_CASH_ZONE = ZoneInfo("America/New_York")


def to_bars(symbol: str, interval: Interval, rows: list) -> list[Bar]:
    return [
        Bar(
            symbol=symbol,
            interval=interval,
            time=datetime.fromtimestamp(r[0], UTC),
            open=r[1],
            high=r[2],
            low=r[3],
            close=r[4],
            volume=r[5] if len(r) > 5 else 0.0,
        )
        for r in rows
    ]


def capture_series() -> list[tuple[str, list[Bar]]]:
    market = load_market_data()
    out = []
    for name, sym in market.symbols.items():
        if sym.rows:
            interval = Interval.D1 if sym.seconds == 86_400 else Interval.M1
            out.append((name, to_bars(name, interval, sym.rows)))
    return out


def replay_series() -> list[tuple[str, list[Bar]]]:
    data = ReplayData.load()
    out = []
    for name in data.names:
        for interval, series in data.get(name).series.items():
            out.append((f"{name} {interval.value}", to_bars(name, interval, list(series.rows))))
    return out


SERIES = capture_series() + replay_series()
IDS = [name for name, _ in SERIES]


def assert_close(ours: list[float | None], oracle: np.ndarray, what: str) -> None:
    assert len(ours) == len(oracle), what
    for i, (a, b) in enumerate(zip(ours, oracle, strict=True)):
        if math.isnan(b):
            assert a is None, f"{what}[{i}]: {a} where the oracle has no value yet"
        else:
            assert a is not None, f"{what}[{i}]: no value where the oracle has {b}"
            assert math.isclose(a, b, rel_tol=TOL, abs_tol=TOL), f"{what}[{i}]: {a} != {b}"


def oracle(spec_text: str, bars: list[Bar]) -> list[np.ndarray]:
    close = np.array([b.close for b in bars], dtype=float)
    (spec,) = parse_specs(spec_text)
    n = spec.ints
    if spec.kind == "sma":
        return [talib.SMA(close, n[0])]
    if spec.kind == "ema":
        return [talib.EMA(close, n[0])]
    if spec.kind == "rsi":
        return [talib.RSI(close, n[0])]
    if spec.kind == "bb":
        upper, mid, lower = talib.BBANDS(close, n[0], spec.params[1], spec.params[1], 0)
        return [lower, mid, upper]
    if spec.kind == "macd":
        macd = talib.EMA(close, n[0]) - talib.EMA(close, n[1])
        signal = np.full_like(close, np.nan)
        start = n[1] - 1
        if len(close) > start:
            signal[start:] = talib.EMA(macd[start:], n[2])
        return [macd, signal, macd - signal]
    raise AssertionError(spec_text)


SPECS = ["sma:20", "ema:21", "ema:9", "rsi:14", "bb:20,2", "bb:10,2.5", "macd:12,26,9"]


@pytest.mark.parametrize("bars", [bars for _, bars in SERIES], ids=IDS)
def test_whole_series_matches_talib(bars: list[Bar]) -> None:
    computed = IndicatorSet(parse_specs(",".join(SPECS))).extend(bars)
    for study, text in zip(computed.studies, SPECS, strict=True):
        for k, (line, expected) in enumerate(zip(study.lines, oracle(text, bars), strict=True)):
            assert_close(line, expected, f"{text} line {k}")


def live_feed(bars: list[Bar], specs: str, seed: int) -> IndicatorSet:
    """Each bar arrives as a forming bar moved by a few ticks, then closes with its values."""
    rng = random.Random(seed)
    live = IndicatorSet(parse_specs(specs))
    for bar in bars:
        for _ in range(rng.randint(0, 3)):
            wobble = bar.close * (1 + rng.uniform(-0.01, 0.01))
            live.push(bar.model_copy(update={"close": wobble, "volume": bar.volume / 2}))
        live.push(bar)
    return live


@pytest.mark.parametrize("name", ["DJ:DJI", "SP:SPX", "BITSTAMP:BTCUSD 1m"])
def test_live_path_with_forming_updates_matches_talib(name: str) -> None:
    bars = dict(SERIES)[name]
    specs = ",".join(SPECS)
    live = live_feed(bars, specs, seed=len(bars))
    assert live.epochs == [b.epoch for b in bars]
    for study, text in zip(live.studies, SPECS, strict=True):
        for k, (line, expected) in enumerate(zip(study.lines, oracle(text, bars), strict=True)):
            assert_close(line, expected, f"live {text} line {k}")


def test_follow_feeds_only_what_changed() -> None:
    bars = dict(SERIES)["DJ:DJI"][:300]
    live = IndicatorSet(parse_specs("ema:21"))
    live.follow(bars[:100])
    forming = bars[100].model_copy(update={"close": bars[100].close + 5})
    live.follow([*bars[:100], forming])
    live.follow(bars[:300])
    assert_close(live.studies[0].lines[0], talib.EMA(np.array([b.close for b in bars]), 21), "")


def vwap_oracle(bars: list[Bar], zone: str) -> np.ndarray:
    """Typical price times volume, summed per trading date in ``zone`` (bars between the
    open and the evening, so the local date is the trading date), over the volume summed the
    same way."""
    frame = pd.DataFrame(
        {
            "t": pd.to_datetime([b.epoch for b in bars], unit="s", utc=True),
            "pv": [(b.high + b.low + b.close) / 3 * b.volume for b in bars],
            "v": [b.volume for b in bars],
        }
    )
    day = frame["t"].dt.tz_convert(zone).dt.date
    pv, v = frame.groupby(day)["pv"].cumsum(), frame.groupby(day)["v"].cumsum()
    return (pv / v.where(v != 0)).to_numpy()


def test_vwap_starts_again_at_each_new_york_session_open() -> None:
    bars = dict(SERIES)["DJ:DJI"]
    local = [datetime.fromtimestamp(b.epoch, UTC).astimezone(NY_CASH_ZONE) for b in bars]
    # the cash session, and closing prints to 16:04 that count for the date that closed
    assert all((9, 30) <= (t.hour, t.minute) < (16, 5) for t in local)
    assert len({t.date() for t in local}) > 1  # several sessions: the reset is exercised
    computed = IndicatorSet(parse_specs("vwap"), session_anchor(NY_CASH)).extend(bars)
    assert_close(computed.studies[0].lines[0], vwap_oracle(bars, "America/New_York"), "vwap")
    live_set = IndicatorSet(parse_specs("vwap"), session_anchor(NY_CASH))
    for bar in bars:  # the forming updates again, with the session's anchor
        live_set.push(bar.model_copy(update={"volume": 1.0}))
        live_set.push(bar)
    assert_close(live_set.studies[0].lines[0], vwap_oracle(bars, "America/New_York"), "live")


def test_vwap_of_a_24x7_symbol_starts_at_midnight_utc() -> None:
    bars = dict(SERIES)["BITSTAMP:BTCUSD 1m"]
    computed = IndicatorSet(parse_specs("vwap"), session_anchor(SymbolInfo())).extend(bars)
    assert len({b.epoch // 86_400 for b in bars}) > 1
    assert_close(computed.studies[0].lines[0], vwap_oracle(bars, "UTC"), "vwap utc")


def test_series_studies_keep_feeding_a_series_shown_again() -> None:
    bars = dict(SERIES)["DJ:DJI"]
    specs = parse_specs("ema:21")
    studies = SeriesStudies(keep=2)
    first = studies.over("a", specs, None, bars[:100])
    studies.over("b", specs, None, bars[:50])
    assert studies.over("a", specs, None, bars[:120]) is first  # fed the 20 new bars only
    assert first.epochs == [b.epoch for b in bars[:120]]
    studies.over("c", specs, None, bars[:10])
    studies.over("d", specs, None, bars[:10])  # "a" is the least recently shown: dropped
    assert studies.over("a", specs, None, bars[:120]) is not first
    assert studies.over("a", (), None, bars) is None and studies.current is None
