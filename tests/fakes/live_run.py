"""A live run for tests: a ``ScriptedFeed`` played through the fake TradingView server into a
real ``QuoteService`` and database, optionally with the connection cut on a wall-clock period
while the ticks flow; and what to compare its outcome with.

    feed = ScriptedFeed(symbols, count=800)
    run = await live_run(db, feed, drop_every=1.0, steps=740)   # None: a clean run
    assert sorted(map(values, await stored(db, symbols))) == sorted(map(values, script_bars(feed)))

The script's history (``ScriptHistory``) is what the quote service backfills from; the
stream's clock is the script's (its ticks carry script time), so the service's bar-closing
clock (on, as in production, every ``CLOCK_EVERY`` s of wall time) reads script time. After the
last trade the script goes quiet: its time moves past the last bars' ends with no tick, and only
that clock can close them (``script_bars`` counts them as closed).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.scripted_feed import ScriptedFeed, ScriptHistory, aggregate
from tests.fakes.tv_data import MarketData, load_market_data
from tests.fakes.tv_server import FakeTradingViewServer
from tui_market.infrastructure.database import Database
from tui_market.infrastructure.interfaces import FeedState, FeedStatus
from tui_market.models import Bar, Interval
from tui_market.models.live import BarClosedEvent, LiveEvent
from tui_market.providers.replay import ReplayProvider
from tui_market.providers.tradingview.quotes import TradingViewQuoteStream
from tui_market.queries.get_bars import GetBars
from tui_market.services.bus import Bus
from tui_market.services.quote_service import QuoteService

log = logging.getLogger(__name__)
INTERVALS = (Interval.M1, Interval.M5)
CLOCK_EVERY = 0.05  # wall seconds between the service's clock rounds (production: 0.2)
QUIET = 600  # script seconds after the last trade: every M1 and M5 bar has ended
# The service's clock closes a quiet bar this many script seconds after its end. Script time
# runs ~100x the wall's (a 2 s step every 0.02 s), so production's 2 s grace for trades still
# on the network is 20 ms here; a loaded machine delivers a pushed trade later than that.
GRACE = 20.0
# Ten symbols for the script: the captured market's nine plus one it lacks (given a quote).
TEN_SYMBOLS = (
    "NASDAQ:NDX",
    "TVC:RUT",
    "SP:SPX",
    "DJ:DJI",
    "TVC:VIX",
    "TVC:DXY",
    "BITSTAMP:BTCUSD",
    "NASDAQ:AAPL",
    "NASDAQ:TSLA",
    "NASDAQ:MSFT",
)


def values(bar: Bar) -> tuple[object, ...]:
    return (
        bar.symbol,
        bar.interval,
        bar.epoch,
        bar.open,
        bar.high,
        bar.low,
        bar.close,
        round(bar.volume, 6),
    )


async def stored(
    db: Database, symbols: Sequence[str], intervals: Sequence[Interval] = INTERVALS
) -> list[Bar]:
    bus = Bus(db, ReplayProvider())
    out: list[Bar] = []
    for symbol in symbols:
        for interval in intervals:
            out.extend(await bus.execute(GetBars(symbol, interval)))
    return out


async def wait_for(
    predicate: Callable[[], bool], timeout: float = 20.0, what: str = "condition"
) -> None:
    try:
        async with asyncio.timeout(timeout):
            while not predicate():
                await asyncio.sleep(0.01)
    except TimeoutError:
        raise AssertionError(f"gave up waiting for {what}") from None


def script_bars(feed: ScriptedFeed, intervals: Sequence[Interval] = INTERVALS) -> list[Bar]:
    """The script's own closed bars: every period that ended by the script's time (the quiet
    end's; a late feed's symbol: by its trade time then), per symbol."""
    out: list[Bar] = []
    for symbol in feed.symbols:
        ticks = [t for t in feed.ticks if t.symbol == symbol]
        now = feed.position - feed.delays.get(symbol, 0)
        for interval in intervals:
            out += [b for b in aggregate(ticks, interval) if interval.next_open(b.epoch) <= now]
    return out


def market_delays(symbols: Sequence[str]) -> dict[str, int]:
    """Seconds late per symbol, as the captured market's ``update_mode`` says (NASDAQ:NDX and
    TVC:VIX: ``delayed_streaming_900``): a scripted feed of them is that late, as TradingView's
    is (the fake server sends that mode in their quotes)."""
    market = load_market_data()
    delays = {}
    for symbol in symbols:
        held = market.get(symbol)
        mode = held.update_mode if held is not None else "streaming"
        if mode.startswith("delayed_streaming_"):
            delays[symbol] = int(mode.rsplit("_", 1)[1])
    return delays


def script_market(feed: ScriptedFeed) -> MarketData:
    """The captured market, plus a quote for each script symbol it does not hold."""
    market = load_market_data()
    for tick in feed.ticks[: len(feed.symbols)]:
        if market.get(tick.symbol) is None:
            p = tick.price
            market.set_bars(tick.symbol, [[tick.ts, p, p, p, p, tick.volume or 0.0]])
    return market


class ScriptClockStream(TradingViewQuoteStream):
    """The TradingView client whose time base is the test's (a script's position, a
    ``ManualWall``): its ticks carry that time."""

    def __init__(self, url: str, clock: Callable[[], float], **options: Any) -> None:
        super().__init__(url, backoff_initial=0.3, backoff_cap=0.4, **options)
        self._clock = clock

    def clock(self) -> float:
        return self._clock()


@dataclass
class LiveRun:
    service: QuoteService
    events: list[LiveEvent] = field(default_factory=list)
    drops: int = 0  # connections the dropper cut
    drop_seconds: float = 0.0  # wall time of the phase with drops
    feed_at: list[tuple[FeedStatus, float]] = field(default_factory=list)  # script time

    def on_event(self, event: LiveEvent, position: float) -> None:
        self.events.append(event)
        if isinstance(event, FeedState):
            self.feed_at.append((event.status, position))

    @property
    def outage_spans(self) -> list[tuple[float, float]]:
        """Script time at each fall from LIVE and at the LIVE after it."""
        spans: list[tuple[float, float]] = []
        down: float | None = None
        live = False
        for status, at in self.feed_at:
            if status is FeedStatus.LIVE:
                if down is not None:
                    spans.append((down, at))
                down, live = None, True
            elif live and down is None:
                down = at
        return spans

    @property
    def outages(self) -> int:
        return sum(
            isinstance(e, FeedState) and e.status is FeedStatus.BACKING_OFF for e in self.events
        )

    @property
    def closed_keys(self) -> list[tuple[str, Interval, int]]:
        return [
            (e.bar.symbol, e.bar.interval, e.bar.epoch)
            for e in self.events
            if isinstance(e, BarClosedEvent)
        ]

    @property
    def closed_while_down(self) -> list[tuple[str, Interval, int]]:
        """Bars closed live (not by a backfill) while the feed was not LIVE: no tick comes
        then, so only the clock could close them, which it must not (the outage's ticks are
        still to be backfilled)."""
        out: list[tuple[str, Interval, int]] = []
        feed: FeedStatus | None = None
        for e in self.events:
            if isinstance(e, FeedState):
                feed = e.status
            elif isinstance(e, BarClosedEvent) and not e.backfilled and feed is not FeedStatus.LIVE:
                out.append((e.bar.symbol, e.bar.interval, e.bar.epoch))
        return out

    @property
    def down_with_time_passing(self) -> int:
        """Outages during which script time crossed an M1 boundary (the clock had a bar to
        close): counted from the script positions recorded at each feed state."""
        return sum(
            Interval.M1.floor(end) > Interval.M1.floor(start) for start, end in self.outage_spans
        )

    @property
    def backfilled(self) -> int:
        return sum(isinstance(e, BarClosedEvent) and e.backfilled for e in self.events)


async def drop_periodically(
    server: FakeTradingViewServer, every: float, stop: asyncio.Event
) -> int:
    """Cut every live connection each ``every`` seconds until ``stop``; returns the cuts."""
    cuts = 0
    while True:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)
        if stop.is_set():
            return cuts
        cuts += len(server.live)
        server.drop_all(f"periodic drop ({every} s)")


async def live_run(
    db: Database, feed: ScriptedFeed, *, drop_every: float | None, steps: int, every: float = 0.02
) -> LiveRun:
    """Play ``feed`` through the fake server into ``db``. Steps ``1 .. steps`` are played at
    ``every`` seconds a step while (with ``drop_every``) the connection is cut on that period;
    then, after one more cut and the reconnect's backfill, the rest of the script."""
    history = ScriptHistory(feed)
    async with FakeTradingViewServer(script_market(feed)) as server:
        await feed.play(server, 0, 1)  # the quote snapshot a new subscriber gets first
        stream = ScriptClockStream(server.url, lambda: feed.position)
        service = QuoteService(
            stream,
            Bus(db, history),
            history,
            INTERVALS,
            flush_every=0.2,
            clock_every=CLOCK_EVERY,
            clock_grace=GRACE,
        )
        run = LiveRun(service)
        await service.set_symbols(set(feed.symbols))
        task = asyncio.create_task(service.run(lambda e: run.on_event(e, feed.position)))
        await wait_for(
            lambda: all(
                (q := service.quote(s)) is not None and q.last_ts == feed.last_ts(1, s)
                for s in feed.symbols
            )
        )
        loop = asyncio.get_running_loop()
        began = loop.time()
        stop = asyncio.Event()
        dropper = (
            asyncio.create_task(drop_periodically(server, drop_every, stop)) if drop_every else None
        )
        await feed.play(server, 1, steps, every=every)
        if dropper is not None:
            stop.set()
            run.drops = await dropper
            run.drop_seconds = loop.time() - began
            backfills, connections = service.backfills, len(server.connections)
            server.drop_all()
            await wait_for(
                lambda: len(server.connections) > connections and service.backfills > backfills
            )
        await feed.play(server, steps, feed.count, every=0.01)
        last = {s: feed.last_ts(feed.count, s) for s in feed.symbols}
        await wait_for(
            lambda: all(
                (q := service.quote(s)) is not None and q.last_ts == last[s] for s in feed.symbols
            )
        )
        # The quiet end: script time passes the last bars' ends and no tick comes; the
        # service's clock closes them (nothing else can).
        feed.position = feed.last_ts(feed.count) + QUIET
        ends = {(s, iv, iv.floor(last[s])) for s in feed.symbols for iv in INTERVALS}
        await wait_for(
            lambda: ends <= set(run.closed_keys), what="the clock to close the last bars"
        )
        await stream.close()
        await asyncio.wait_for(task, 10)
    log.info(
        "live run: %d drops in %.1f s, %d backfills, %d bars saved",
        run.drops,
        run.drop_seconds,
        service.backfills,
        service.saved,
    )
    return run
