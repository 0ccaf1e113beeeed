"""Trades still on their way to the service when the bar clock is due, on the TradingView path:

- a stalled event loop (a long paint, a slow sync step): the server keeps sending meanwhile,
  so when the loop runs again a trade of the forming bar is in the socket and the clock task
  is due at once, a few loop steps before the client has read the trade;
- a busy consumer (a symbol added while live, whose history the service fetches first): the
  client's reader queues the trades of the other symbols meanwhile.

Either way the bar must close with its trade.

The fake server runs on its own thread and loop here, so it sends while the loop under test
is blocked, as a real server does.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from tests.fakes.live_run import ScriptClockStream, wait_for
from tests.fakes.manual_clock import ManualWall
from tests.fakes.tv_data import load_market_data
from tests.fakes.tv_server import FakeTradingViewServer
from tui_market.infrastructure.database import Database
from tui_market.models import Bar, Interval
from tui_market.models.live import BarClosedEvent, LiveEvent
from tui_market.providers.replay import ReplayProvider
from tui_market.services.bus import Bus
from tui_market.services.clock_rounds import clock_rounds
from tui_market.services.quote_service import QuoteService

T = TypeVar("T")
SYMBOL = "NYSE:IBM"  # not in the captures: its quote is made from the one bar set here
ADDED = "NYSE:KO"
OPEN = 1_700_000_040  # the bar under test: 1m, opens on this minute


class ServerThread:
    """``FakeTradingViewServer`` on a thread of its own; ``call`` runs a coroutine there."""

    def __init__(self, clock: ManualWall, *symbols: str) -> None:
        self.loop = asyncio.new_event_loop()
        self._symbols = symbols or (SYMBOL,)
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._clock = clock

    def call(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=10)

    def __enter__(self) -> ServerThread:
        self._thread.start()
        market = load_market_data()
        for symbol in self._symbols:
            market.set_bars(symbol, [[OPEN - 120, 100.0, 100.0, 100.0, 100.0, 0.0]])

        async def start() -> FakeTradingViewServer:
            server = FakeTradingViewServer(market, clock=self._clock)
            return await server.__aenter__()

        self.server = self.call(start())
        return self

    def __exit__(self, *exc: object) -> None:
        self.call(self.server.__aexit__(None, None, None))
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        self.loop.close()


def last_ts(service: QuoteService) -> float | None:
    quote = service.quote(SYMBOL)
    return None if quote is None else quote.last_ts


@asynccontextmanager
async def bar_opened(
    database: Database,
    host: ServerThread,
    clock: ManualWall,
    provider: ReplayProvider,
    **options: Any,
) -> AsyncIterator[tuple[QuoteService, list[Bar]]]:
    """The service on the fake server's feed, its clock every 10 ms, with the bar under test
    opened by a trade at OPEN + 10 (101, cumulative volume 10); the bars it closes live."""
    stream = ScriptClockStream(host.server.url, clock)
    service = QuoteService(
        stream, Bus(database, provider), provider, (Interval.M1,), clock_every=0.01, **options
    )
    closed: list[Bar] = []

    def on_event(event: LiveEvent) -> None:
        if isinstance(event, BarClosedEvent) and not event.backfilled:
            closed.append(event.bar)

    await service.set_symbols({SYMBOL})
    running = asyncio.create_task(service.run(on_event))
    try:
        await wait_for(lambda: last_ts(service) == OPEN - 120, what="the quote snapshot")
        host.call(host.server.push_quote(SYMBOL, 101.0, OPEN + 10, 10.0))
        await wait_for(lambda: last_ts(service) == OPEN + 10, what="the bar's first trade")
        yield service, closed
        await wait_for(lambda: any(b.epoch == OPEN for b in closed), what="the bar closed")
    finally:  # the client goes first: the server's close waits for its connections
        await stream.close()
        await asyncio.wait_for(running, 10)
    bar = next(b for b in closed if b.symbol == SYMBOL and b.epoch == OPEN)
    # with its last trade, at OPEN + 50 (105, cumulative volume 30): 0 before the bar
    assert (bar.open, bar.high, bar.low, bar.close, bar.volume) == (101, 105, 101, 105, 30)


async def test_a_stalled_loop_closes_no_bar_before_the_trades_it_queued(
    database: Database,
) -> None:
    clock = ManualWall(OPEN + 5.0)
    with ServerThread(clock) as host:
        async with bar_opened(database, host, clock, ReplayProvider()):
            (conn,) = host.server.live
            sent = conn.frames_sent
            clock.now = OPEN + 70  # the bar's end and the 2 s grace pass...
            # ...while this loop is blocked: the server sends the bar's last trade meanwhile
            host.call(host.server.push_quote(SYMBOL, 105.0, OPEN + 50, 30.0))
            deadline = time.monotonic() + 5
            while conn.frames_sent == sent and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(0.1)  # the clock task's 10 ms sleep is long over


class SlowHistory(ReplayProvider):
    """History that takes a second to come (a slow TradingView fetch), and has no bars."""

    async def fetch_ohlcv(
        self, ticker: str, exchange: str, interval: Interval, n_bars: int
    ) -> list[Bar]:
        await asyncio.sleep(1.0)
        return []


async def test_trades_queued_while_an_added_symbol_is_backfilled_reach_their_bar(
    database: Database,
) -> None:
    clock = ManualWall(OPEN + 5.0)
    with ServerThread(clock, SYMBOL, ADDED) as host:
        provider = SlowHistory()
        async with bar_opened(database, host, clock, provider, backfill_on_start=True) as opened:
            service, _ = opened
            assert service.backfills == 1  # the start-up one
            await service.set_symbols({SYMBOL, ADDED})  # its history takes a second
            await asyncio.sleep(0.3)  # the service is waiting for it
            host.call(host.server.push_quote(SYMBOL, 105.0, OPEN + 50, 30.0))
            await asyncio.sleep(0.1)  # read and queued by the client
            clock.now = OPEN + 70  # the bar's end and the grace pass; the clock runs every 10 ms
            await wait_for(lambda: service.backfills == 2, what="the added symbol's backfill")


async def test_a_loop_late_every_time_still_gets_every_other_clock_round() -> None:
    rounds: list[float] = []
    task = asyncio.create_task(clock_rounds(0.01, lambda: rounds.append(time.monotonic())))
    for _ in range(20):
        time.sleep(0.03)  # every wake of the 10 ms clock is 20 ms late
        for _ in range(5):  # loop steps (not time) for the clock task to take its wake
            await asyncio.sleep(0)
    task.cancel()
    # every wake late: half are skipped (none: 20 rounds), never two in a row (all: 0)
    assert 5 <= len(rounds) <= 15
