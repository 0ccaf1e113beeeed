"""QuoteService at start-up: the first bar starts mid-period, so the provider's forming bar is
merged in before ticks count (a saved bar never replaces good history with a partial one), and
only the intervals chosen for saving are written."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from tests.fakes.memory_provider import MemoryProvider
from tui_market.infrastructure.database import Database
from tui_market.infrastructure.interfaces import FeedState, FeedStatus, IQuoteStream, QuoteEvent
from tui_market.models import Bar, Interval, Tick
from tui_market.queries.get_bars import GetBars
from tui_market.services.bus import Bus
from tui_market.services.quote_service import QuoteService

SYMBOL = "NASDAQ:AAPL"
T = 1_700_000_040  # a minute boundary


class ListStream(IQuoteStream):
    """A feed that goes live, plays a fixed list of ticks, then stops (an external boundary)."""

    def __init__(self, ticks: list[Tick], now: float) -> None:
        self.ticks, self.now = ticks, now

    async def set_symbols(self, symbols: set[str]) -> None:
        self.symbols = symbols

    async def events(self) -> AsyncIterator[QuoteEvent]:
        yield FeedState(FeedStatus.LIVE)
        for tick in self.ticks:
            self.now = tick.ts
            yield tick
            await asyncio.sleep(0)
        yield FeedState(FeedStatus.STOPPED)

    async def close(self) -> None:
        return None

    def clock(self) -> float:
        return self.now


async def run(
    database: Database, *, backfill_on_start: bool, stale: Tick | None = None
) -> list[Bar]:
    provider = MemoryProvider()
    forming = Bar.from_epoch(SYMBOL, Interval.M1, T, 100.0, 105.0, 95.0, 101.0, 50.0)
    provider.set_bars(SYMBOL, Interval.M1, [forming])
    ticks = [
        Tick(SYMBOL, T + 31, 102.0, 1000.0),
        Tick(SYMBOL, T + 45, 103.0, 1010.0),
        Tick(SYMBOL, T + 61, 104.0, 1020.0),
    ]
    if stale is not None:
        ticks.insert(0, stale)
    bus = Bus(database, provider)
    service = QuoteService(
        ListStream(ticks, now=T + 30),
        bus,
        provider,
        (Interval.M1, Interval.M5),
        persist=(Interval.M1,),
        backfill_on_start=backfill_on_start,
        clock_every=None,
    )
    await service.set_symbols({SYMBOL})
    await service.run(lambda event: None)
    return list(await bus.execute(GetBars(SYMBOL, Interval.M1)))


async def test_first_bar_merges_the_providers_forming_bar(database: Database) -> None:
    (bar,) = await run(database, backfill_on_start=True)
    assert (bar.epoch, bar.open, bar.high, bar.low, bar.close) == (T, 100.0, 105.0, 95.0, 103.0)
    assert bar.volume == 60.0  # the provider's 50 + the 10 traded after the merge
    five = await Bus(database, MemoryProvider()).execute(GetBars(SYMBOL, Interval.M5))
    assert five == []  # 5m is shown live but not saved


async def test_without_start_backfill_the_first_bar_is_partial(database: Database) -> None:
    (bar,) = await run(database, backfill_on_start=False)
    assert (bar.open, bar.high, bar.low) == (102.0, 103.0, 102.0)


async def test_a_stale_snapshot_tick_never_saves_a_partial_old_bar(database: Database) -> None:
    """A closed market's snapshot carries its last trade from hours ago: that one-tick bar
    would replace the real stored bar of that minute, so it is shown but never saved."""
    stale = Tick(SYMBOL, T - 3600 + 5, 99.0, 900.0)
    bars = await run(database, backfill_on_start=False, stale=stale)
    assert [bar.epoch for bar in bars] == [T]


class LiveFirstStream(ListStream):
    """TradingView's stream goes live on the server's hello, whether or not symbols are set
    yet: here the watchlist comes after LIVE, and the ticks only once it is subscribed."""

    def __init__(self, ticks: list[Tick], now: float) -> None:
        super().__init__(ticks, now)
        self.subscribed = asyncio.Event()

    async def set_symbols(self, symbols: set[str]) -> None:
        await super().set_symbols(symbols)
        self.subscribed.set()

    async def events(self) -> AsyncIterator[QuoteEvent]:
        yield FeedState(FeedStatus.LIVE)
        await self.subscribed.wait()
        for tick in self.ticks:
            self.now = tick.ts
            yield tick
            await asyncio.sleep(0)
        yield FeedState(FeedStatus.STOPPED)


async def test_a_symbol_set_after_the_first_live_gets_the_start_up_backfill(
    database: Database,
) -> None:
    """The start-up backfill once covered only the symbols known at the first LIVE: a watchlist
    read after it (the TUI's usual order) got partial first bars saved over good history."""
    provider = MemoryProvider()
    forming = Bar.from_epoch(SYMBOL, Interval.M1, T, 100.0, 105.0, 95.0, 101.0, 50.0)
    provider.set_bars(SYMBOL, Interval.M1, [forming])
    ticks = [
        Tick(SYMBOL, T + 31, 102.0, 1000.0),
        Tick(SYMBOL, T + 45, 103.0, 1010.0),
        Tick(SYMBOL, T + 61, 104.0, 1020.0),
    ]
    stream = LiveFirstStream(ticks, now=T + 30)
    bus = Bus(database, provider)
    service = QuoteService(
        stream, bus, provider, (Interval.M1,), backfill_on_start=True, clock_every=None
    )
    went_live = asyncio.Event()

    def on_event(event: object) -> None:
        if isinstance(event, FeedState) and event.status is FeedStatus.LIVE:
            went_live.set()

    task = asyncio.create_task(service.run(on_event))
    await asyncio.wait_for(went_live.wait(), 10)
    assert service.backfills == 1  # the first LIVE's, over no symbol
    await service.set_symbols({SYMBOL})
    await asyncio.wait_for(task, 10)
    (bar,) = await bus.execute(GetBars(SYMBOL, Interval.M1))
    assert (bar.epoch, bar.open, bar.high, bar.low, bar.close) == (T, 100.0, 105.0, 95.0, 103.0)
    assert bar.volume == 60.0
    assert service.backfills == 2


async def test_a_tick_the_backfill_already_holds_still_shows_as_the_last_price(
    database: Database,
) -> None:
    """The quote snapshot (the last trade, before the backfill's end) is inside the merged
    bar, so it adds nothing to the bars; but it is the latest price, and the screens show it."""
    provider = MemoryProvider()
    forming = Bar.from_epoch(SYMBOL, Interval.M1, T, 100.0, 105.0, 95.0, 101.0, 50.0)
    provider.set_bars(SYMBOL, Interval.M1, [forming])
    snapshot = Tick(SYMBOL, T + 20, 101.0, 990.0)
    stream = ListStream([snapshot], now=T + 30)
    service = QuoteService(
        stream, Bus(database, provider), provider, (Interval.M1,), backfill_on_start=True
    )
    await service.set_symbols({SYMBOL})
    await service.run(lambda event: None)
    assert service.covered_ticks == 1
    quote = service.quote(SYMBOL)
    assert quote is not None and (quote.last, quote.last_ts) == (101.0, T + 20)
    forming_now = quote.forming[Interval.M1]
    assert (forming_now.high, forming_now.volume) == (105.0, 50.0)  # the bar is the provider's
