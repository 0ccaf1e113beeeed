"""A feed outage backfilled through the real ``TradingViewProvider`` (tvDatafeed over a socket
to the fake TradingView server), and a backfill that fails.

The fake server keeps the trades it pushes as its history (``history_from_trades``), as
TradingView's history holds every trade. The scripted feed trades through the server; the
connection is cut and trading goes on while the client is away (those trades reach it only
through the history); after the reconnect the QuoteService backfills from the provider, and the
store must equal the script's own bars: 0 lost, 0 duplicated. When the history refuses a
symbol, the service says so (a ``SymbolError``) and keeps aggregating what the feed sends.
"""

from __future__ import annotations

import asyncio

import pytest

from tests.fakes.live_run import (
    CLOCK_EVERY,
    GRACE,
    QUIET,
    ScriptClockStream,
    market_delays,
    script_bars,
    script_market,
    stored,
    values,
    wait_for,
)
from tests.fakes.scripted_feed import ScriptedFeed
from tests.fakes.tv_server import FakeTradingViewServer
from tui_market.infrastructure.database import Database
from tui_market.infrastructure.interfaces import FeedState, FeedStatus, SymbolError
from tui_market.models import Interval
from tui_market.models.live import BarClosedEvent, LiveEvent
from tui_market.providers.tradingview.history import TradingViewProvider
from tui_market.services.bus import Bus
from tui_market.services.quote_service import QuoteService

SYMBOLS = ("NASDAQ:NDX", "TVC:RUT", "DJ:DJI", "BITSTAMP:BTCUSD")
INTERVALS = (Interval.M1, Interval.M5)
COUNT, CUT, BACK = 240, 80, 150  # script steps: all, the cut, the reconnect (2 s a step)


async def outage_run(
    db: Database, feed: ScriptedFeed, refuse: str | None = None, *, at_start: bool = False
) -> tuple[QuoteService, list[LiveEvent]]:
    """Play ``feed`` with one outage from step ``CUT`` to ``BACK``; ``refuse``: a symbol whose
    history the server no longer serves by then; ``at_start``: the start-up backfill too."""
    events: list[LiveEvent] = []
    async with FakeTradingViewServer(script_market(feed), history_from_trades=True) as server:
        await feed.play(server, 0, 1)  # the quote snapshot a new subscriber gets first
        stream = ScriptClockStream(server.url, lambda: feed.position)
        provider = TradingViewProvider(ws_url=server.url, timeout=30)
        service = QuoteService(
            stream,
            Bus(db, provider),
            provider,
            INTERVALS,
            flush_every=0.2,
            clock_every=CLOCK_EVERY,
            clock_grace=GRACE,
            backfill_on_start=at_start,
        )
        await service.set_symbols(set(feed.symbols))
        task = asyncio.create_task(service.run(events.append))

        def caught_up(step: int) -> bool:
            return all(
                (q := service.quote(s)) is not None and q.last_ts == feed.last_ts(step, s)
                for s in SYMBOLS
            )

        await wait_for(lambda: caught_up(1), what="the snapshots")
        await feed.play(server, 1, CUT, every=0.005)
        await wait_for(lambda: caught_up(CUT), what="the trades before the cut")
        backfills, seen = service.backfills, len(events)
        server.drop_all("the outage")
        # script time moves on only once the service knows the feed is down (else its clock
        # would close bars without the outage's trades, as no real clock would)
        await wait_for(lambda: any(down(e) for e in events[seen:]), what="the outage noticed")
        await feed.play(server, CUT, BACK)  # while the client backs off: history only
        if refuse is not None:
            server.market.symbols[refuse].rows = []  # the server cannot resolve it any more
        await wait_for(lambda: service.backfills > backfills, 60, what="the reconnect's backfill")
        await feed.play(server, BACK, COUNT, every=0.005)
        await wait_for(lambda: caught_up(COUNT), what="the trades after the outage")
        feed.position = feed.last_ts(COUNT) + QUIET  # the clock closes the last bars
        ends = {(s, iv, iv.floor(feed.last_ts(COUNT, s))) for s in SYMBOLS for iv in INTERVALS}
        await wait_for(
            lambda: ends <= {(e.bar.symbol, e.bar.interval, e.bar.epoch) for e in closed(events)},
            what="the last bars closed",
        )
        await stream.close()
        await asyncio.wait_for(task, 30)
    return service, events


def down(event: LiveEvent) -> bool:
    return isinstance(event, FeedState) and event.status is FeedStatus.BACKING_OFF


def closed(events: list[LiveEvent]) -> list[BarClosedEvent]:
    return [e for e in events if isinstance(e, BarClosedEvent)]


@pytest.mark.parametrize("at_start", [False, True], ids=["outage", "start-and-outage"])
async def test_an_outage_backfilled_through_tradingviewprovider_loses_nothing(
    database: Database, at_start: bool
) -> None:
    """With the start-up backfill as well, the first bars (merged with the provider's and
    counted from the quote snapshot's cumulative volume) equal the script's too."""
    feed = ScriptedFeed(SYMBOLS, count=COUNT, delays=market_delays(SYMBOLS))
    service, events = await outage_run(database, feed, at_start=at_start)
    expected = sorted(map(values, script_bars(feed, INTERVALS)))
    saved = sorted(map(values, await stored(database, SYMBOLS, INTERVALS)))
    assert saved == expected
    keys = [(e.bar.symbol, e.bar.interval, e.bar.epoch) for e in closed(events)]
    assert len(keys) == len(set(keys)) == len(expected) == service.saved  # none twice
    backfilled = [e for e in closed(events) if e.backfilled]
    assert backfilled  # the outage's bars came from the provider's history
    assert {e.bar.epoch for e in backfilled} & {
        iv.floor(t.ts) for t in feed.ticks_of(CUT, BACK) for iv in INTERVALS
    }
    assert not [e for e in events if isinstance(e, SymbolError)]


async def test_a_failing_backfill_is_reported_and_the_feed_goes_on(database: Database) -> None:
    feed = ScriptedFeed(SYMBOLS, count=COUNT, delays=market_delays(SYMBOLS))
    refused = "TVC:RUT"
    service, events = await outage_run(database, feed, refuse=refused)
    errors = [e for e in events if isinstance(e, SymbolError)]
    assert errors and {e.symbol for e in errors} == {refused}
    assert all("backfill" in e.message for e in errors)
    others = [s for s in SYMBOLS if s != refused]
    expected = script_bars(feed, INTERVALS)
    saved = await stored(database, SYMBOLS, INTERVALS)
    # the other symbols' history was merged as usual
    assert sorted(values(b) for b in saved if b.symbol != refused) == sorted(
        values(b) for b in expected if b.symbol in others
    )
    # the refused one: its bars away from the outage are the script's, none is saved twice
    cut, back = feed.last_ts(CUT), feed.last_ts(BACK + 1)
    apart = [
        b
        for b in expected
        if b.symbol == refused and (b.interval.next_open(b.epoch) <= cut or b.epoch > back)
    ]
    mine = {values(b) for b in saved if b.symbol == refused}
    assert {values(b) for b in apart} <= mine
    keys = [(b.symbol, b.interval, b.epoch) for b in saved]
    assert len(keys) == len(set(keys))
    assert service.saved == len(saved)
