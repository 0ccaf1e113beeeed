"""ReplayQuoteStream: deterministic, time-accelerated ticks synthesised from the demo bars."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from tui_market.infrastructure.interfaces import FeedState, FeedStatus, SymbolError
from tui_market.infrastructure.interfaces.quote_stream import QuoteEvent
from tui_market.models import Interval, Tick
from tui_market.providers.replay import ReplayProvider, ReplayQuoteStream
from tui_market.providers.replay.data import ReplayData

START = datetime(2025, 11, 19, 12, 0, tzinfo=UTC).timestamp()


@pytest.fixture(scope="module")
def data() -> ReplayData:
    return ReplayData.load()


async def take_ticks(events: AsyncIterator[QuoteEvent], n: int) -> list[Tick]:
    out: list[Tick] = []
    async for event in events:
        if isinstance(event, Tick):
            out.append(event)
            if len(out) == n:
                break
    return out


def ohlc(prices: list[float]) -> tuple[float, float, float, float]:
    return (prices[0], max(prices), min(prices), prices[-1])


async def fast_ticks(data: ReplayData, symbols: set[str], n: int, **kw: object) -> list[Tick]:
    stream = ReplayQuoteStream(data, speed=None, start=START, **kw)  # type: ignore[arg-type]
    await stream.set_symbols(symbols)
    events = stream.events()
    ticks = await take_ticks(events, n)
    await stream.close()
    await events.aclose()  # type: ignore[attr-defined]
    return ticks


async def test_two_runs_give_identical_ticks(data: ReplayData) -> None:
    symbols = {"NASDAQ:NDX", "DJ:DJI", "BITSTAMP:BTCUSD"}
    first = await fast_ticks(data, symbols, 3000)
    again = await fast_ticks(data, symbols, 3000)
    assert first == again and len(first) == 3000
    assert {t.symbol for t in first} == symbols


@pytest.mark.parametrize("per_bar", [4, 5, 6, 9])
async def test_ticks_of_a_bar_rebuild_that_bar(data: ReplayData, per_bar: int) -> None:
    stream = ReplayQuoteStream(data, speed=None, start=START + 7, ticks_per_bar=per_bar)
    await stream.set_symbols({"DJ:DJI"})
    snapshot, *ticks = await take_ticks(stream.events(), 1 + per_bar * 40)
    assert stream.first_open == START + 60  # first minute boundary after an unaligned start
    # the quote snapshot first: the last price, nothing traded yet in the replay's session
    first = stream.planned_bar("DJ:DJI", 0)
    opened = stream.first_open - 900  # DJ:DJI comes 15 minutes late (delayed_streaming_900)
    assert snapshot == Tick("DJ:DJI", opened, first[0], 0.0)
    assert ticks[per_bar - 1].volume == pytest.approx(first[4])  # the whole first bar counted
    by_bar: dict[int, list[Tick]] = {}
    for t in ticks:
        by_bar.setdefault(Interval.M1.floor(t.ts), []).append(t)
    assert sorted(by_bar) == [opened + 60 * k for k in range(40)]
    for k, bar_open in enumerate(sorted(by_bar)):
        o, h, low, c, v = stream.planned_bar("DJ:DJI", k)
        group = by_bar[bar_open]
        assert len(group) == per_bar
        assert ohlc([t.price for t in group]) == (o, h, low, c)
        assert all(low <= t.price <= h for t in group)
        vols = [t.volume for t in group]
        assert all(x is not None for x in vols)
        assert vols == sorted(vols)  # type: ignore[type-var]
        assert vols[-1] - vols[0] == pytest.approx(v * (per_bar - 1) / per_bar)  # type: ignore[operator]
    await stream.close()


async def test_prices_continue_from_the_history(data: ReplayData) -> None:
    provider = ReplayProvider(data, now=START)
    for name in ("NASDAQ:NDX", "SP:SPX", "NASDAQ:AAPL"):
        last = (await provider.fetch_ohlcv(name, "", Interval.M1, 1))[-1]
        (tick,) = await fast_ticks(data, {name}, 1)
        assert tick.price == last.close and tick.ts > last.epoch
        assert tick.volume is not None or name == "NASDAQ:NDX"


async def test_mirror_walk_covers_the_recording_and_stays_in_range(data: ReplayData) -> None:
    rows = data.symbols["TVC:VIX"].series[Interval.M1].rows
    lo, hi = min(r[3] for r in rows), max(r[2] for r in rows)
    stream = ReplayQuoteStream(data, speed=None, start=START, ticks_per_bar=4)
    n = len(rows)
    assert stream.planned_bar("TVC:VIX", n - 1)[0] == rows[0][4]  # back at the first bar
    assert stream.planned_bar("TVC:VIX", n)[:4] == rows[0][1:5]  # then forwards again
    assert stream.planned_bar("TVC:VIX", 2 * n) == stream.planned_bar("TVC:VIX", 0)
    await stream.set_symbols({"TVC:VIX"})
    ticks = await take_ticks(stream.events(), 4 * (n + 50))
    assert all(lo <= t.price <= hi for t in ticks)
    assert all(t.volume is None for t in ticks)
    await stream.close()


async def test_feed_states_symbol_changes_and_stop(data: ReplayData) -> None:
    stream = ReplayQuoteStream(data, speed=None, start=START, ticks_per_bar=6)
    await stream.set_symbols({"NASDAQ:NDX"})
    events = stream.events()
    first = [await anext(events), await anext(events)]
    assert [e.status for e in first if isinstance(e, FeedState)] == [
        FeedStatus.CONNECTING,
        FeedStatus.LIVE,
    ]
    assert {t.symbol for t in await take_ticks(events, 9)} == {"NASDAQ:NDX"}
    await stream.set_symbols({"NASDAQ:NDX", "nasdaq:aapl", "BAD:SYMBOL"})
    error = await anext(events)
    assert isinstance(error, SymbolError) and error.symbol == "BAD:SYMBOL"
    assert "NASDAQ:AAPL" in error.message
    later = await take_ticks(events, 24)
    aapl = [t for t in later if t.symbol == "NASDAQ:AAPL"]
    assert {t.symbol for t in later} == {"NASDAQ:NDX", "NASDAQ:AAPL"}
    assert (aapl[0].ts - stream.first_open) % 60 == 0  # joined at a bar boundary
    await stream.set_symbols({"NASDAQ:AAPL"})
    assert {t.symbol for t in await take_ticks(events, 12)} == {"NASDAQ:AAPL"}
    await stream.close()
    rest = [e async for e in events]
    assert isinstance(rest[-1], FeedState) and rest[-1].status is FeedStatus.STOPPED


async def test_clock_runs_at_the_speed_factor_with_an_injected_wall(data: ReplayData) -> None:
    wall = [1000.0]
    stream = ReplayQuoteStream(data, speed=60, start=START, wall=lambda: wall[0])
    await stream.set_symbols({"NASDAQ:NDX"})
    assert stream.clock() == START
    events = stream.events()
    await anext(events)
    await anext(events)  # LIVE: the clock starts
    wall[0] += 2.5
    assert stream.clock() == pytest.approx(START + 150)
    await stream.close()
    await events.aclose()  # type: ignore[attr-defined]


async def test_max_rate_lowers_the_effective_speed(data: ReplayData) -> None:
    stream = ReplayQuoteStream(data, speed=600, start=START, ticks_per_bar=6, max_rate=30)
    await stream.set_symbols({"NASDAQ:NDX", "DJ:DJI"})
    events = stream.events()
    await anext(events)
    await anext(events)
    assert stream.effective_speed == pytest.approx(30 * 60 / (6 * 2))
    await stream.close()
    await events.aclose()  # type: ignore[attr-defined]


async def test_timed_stream_closes_bars_quickly_and_clock_tracks_ticks(
    data: ReplayData,
) -> None:
    stream = ReplayQuoteStream(data, speed=3000, start=START, ticks_per_bar=4)
    await stream.set_symbols({"SP:SPX"})
    wall0, clock0 = time.monotonic(), stream.clock()
    ticks = await asyncio.wait_for(take_ticks(stream.events(), 12), timeout=30)
    ratio = (stream.clock() - clock0) / (time.monotonic() - wall0)
    assert 0.5 * 3000 < ratio < 1.5 * 3000  # both sides measured: load does not matter
    assert all(t.ts <= stream.clock() for t in ticks)
    assert len({Interval.M1.floor(t.ts) for t in ticks}) == 3
    await stream.close()


def test_bad_parameters_are_rejected(data: ReplayData) -> None:
    for kwargs in ({"speed": 0}, {"ticks_per_bar": 3}, {"max_rate": 0}):
        with pytest.raises(ValueError):
            ReplayQuoteStream(data, **kwargs)  # type: ignore[arg-type]


async def test_a_delayed_symbol_arrives_as_late_as_tradingview_sends_it(data: ReplayData) -> None:
    """The captures' NASDAQ:NDX is ``delayed_streaming_900``: in the same slot as BITSTAMP's
    real-time trade its trade is stamped 15 minutes earlier (its ``lp_time``)."""
    ticks = await fast_ticks(data, {"NASDAQ:NDX", "BITSTAMP:BTCUSD"}, 6)
    btc = [t.ts for t in ticks if t.symbol == "BITSTAMP:BTCUSD"]
    ndx = [t.ts for t in ticks if t.symbol == "NASDAQ:NDX"]
    assert len(ndx) >= 2 and {ts + 900 for ts in ndx} <= set(btc)
