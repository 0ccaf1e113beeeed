"""A store an earlier version wrote: the TUI says once at start that its bars wait for
``tui-market migrate`` (the count the runtime takes when it opens), besides what else it says
at start (the alerts that fired while it was closed)."""

from __future__ import annotations

import dataclasses

from textual.message import Message

from tests.ui.conftest import NOW, app_for, seed, settle, until
from tests.ui.test_alerts import SIZE, notices
from tui_market.commands.add_alert import AddAlert
from tui_market.commands.record_alert import RecordAlertFired
from tui_market.infrastructure import schema
from tui_market.infrastructure.database import Database
from tui_market.models.alert import AlertFired
from tui_market.queries.old_layout import OldLayoutBars
from tui_market.runtime import Runtime


async def test_the_tui_names_bars_left_in_the_old_layout(
    runtime: Runtime, database: Database
) -> None:
    old = database.get_collection(schema.OHLCV)
    await old.insert_many(
        [{"_id": f"NASDAQ:AAPL|1h|{k:012d}", "symbol": "NASDAQ:AAPL"} for k in range(3)]
    )
    await seed(database, ["NASDAQ:AAPL"])
    alert = await runtime.bus.execute(AddAlert("NASDAQ:AAPL", "above", "190"))
    fired = AlertFired(alert, NOW.timestamp(), 190.5)
    await runtime.bus.execute(RecordAlertFired((fired,), "watch"))
    counted = dataclasses.replace(runtime, old_bars=await runtime.bus.execute(OldLayoutBars()))
    seen: list[Message] = []
    async with app_for(counted, live=False).run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(pilot)
        said = (
            "Stored bars",
            "3 bars stored by an earlier version are not shown until `tui-market migrate`",
        )
        await until(pilot, lambda: said in notices(seen), what="the old-layout notice")
        missed = ("1 alert fired while you were away", f"2026-11-20 15:30 {fired.text}")
        await until(pilot, lambda: missed in notices(seen), what="the missed alert, too")
        await pilot.press("q")
