"""QuoteManager snapshots: the incremental refreeze (only symbols that ticked) and the lazy forming
bars must show exactly what a full rebuild shows, after ticks, clock closes, merges and
watchlist changes."""

from __future__ import annotations

import random
from datetime import datetime
from zoneinfo import ZoneInfo

from tui_market.managers.quote_manager import QuoteManager
from tui_market.managers.session_clock import SessionClock
from tui_market.models import Bar, Interval, Tick
from tui_market.models.symbol_info import SymbolInfo

SYMBOLS = ["NASDAQ:AAPL", "NASDAQ:TSLA", "BITSTAMP:BTCUSD"]
INTERVALS = (Interval.M1, Interval.M5, Interval.H1)
START = 1_700_000_000.0
MINUTE = 1_700_000_040.0  # a minute boundary


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


def test_the_forming_bar_cut_at_the_session_close_counts_down_to_the_close() -> None:
    """NASDAQ's last 1h bar of the day runs 15:30-16:00 New York: at 15:45 it closes in 15
    minutes, not in the 45 a full hour would leave. A 24x7 symbol keeps its UTC hour."""
    nasdaq = SymbolInfo(timezone="America/New_York", session="0930-1600")
    at = datetime(2024, 3, 12, 15, 45, tzinfo=ZoneInfo("America/New_York")).timestamp()
    book = QuoteManager((Interval.M1, Interval.H1))
    book.set_clock("NASDAQ:AAPL", SessionClock(nasdaq))
    book.on_tick(Tick("NASDAQ:AAPL", at, 170.0, 10.0))
    book.on_tick(Tick("BITSTAMP:BTCUSD", at, 68_000.0, 1.0))
    snapshot = book.snapshot(at, None, 0, 0)
    assert snapshot.seconds_to_close(Interval.H1, "NASDAQ:AAPL") == 15 * 60
    assert snapshot.seconds_to_close(Interval.M1, "NASDAQ:AAPL") == 60
    # 15:45 New York is 19:45 UTC (EDT): the UTC hour ends at 20:00
    assert snapshot.seconds_to_close(Interval.H1, "BITSTAMP:BTCUSD") == 15 * 60
    later = book.snapshot(at + 600, None, 0, 0)
    assert later.seconds_to_close(Interval.H1, "NASDAQ:AAPL") == 5 * 60


def test_a_late_feeds_bars_close_and_count_down_in_its_trade_time() -> None:
    """NDX arrives 15 minutes late (``delayed_streaming_900``): its trades carry their own
    times, so at stream time T its 1m bar of T - 900 is still forming. The clock must not close
    it at T (its next trades would all be dropped as late), and the countdown is the bar's
    end minus T - 900. A real-time symbol on the same clock closes on time."""
    book = QuoteManager((Interval.M1,))
    book.set_delay("NASDAQ:NDX", 900)
    now = MINUTE + 30  # half way into the minute that opened at MINUTE
    book.on_tick(Tick("NASDAQ:NDX", now - 900, 14_500.0, None))
    book.on_tick(Tick("BITSTAMP:BTCUSD", now, 68_000.0, 1.0))
    snapshot = book.snapshot(now, None, 0, 0)
    assert snapshot.seconds_to_close(Interval.M1, "NASDAQ:NDX") == 30
    assert snapshot.quotes["NASDAQ:NDX"].status == "delayed 15m"
    # stream time ``now``: NDX's bar ended 14.5 minutes ago by the stream's clock, not by its
    # trades' (without the delay the clock would close it, and drop every later NDX trade)
    assert book.on_clock(now) == []
    book.on_tick(Tick("NASDAQ:NDX", now + 20 - 900, 14_510.0, None))  # not late: counted
    closed = book.on_clock(MINUTE + 60)
    assert sorted((b.symbol, b.epoch, b.close) for b in closed) == [
        ("BITSTAMP:BTCUSD", MINUTE, 68_000.0),
        ("NASDAQ:NDX", MINUTE - 900, 14_510.0),
    ]
    book.set_delay("NASDAQ:NDX", 0)  # the feed turned real-time (logged in)
    assert book.delay("NASDAQ:NDX") == 0
