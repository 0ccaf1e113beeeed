"""A store an earlier version wrote: the TUI says once at start that its bars wait for
``tui-market migrate`` (the count the runtime takes when it opens)."""

from __future__ import annotations

import dataclasses

from textual.message import Message

from tests.ui.conftest import app_for, settle, until
from tests.ui.test_alerts import SIZE, notices
from tui_market.infrastructure import schema
from tui_market.infrastructure.database import Database
from tui_market.queries.old_layout import OldLayoutBars
from tui_market.runtime import Runtime


async def test_the_tui_names_bars_left_in_the_old_layout(
    runtime: Runtime, database: Database
) -> None:
    old = database.get_collection(schema.OHLCV)
    await old.insert_many(
        [{"_id": f"NASDAQ:AAPL|1h|{k:012d}", "symbol": "NASDAQ:AAPL"} for k in range(3)]
    )
    counted = dataclasses.replace(runtime, old_bars=await runtime.bus.execute(OldLayoutBars()))
    seen: list[Message] = []
    async with app_for(counted, live=False).run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(pilot)
        said = (
            "Stored bars",
            "3 bars stored by an earlier version are not shown until `tui-market migrate`",
        )
        await until(pilot, lambda: said in notices(seen), what="the old-layout notice")
        await pilot.press("q")
