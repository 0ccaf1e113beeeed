"""Indicator text as the user types it: accepted forms, canonical text, one clear refusal."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui_market.models.indicator import (
    IndicatorSpec,
    InvalidIndicator,
    completion,
    parse_specs,
    specs_text,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ema:21", "ema:21"),
        ("EMA 21", "ema:21"),
        ("ema:21,rsi:14", "ema:21, rsi:14"),
        ("macd:12,26,9,rsi:14", "macd:12,26,9, rsi:14"),
        ("macd", "macd:12,26,9"),
        ("BB 20 2.5; vwap", "bb:20,2.5, vwap"),
        ("sma", "sma:20"),
        ("", ""),
        ("  ", ""),
    ],
)
def test_accepted_forms_read_back_the_same(text: str, expected: str) -> None:
    specs = parse_specs(text)
    assert specs_text(specs) == expected
    assert parse_specs(specs_text(specs)) == specs


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("foo:3", "unknown indicator 'foo'"),
        ("ema:0", "EMA period must be a whole number from 1 to 1000"),
        ("ema:2.5", "EMA period must be a whole number"),
        ("rsi:1", "RSI period must be a whole number from 2"),
        ("ema:21,22", "EMA takes 1 parameter(s)"),
        ("vwap:3", "VWAP takes 0 parameter(s)"),
        ("ema:x", "EMA period 'x' is not a positive number"),
        ("ema:-3", "is not a positive number"),
        ("bb:20,0", "BB deviations must be above 0"),
        ("macd:26,12,9", "MACD fast period must be shorter"),
        ("ema:21, ema 21", "EMA 21 is listed twice"),
        ("12", "'12' is not an indicator"),
        ("sma:1,sma:2,sma:3,sma:4,sma:5,sma:6,sma:7,sma:8,sma:9", "at most 8 indicators"),
    ],
)
def test_bad_text_gets_one_clear_message(text: str, message: str) -> None:
    with pytest.raises(InvalidIndicator) as caught:
        parse_specs(text)
    assert message in str(caught.value)


def test_labels_and_csv_columns() -> None:
    bb, macd, vwap = parse_specs("bb:20,2.5, macd, vwap")
    assert bb.label == "BB 20 2.5"
    assert bb.columns() == ["bb_20_2p5_lower", "bb_20_2p5_mid", "bb_20_2p5_upper"]
    assert macd.columns() == ["macd_12_26_9", "macd_12_26_9_signal", "macd_12_26_9_hist"]
    assert vwap.columns() == ["vwap"]
    assert IndicatorSpec("ema", (21.0,)).place == "overlay"
    assert macd.place == "panel"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="emasvwapbrcdEMA0123456789.:,; -x", max_size=40) | st.text(max_size=40))
def test_any_text_parses_to_canonical_specs_or_one_clear_refusal(text: str) -> None:
    try:
        specs = parse_specs(text)
    except InvalidIndicator as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert parse_specs(specs_text(specs)) == specs


@pytest.mark.parametrize(
    ("typed", "completed"),
    [
        ("e", "ema:21"),
        ("EMA 21, r", "EMA 21, rsi:14"),
        ("sma:50,B", "sma:50,Bb:20,2"),
        ("macd, Vw", "macd, Vwap"),
        ("", None),  # nothing typed: any kind
        ("ema 2", None),  # a parameter is being typed
        ("rsi", "rsi:14"),
        ("vwap", None),  # complete already
        ("x", None),  # no such kind
    ],
)
def test_completion_of_the_name_being_typed(typed: str, completed: str | None) -> None:
    assert completion(typed) == completed
    if completed is not None:
        parse_specs(completed)  # what is suggested is accepted
