"""The frame codec over every real captured frame, plus a fuzz of the decoder."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui_market.errors import ProtocolError
from tui_market.providers.tradingview.protocol import (
    DecodeResult,
    Heartbeat,
    decode_frames,
    encode_frame,
    encode_message,
    heartbeat,
    is_hello,
    method_of,
    params_of,
    parse_payload,
)

CAPTURE = Path(__file__).parent / "data" / "tradingview" / "socket_messages.txt"

# Exact figures of the capture (tests/data/tradingview/README.md gives them approximately).
BARS_PER_SERIES = {
    "sds_5": 2637,
    "sds_2": 2637,
    "sds_3": 2637,
    "sds_4": 3507,
    "sds_7": 368,
    "sds_6": 2637,
}
TYPES = {
    "series_timeframe": 8,
    "timescale_update": 6,
    "series_completed": 6,
    "du": 5,
    "study_completed": 5,
    "qsd": 5,
    "quote_completed": 5,
    "symbol_resolved": 2,
}


@pytest.fixture(scope="module")
def capture() -> str:
    return CAPTURE.read_text(encoding="ascii")


def test_capture_frames_types_and_bar_counts(capture: str) -> None:
    frames = decode_frames(capture)
    assert len(frames) == 42
    assert frames.malformed == 0
    assert "".join(encode_frame(p) for p in frames) == capture  # lossless round trip
    msgs = [parse_payload(p) for p in frames]
    assert all(isinstance(m, dict) for m in msgs)
    dicts = [m for m in msgs if isinstance(m, dict)]
    assert Counter(method_of(m) for m in dicts) == TYPES
    bars: dict[str, list[list[float]]] = {}
    for m in dicts:
        if method_of(m) == "timescale_update":
            for sid, series in params_of(m)[1].items():
                bars[sid] = [row["v"] for row in series["s"]]
    assert {k: len(v) for k, v in bars.items()} == BARS_PER_SERIES
    # Oldest first, contiguous indexes; NDX's last close is its qsd last price.
    assert all(rows == sorted(rows) for rows in bars.values())
    assert bars["sds_2"][-1][4] == 14528.3605
    assert bars["sds_7"][-1][4] == 4298.87
    assert len(bars["sds_5"][0]) == 6 and len(bars["sds_2"][0]) == 5  # with / without volume
    quotes = {
        params_of(m)[1]["n"]: params_of(m)[1]["v"]["lp"] for m in dicts if method_of(m) == "qsd"
    }
    assert quotes == {
        "NASDAQ:NDX": 14528.3605,
        "SP:SPX": 4298.87,
        "BITSTAMP:BTCUSD": 25753.0,
        "NASDAQ:AAPL": 180.96,
        "NASDAQ:TSLA": 244.4,
    }


def test_each_captured_frame_alone_and_batched_with_heartbeats(capture: str) -> None:
    frames = decode_frames(capture)
    for payload in frames:
        assert decode_frames(encode_frame(payload)) == [payload]
    batch = heartbeat(7) + encode_frame(frames[-1]) + heartbeat(8)
    assert decode_frames(batch) == ["~h~7", frames[-1], "~h~8"]


def test_encoding_is_compact_ascii_and_matches_the_notes() -> None:
    assert encode_message("set_auth_token", ["unauthorized_user_token"]) == (
        '~m~54~m~{"m":"set_auth_token","p":["unauthorized_user_token"]}'
    )
    assert encode_message("set_locale", ["en", "US"]) == (
        '~m~34~m~{"m":"set_locale","p":["en","US"]}'
    )
    assert heartbeat(1) == "~m~4~m~~h~1" and heartbeat(16) == "~m~5~m~~h~16"
    frame = encode_message("x", ["Chứng khoán"])
    assert frame.isascii() and decode_frames(frame) == [frame.split("~m~", 2)[2]]


def test_parse_payload_kinds() -> None:
    assert parse_payload("~h~12") == Heartbeat(12)
    assert Heartbeat(12).payload == "~h~12"
    hello = parse_payload('{"session_id":"x","javastudies":["3.66"]}')
    assert isinstance(hello, dict) and is_hello(hello) and method_of(hello) is None
    msg = parse_payload('{"m":"qsd","p":["qs_a",{}]}')
    assert isinstance(msg, dict) and not is_hello(msg) and params_of(msg) == ["qs_a", {}]
    for bad in ("~h~x", "{", "[1,2]", "nul", "[" * 100_000):
        with pytest.raises(ProtocolError):
            parse_payload(bad)


def test_non_ascii_lengths_in_bytes_or_utf16_are_accepted() -> None:
    payload = '{"d":"Chứng khoán 😀"}'
    for unit in (len(payload.encode()), len(payload.encode("utf-16-le")) // 2):
        data = f"~m~{unit}~m~{payload}" + heartbeat(3)
        result = decode_frames(data)
        assert result == [payload, "~h~3"] and result.malformed == 0


def test_malformed_frames_are_skipped_counted_and_resynced() -> None:
    good = encode_message("qsd", ["qs_a", {"n": "A", "s": "ok", "v": {"lp": 1.5}}])
    cases = {
        "junk" + good: 1,  # leading garbage
        "~m~99~m~short" + good: 1,  # length too long for its frame
        "~m~2~m~toolong" + good: 1,  # length too short
        "~m~x~m~abc" + good: 1,  # non-numeric length
        "~m~~m~5~m~hello" + good: 1,  # empty length, then a good frame
        good + "~m~50~m~trunc": 1,  # truncated last frame
    }
    for data, bad in cases.items():
        result = decode_frames(data)
        assert result[-1] == good.split("~m~", 2)[2], data
        assert result.malformed == bad, data
    assert decode_frames("~m~5~m~hello").malformed == 0
    assert decode_frames("") == [] and isinstance(decode_frames(""), DecodeResult)


def test_unusable_input_raises_protocol_error_only() -> None:
    for data in ("garbage", "~m~", "~m~12~m~abc", "~m~" * 10_000, "~" * 50_000):
        with pytest.raises(ProtocolError):
            decode_frames(data)
    with pytest.raises(ProtocolError):
        decode_frames(b"~m~1~m~a")  # type: ignore[arg-type]


def _decode_or_protocol_error(data: str) -> DecodeResult | None:
    try:
        return decode_frames(data)
    except ProtocolError:
        return None


payloads = st.lists(st.text(max_size=40), max_size=6)


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=300) | st.text(alphabet="~m0123456789h{}", max_size=300))
def test_fuzz_text_never_raises_other_errors(data: str) -> None:
    result = _decode_or_protocol_error(data)
    if result is not None:
        assert all(isinstance(p, str) for p in result)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_fuzz_bytes_as_text(raw: bytes) -> None:
    _decode_or_protocol_error(raw.decode("latin-1"))
    _decode_or_protocol_error(raw.decode("utf-8", "replace"))


@settings(max_examples=400, deadline=None)
@given(payloads)
def test_fuzz_round_trip(items: list[str]) -> None:
    assert decode_frames("".join(encode_frame(p) for p in items)) == items


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(exclude_characters="0123456789"), max_size=80), payloads)
def test_fuzz_valid_frames_after_garbage_are_recovered(garbage: str, items: list[str]) -> None:
    # Garbage without digits cannot form a header, so every good frame after it must survive.
    data = garbage + "".join(encode_frame(p) for p in items)
    result = _decode_or_protocol_error(data)
    if result is None:
        assert not items
        return
    assert list(result[len(result) - len(items) :]) == items
    assert result.malformed <= len(garbage)


@settings(max_examples=400, deadline=None)
@given(payloads.filter(bool), st.data())
def test_fuzz_truncated_and_spliced(items: list[str], data: st.DataObject) -> None:
    stream = "".join(encode_frame(p) for p in items)
    cut = data.draw(st.integers(0, len(stream)))
    head = stream[:cut]
    offset, whole = 0, 0
    for p in items:  # frames wholly before the cut come back first, unchanged
        offset += len(encode_frame(p))
        if offset > cut:
            break
        whole += 1
    result = _decode_or_protocol_error(head)
    if whole:
        assert result is not None and list(result[:whole]) == items[:whole]
    tail = data.draw(st.text(max_size=50))
    spliced = head + tail + stream
    result = _decode_or_protocol_error(spliced)
    assert result is not None  # the stream after the splice holds valid frames
