"""QuoteService against real streams and the real database.

- the replay stream: the bars stored are exactly the bars BarManager closed, each once;
- the TradingView protocol over the fake server, dropping the connection every second for
  ~15 s while a scripted feed plays: the bars saved equal a clean run's (count and values).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

from tests.fakes.scripted_feed import ScriptedFeed, ScriptHistory, aggregate
from tests.fakes.tv_server import FakeTradingViewServer
from tui_market.infrastructure.database import Database
from tui_market.infrastructure.interfaces import FeedState, FeedStatus
from tui_market.managers.bar_manager import BarManager
from tui_market.models import Bar, Interval, Tick
from tui_market.providers.replay import ReplayProvider, ReplayQuoteStream
from tui_market.providers.tradingview_ws import TradingViewQuoteStream
from tui_market.queries.get_bars import GetBars
from tui_market.services.bus import Bus
from tui_market.services.live_state import BarClosedEvent, LiveEvent
from tui_market.services.quote_service import QuoteService

INTERVALS = (Interval.M1, Interval.M5)
REPLAY_START = 1_700_000_000.0
Key = tuple[str, Interval, int]


def values(bar: Bar) -> tuple[object, ...]:
    return (bar.symbol, bar.interval, bar.epoch, bar.open, bar.high, bar.low, bar.close,
            round(bar.volume, 6))


async def stored(db: Database, symbols: list[str]) -> list[Bar]:
    bus = Bus(db, ReplayProvider())
    out: list[Bar] = []
    for symbol in symbols:
        for interval in INTERVALS:
            out.extend(await bus.execute(GetBars(symbol, interval)))
    return out


async def wait_for(predicate: Callable[[], bool], timeout: float = 20.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.01)


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
    assert sorted(map(values, (b for b in expected if (b.symbol, b.interval, b.epoch) in wanted))
                  ) == sorted(map(values, closed))


class ScriptClockStream(TradingViewQuoteStream):
    """The TradingView client whose time base is the script's (its ticks carry script time)."""

    def __init__(self, url: str, feed: ScriptedFeed, **options: Any) -> None:
        super().__init__(url, backoff_initial=0.3, backoff_cap=0.4, **options)
        self.feed = feed

    def clock(self) -> float:
        return self.feed.position


async def live_run(db: Database, drop: bool) -> tuple[QuoteService, list[LiveEvent]]:
    """Play the script through the fake server into ``db``; with ``drop``, cut the connection
    every second during the first ~15 s, then reconnect for good and play the tail."""
    feed = ScriptedFeed(("NASDAQ:NDX", "TVC:RUT"))
    history = ScriptHistory(feed)
    events: list[LiveEvent] = []
    async with FakeTradingViewServer(drop_every=1.0 if drop else None) as server:
        await feed.play(server, 0, 1)  # the quote snapshot a new subscriber gets first
        stream = ScriptClockStream(server.url, feed)
        service = QuoteService(stream, Bus(db, history), history, INTERVALS,
                               flush_every=0.2, clock_every=None)
        await service.set_symbols(set(feed.symbols))
        task = asyncio.create_task(service.run(events.append))
        await wait_for(lambda: all((q := service.quote(s)) is not None and q.last_ts == feed.start
                                   for s in feed.symbols))
        await feed.play(server, 1, 740, every=0.02)  # ~15 s
        server.drop_every = None
        if drop:
            backfills, connections = service.backfills, len(server.connections)
            server.drop_all()
            await wait_for(lambda: len(server.connections) > connections
                           and service.backfills > backfills)
        await feed.play(server, 740, feed.count, every=0.01)
        last = feed.last_ts(feed.count)
        await wait_for(lambda: all((q := service.quote(s)) is not None and q.last_ts == last
                                   for s in feed.symbols))
        await stream.close()
        await asyncio.wait_for(task, 10)
    return service, events


async def test_reconnects_lose_nothing_and_duplicate_nothing(
    database: Database, mongo_uri: str
) -> None:
    clean_db = await Database.connect(mongo_uri, f"test_{uuid.uuid4().hex[:12]}", embedded=True)
    try:
        (dropped, drop_events), (clean, clean_events) = await asyncio.gather(
            live_run(database, drop=True), live_run(clean_db, drop=False)
        )
        symbols = ["NASDAQ:NDX", "TVC:RUT"]
        saved_dropped = sorted(map(values, await stored(database, symbols)))
        saved_clean = sorted(map(values, await stored(clean_db, symbols)))
    finally:
        await clean_db.drop()
        await clean_db.close()

    outages = [e for e in drop_events
               if isinstance(e, FeedState) and e.status is FeedStatus.BACKING_OFF]
    assert len(outages) >= 8 and dropped.backfills >= 8
    assert not [e for e in clean_events
                if isinstance(e, FeedState) and e.status is FeedStatus.BACKING_OFF]
    assert any(isinstance(e, BarClosedEvent) and e.backfilled for e in drop_events)

    # Same bars, same values, each saved once.
    assert len(saved_clean) >= 2 * (24 + 4)
    assert saved_dropped == saved_clean
    for events in (drop_events, clean_events):
        keys = [(e.bar.symbol, e.bar.interval, e.bar.epoch)
                for e in events if isinstance(e, BarClosedEvent)]
        assert len(keys) == len(set(keys)) == len(saved_clean)

    # And they are the script's own bars (every period before the last trade's).
    feed = ScriptedFeed(("NASDAQ:NDX", "TVC:RUT"))
    expected = []
    for symbol in symbols:
        ticks = [t for t in feed.ticks if t.symbol == symbol]
        for interval in INTERVALS:
            current = interval.floor(ticks[-1].ts)
            expected += [b for b in aggregate(ticks, interval) if b.epoch < current]
    assert sorted(map(values, expected)) == saved_clean
    assert dropped.covered_ticks > 0 and clean.covered_ticks == 0
