"""QuoteBook (qsd merging, tick dedup, per-symbol errors) and Backoff: pure, no sockets."""

from __future__ import annotations

import random

import pytest

from tui_market.infrastructure.interfaces import SymbolError
from tui_market.models import Tick
from tui_market.providers.tradingview.backoff import Backoff
from tui_market.providers.tradingview.quote_state import MalformedQuote, QuoteBook

SNAPSHOT = {
    "n": "BITSTAMP:BTCUSD",
    "s": "ok",
    "v": {"lp": 25753.0, "lp_time": 1686475585, "volume": 275.62, "ch": -104.0, "bid": 1.0},
}


def test_snapshot_then_deltas_merge_into_ticks() -> None:
    book = QuoteBook()
    assert book.apply(SNAPSHOT, 99.0) == Tick("BITSTAMP:BTCUSD", 1686475585.0, 25753.0, 275.62)
    # bid/ask only: nothing a bar needs changed
    assert book.apply({"n": "BITSTAMP:BTCUSD", "s": "ok", "v": {"bid": 2.0}}, 99.0) is None
    # a new trade at the same price: time and volume change
    delta = {"n": "BITSTAMP:BTCUSD", "s": "ok", "v": {"lp_time": 1686475590, "volume": 276.0}}
    assert book.apply(delta, 99.0) == Tick("BITSTAMP:BTCUSD", 1686475590.0, 25753.0, 276.0)
    assert book.values("BITSTAMP:BTCUSD")["bid"] == 2.0
    assert book.values("BITSTAMP:BTCUSD")["ch"] == -104.0


def test_resent_snapshot_after_reconnect_gives_no_duplicate() -> None:
    book = QuoteBook()
    assert isinstance(book.apply(SNAPSHOT, 1.0), Tick)
    assert book.apply(SNAPSHOT, 2.0) is None
    changed = {**SNAPSHOT, "v": {**SNAPSHOT["v"], "lp": 25754.5}}  # type: ignore[dict-item]
    tick = book.apply(changed, 3.0)
    assert isinstance(tick, Tick) and tick.price == 25754.5


def test_missing_lp_time_falls_back_to_receive_time_and_volume_may_be_absent() -> None:
    book = QuoteBook()
    tick = book.apply({"n": "FX:EURUSD", "s": "ok", "v": {"lp": 1.08}}, 1700000000.5)
    assert tick == Tick("FX:EURUSD", 1700000000.5, 1.08, None)
    # same price, no time: no new tick just because the receive time moved on
    assert book.apply({"n": "FX:EURUSD", "s": "ok", "v": {"ch": 0.1}}, 1700000009.0) is None


def test_error_status_becomes_symbol_error_once_until_ok_again() -> None:
    book = QuoteBook()
    bad = {"n": "NOPE:XYZ", "s": "error", "errmsg": "invalid symbol", "v": {}}
    assert book.apply(bad, 1.0) == SymbolError("NOPE:XYZ", "error: invalid symbol")
    assert book.apply(bad, 2.0) is None  # the same refusal after a resubscribe
    assert book.apply({"n": "NOPE:XYZ", "s": "ok", "v": {"lp": 5}}, 3.0) == Tick(
        "NOPE:XYZ", 3.0, 5.0, None
    )
    assert isinstance(book.apply(bad, 4.0), SymbolError)


@pytest.mark.parametrize(
    "body", [None, [], {"s": "ok", "v": {}}, {"n": "", "v": {}}, {"n": "A:B", "v": [1, 2]}]
)
def test_malformed_bodies_raise_malformed_quote(body: object) -> None:
    with pytest.raises(MalformedQuote):
        QuoteBook().apply(body, 1.0)


def test_unusable_field_values_are_dropped_and_counted() -> None:
    book = QuoteBook()
    assert book.apply({"n": "A:B", "s": "ok", "v": {"lp": 10.0, "volume": 5}}, 1.0) is not None
    bad = {"n": "A:B", "s": "ok", "v": {"lp": "x", "lp_time": float("nan"), "volume": True}}
    assert book.apply(bad, 2.0) is None
    assert book.rejected_fields == 3
    assert book.values("A:B")["lp"] == 10.0
    assert book.apply({"n": "A:B", "s": "ok", "v": {"lp": -1}}, 3.0) is None
    assert book.rejected_fields == 4


def test_forget_restarts_from_the_next_snapshot() -> None:
    book = QuoteBook()
    book.apply(SNAPSHOT, 1.0)
    book.forget("BITSTAMP:BTCUSD")
    assert book.values("BITSTAMP:BTCUSD") == {}
    assert isinstance(book.apply(SNAPSHOT, 2.0), Tick)


def test_backoff_grows_to_the_cap_with_jitter_and_resets() -> None:
    backoff = Backoff(0.5, 30.0, jitter=0.2, rng=random.Random(7))
    delays = [backoff.next_delay() for _ in range(12)]
    assert backoff.attempt == 12
    for n, delay in enumerate(delays[:6]):
        base = 0.5 * 2**n
        assert base * 0.8 <= delay <= base * 1.2
    assert all(d <= 30.0 for d in delays)
    assert delays[-1] >= 24.0
    assert len(set(delays)) == len(delays)  # jittered, not lockstep
    backoff.reset()
    assert backoff.attempt == 0 and backoff.next_delay() <= 0.6


def test_backoff_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="bad backoff"):
        Backoff(0.0, 1.0)
    with pytest.raises(ValueError, match="bad backoff"):
        Backoff(2.0, 1.0)


def test_index_volume_placeholder_means_no_volume() -> None:
    """NASDAQ:NDX's real snapshot carries volume 1e+100: an index has no volume."""
    book = QuoteBook()
    snap = {
        "n": "NASDAQ:NDX",
        "s": "ok",
        "v": {"lp": 14528.3605, "lp_time": 1686254400, "volume": 1e100},
    }
    assert book.apply(snap, 1.0) == Tick("NASDAQ:NDX", 1686254400.0, 14528.3605, None)
