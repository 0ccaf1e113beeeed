"""The data-health line through the real live path: the app's live worker runs QuoteService
on a real TradingViewQuoteStream against the fake TradingView server on 127.0.0.1; the server
drops the connection, the line shows "backing off, retry in N s", then "live" again."""

from __future__ import annotations

import random
import re

from tests.fakes.tv_server import FakeTradingViewServer
from tests.ui.conftest import app_for, demo_settings, runtime_for, seed, settle, until
from tui_market.infrastructure.database import Database
from tui_market.infrastructure.interfaces import FeedStatus
from tui_market.providers.tradingview.quotes import TradingViewQuoteStream
from tui_market.tui.app import MarketApp
from tui_market.tui.widgets.chrome import HealthLine


def health_text(app: MarketApp) -> str:
    return str(app.screen.query_one(HealthLine).render())


async def test_dropped_feed_shows_backing_off_and_recovers(database: Database) -> None:
    await seed(database, ["NASDAQ:NDX"])
    async with FakeTradingViewServer(heartbeat_every=0.5) as server:
        stream = TradingViewQuoteStream(
            server.url,
            proxy=None,
            backoff_initial=2.0,
            backoff_cap=2.0,
            backoff_jitter=0.0,
            watchdog=5.0,
            close_timeout=1.0,
            rng=random.Random(1),
        )
        runtime = runtime_for(demo_settings(), database, stream)
        app = app_for(runtime)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            assert "DB embedded" in health_text(app) and "demo (replay data)" in health_text(app)
            await until(pilot, lambda: "● live" in health_text(app), what="the feed to be live")
            connections = len(server.connections)
            await server.push_quote("NASDAQ:NDX", 14530.0, 1686427900, volume=10.0)

            def ticked() -> bool:  # any age: a loaded machine may paint it a second late
                quote = app.snapshot.quotes.get("NASDAQ:NDX")
                shown = re.search(r"last tick \d+s ago", health_text(app)) is not None
                return quote is not None and quote.last == 14530.0 and shown

            await until(pilot, ticked, what="the tick, and its age on the health line")

            server.drop_all()
            await until(
                pilot, lambda: "backing off, retry in" in health_text(app), what="backing off"
            )
            assert app.health.feed is not None
            assert app.health.feed.status is FeedStatus.BACKING_OFF

            await until(pilot, lambda: "● live" in health_text(app), what="recovery")
            assert len(server.connections) > connections
            await pilot.press("q")
        await stream.close()
