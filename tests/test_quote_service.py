"""QuoteService against real streams and the real database.

- the replay stream: the bars stored are exactly the bars BarManager closed, each once; and
  none is closed by the clock while the stream still owes its ticks.

Dropped TradingView connections while ticks flow: tests/test_fault_feed_drops.py.
"""

from __future__ import annotations

import asyncio

import pytest

from tests.fakes.live_run import INTERVALS, stored, values, wait_for
from tests.fakes.manual_clock import ManualWall
from tui_market.infrastructure.database import Database
from tui_market.managers.bar_manager import BarManager
from tui_market.models import Bar, Interval, Tick
from tui_market.models.live import BarClosedEvent, LiveEvent
from tui_market.providers.replay import ReplayProvider, ReplayQuoteStream
from tui_market.services.bus import Bus
from tui_market.services.quote_service import QuoteService

REPLAY_START = 1_700_000_000.0


async def test_replay_bars_stored_are_the_bars_closed_exactly_once(database: Database) -> None:
    symbols = ["NASDAQ:AAPL", "BITSTAMP:BTCUSD"]
    stream = ReplayQuoteStream(speed=None, start=REPLAY_START)
    provider = ReplayProvider()
    service = QuoteService(stream, Bus(database, provider), provider, INTERVALS, flush_every=0.05)
    await service.set_symbols(set(symbols))
    closed: list[Bar] = []

    def on_event(event: LiveEvent) -> None:
        if isinstance(event, BarClosedEvent):
            closed.append(event.bar)
            if sum(b.interval is Interval.M5 for b in closed) == 8:
                asyncio.get_running_loop().create_task(stream.close())

    await asyncio.wait_for(service.run(on_event), 60)

    keys = [(b.symbol, b.interval, b.epoch) for b in closed]
    assert len(keys) == len(set(keys)), "a closed bar was reported twice"
    saved = await stored(database, symbols)
    assert sorted(map(values, saved)) == sorted(map(values, closed))
    assert service.saved == len(closed) >= 40

    # The same ticks straight into a BarManager close the same bars.
    reference = BarManager(INTERVALS)
    expected: list[Bar] = []
    again = ReplayQuoteStream(speed=None, start=REPLAY_START)
    await again.set_symbols(set(symbols))
    newest = max(b.epoch for b in closed)
    async for event in again.events():
        if not isinstance(event, Tick):
            continue
        expected.extend(c.to_bar() for c in reference.on_tick(event))
        if event.ts > newest + 3600:
            break
    await again.close()
    wanted = {(b.symbol, b.interval, b.epoch) for b in closed}
    assert sorted(
        map(values, (b for b in expected if (b.symbol, b.interval, b.epoch) in wanted))
    ) == sorted(map(values, closed))


async def test_a_jumping_wall_closes_no_bar_before_its_overdue_ticks(database: Database) -> None:
    """The wall jumps 205 replay seconds (a stalled loop): the clock, ticking every 10 ms, runs
    while the stream still owes the ticks of 15:30:10-15:33:20. Each 1m bar must still hold
    all its ticks: the bars stored are the replay's planned bars."""
    symbol, start = "NASDAQ:AAPL", 1_699_999_980.0  # a minute's open
    wall = ManualWall()
    stream = ReplayQuoteStream(speed=10, start=start, wall=wall)  # a slot every wall second
    provider = ReplayProvider()
    bus = Bus(database, provider)
    service = QuoteService(stream, bus, provider, (Interval.M1,), clock_every=0.01)
    await service.set_symbols({symbol})
    running = asyncio.create_task(service.run(lambda event: None))

    def last_ts() -> float | None:
        quote = service.quote(symbol)
        return None if quote is None else quote.last_ts

    await wait_for(lambda: last_ts() == start, what="the first tick")
    wall.now += 20.5  # the replay clock jumps to 15:33:25; the stream wakes ~1 s later
    await wait_for(lambda: last_ts() == start + 200, what="the overdue ticks")
    await stream.close()
    await asyncio.wait_for(running, 20)

    saved = await stored(database, [symbol], (Interval.M1,))
    assert [b.epoch for b in saved] == [start, start + 60, start + 120]
    for k, bar in enumerate(saved):
        o, h, low, c, v = stream.planned_bar(symbol, k)
        assert (bar.open, bar.high, bar.low, bar.close) == (o, h, low, c)
        assert bar.volume == pytest.approx(v)
