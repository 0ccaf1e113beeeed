"""QuoteManager snapshots: the incremental refreeze (only symbols that ticked) and the lazy forming
bars must show exactly what a full rebuild shows, after ticks, clock closes, merges and
watchlist changes."""

from __future__ import annotations

import random

from tui_market.managers.quote_manager import QuoteManager
from tui_market.models import Bar, Interval, Tick

SYMBOLS = ["NASDAQ:AAPL", "NASDAQ:TSLA", "BITSTAMP:BTCUSD"]
INTERVALS = (Interval.M1, Interval.M5, Interval.H1)
START = 1_700_000_000.0


def assert_fresh(book: QuoteManager, now: float) -> None:
    snapshot = book.snapshot(now, None, 0, 0)
    assert set(snapshot.quotes) == {s for s in SYMBOLS if book.quote(s) is not None}
    for symbol, quote in snapshot.quotes.items():
        fresh = book.quote(symbol)
        assert fresh is not None
        assert quote == fresh, symbol
        for interval in INTERVALS:
            forming = book.manager.forming(symbol, interval)
            bar = quote.forming.get(interval)
            if forming is None:
                assert bar is None
            else:
                assert isinstance(bar, Bar)
                assert (bar.epoch, bar.open, bar.high, bar.low, bar.close, bar.volume) == (
                    forming.time,
                    forming.open,
                    forming.high,
                    forming.low,
                    forming.close,
                    forming.volume,
                )
                assert quote.forming.get(interval) is bar  # built once, then kept


def test_incremental_snapshots_equal_a_full_rebuild() -> None:
    rng = random.Random(7)
    book = QuoteManager(INTERVALS)
    ts, volume = START, 0.0
    prices = dict.fromkeys(SYMBOLS, 100.0)
    for step in range(3000):
        symbol = rng.choice(SYMBOLS[:2] if step < 500 else SYMBOLS)
        ts += rng.random() * 2.0
        volume += 1.0
        prices[symbol] += rng.choice((-0.5, 0.25, 0.5))
        book.on_tick(Tick(symbol, ts, prices[symbol], volume))
        if step % 37 == 0:
            assert_fresh(book, ts)
        if step % 401 == 0:
            book.on_clock(ts + 90.0)
            ts += 90.0
            assert_fresh(book, ts)
        if step == 1500:
            book.retain(SYMBOLS[1:])
            assert_fresh(book, ts)
        if step == 2000:
            book.set_reference(SYMBOLS[2], 50.0)
            assert_fresh(book, ts)
    assert_fresh(book, ts)


def test_a_snapshot_is_not_changed_by_later_ticks() -> None:
    book = QuoteManager(INTERVALS)
    book.on_tick(Tick(SYMBOLS[0], START, 100.0, 1.0))
    before = book.snapshot(START, None, 0, 0)
    bar = before.quotes[SYMBOLS[0]].forming.get(Interval.M1)
    book.on_tick(Tick(SYMBOLS[0], START + 1, 120.0, 2.0))
    after = book.snapshot(START + 1, None, 0, 0)
    assert bar is not None and bar.close == 100.0
    assert before.quotes[SYMBOLS[0]].forming[Interval.M5].high == 100.0  # read after the tick
    assert after.quotes[SYMBOLS[0]].forming[Interval.M5].high == 120.0
    assert before.quotes[SYMBOLS[0]].last == 100.0
