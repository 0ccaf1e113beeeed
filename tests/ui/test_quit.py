"""Quitting never hangs or crashes, even when the live feed ignores its close."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from tests.ui.conftest import app_for, demo_settings, runtime_for, seed, until
from tui_market.infrastructure.database import Database
from tui_market.infrastructure.interfaces import FeedState, FeedStatus, IQuoteStream, QuoteEvent


class StuckStream(IQuoteStream):
    """A feed that goes live and then never yields again, and whose close() does nothing."""

    def __init__(self) -> None:
        self.live = False

    async def set_symbols(self, symbols: set[str]) -> None:
        return None

    async def events(self) -> AsyncIterator[QuoteEvent]:
        yield FeedState(FeedStatus.LIVE)
        self.live = True
        await asyncio.Event().wait()

    async def close(self) -> None:
        return None


async def test_quit_with_a_stuck_feed_exits_cleanly(database: Database) -> None:
    await seed(database, ["NASDAQ:AAPL"])
    stream = StuckStream()
    app = app_for(runtime_for(demo_settings(), database, stream))
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: stream.live, what="the feed to be live")
        await pilot.press("q")
        await until(pilot, lambda: not app.is_running, timeout=15, what="the app to exit")
    assert app.return_code in (0, None)
