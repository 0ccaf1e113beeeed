"""Fault 4 (issue 6): a history fetch that never answers, seen from the real app.

The history provider is the real TradingViewProvider, built by the app's own factory from
settings (``history_timeout_seconds``), pointed at the fake TradingView server in silent mode:
the websocket opens, nothing ever comes back. ``s`` on History starts the sync; while the fetch
hangs every key is handled (modes switch, the cursor moves, the chart zooms and pans); at the
timeout one notification names the symbol and says the fetch got no answer in time; no bar was
written; and the app is still usable afterwards.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from textual.message import Message
from textual.widgets import DataTable

from tests.dbdump import BARS, dump
from tests.fakes.tv_server import FakeTradingViewServer
from tests.ui.conftest import WATCHLIST, app_for, seed, settle, until
from tests.ui.test_history import SIZE, history, open_history
from tui_market.errors import ConfigError
from tui_market.infrastructure import schema
from tui_market.infrastructure.database import Database
from tui_market.models import Interval
from tui_market.providers.tradingview.history import TradingViewProvider
from tui_market.runtime import Runtime, make_bus, make_providers
from tui_market.settings import load_settings
from tui_market.tui.messages import SyncFailed, SyncFinished

# seconds: history_timeout_seconds for this test; the keys below must all be handled while
# the fetch hangs, so a loaded 2-core machine needs the margin (3 s flaked)
TIMEOUT = 10


async def store(db: Database) -> list[dict[str, Any]]:
    return (await dump(db))[BARS]


async def test_a_silent_history_server_times_out_clearly_and_the_ui_stays_live(
    database: Database,
) -> None:
    await seed(database, WATCHLIST)  # 1D bars from the replay data, so History has a chart
    symbol = WATCHLIST[0]
    async with FakeTradingViewServer() as server:
        server.silent = True
        settings = load_settings(
            interval="1D", tv_ws_url=server.url, history_timeout_seconds=TIMEOUT
        )
        provider, stream = make_providers(settings)
        runtime = Runtime(settings, database, provider, stream, make_bus(database, provider), None)
        before = await store(database)
        seen: list[Message] = []
        app = app_for(runtime, live=False)
        async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
            await settle(pilot)
            screen = await open_history(app, pilot, symbol)
            loop = asyncio.get_running_loop()

            def failed() -> bool:
                return any(isinstance(m, SyncFailed) for m in seen)

            await pilot.press("s")
            pressed = loop.time()
            await until(
                pilot,
                lambda: any((w.group or "").startswith("sync:") for w in app.workers),
                what="the sync to start",
            )

            # While the fetch hangs, each key does what it does.
            table = app.mode_screens["symbols"].query_one("#watchlist", DataTable)
            zoom, pan = screen.window.cols_per_bar, screen.window.following
            steps = [
                ("plus", lambda: screen.window.cols_per_bar > zoom),
                ("left", lambda: screen.window.following != pan),
                ("1", lambda: app.current_mode == "symbols"),
                ("down", lambda: table.cursor_row == 1),
                ("down", lambda: table.cursor_row == 2),
                ("up", lambda: table.cursor_row == 1),
                ("2", lambda: app.current_mode == "history"),
                ("minus", lambda: screen.window.cols_per_bar == zoom),
            ]
            handled: list[float] = []
            for key, done in steps:
                start = loop.time()
                await pilot.press(key)
                await until(pilot, done, timeout=TIMEOUT, what=f"key {key!r} handled")
                handled.append(loop.time() - start)
                assert not failed(), f"the fetch ended before key {key!r} was handled"
            hanging = loop.time() - pressed
            assert hanging < TIMEOUT and app.current_mode == "history"

            # Then the timeout: one clear notification, nothing written.
            await until(pilot, failed, timeout=TIMEOUT + 10, what="the sync to time out")
            waited = loop.time() - pressed
            assert waited >= TIMEOUT - 0.5
            assert not any(isinstance(m, SyncFinished) for m in seen)
            notices = [n for n in app._notifications if n.title == "Sync failed"]
            assert len(notices) == 1 and notices[0].severity == "error"
            text = notices[0].message
            assert text == (f"{symbol} 1D: TradingView did not answer within {TIMEOUT} s"), text
            assert await store(database) == before
            state = await database.get_collection(schema.SYNC_STATE).find_one(
                {"_id": schema.sync_id(symbol, Interval.D1)}
            )
            assert state is not None and state["status"] == "error"
            assert "did not answer" in state["error"]

            # Still usable: keys, and History's bars load again.
            await pilot.press("1", "down")
            await until(
                pilot,
                lambda: app.current_mode == "symbols" and table.cursor_row == 2,
                what="keys after the timeout",
            )
            await pilot.press("2", "r")
            await until(pilot, lambda: screen.loaded and bool(screen.bars), what="history reloaded")
            await settle(pilot)
            assert history(app) is screen
        await stream.close()
    print(
        f"\nfetch hung {waited:.2f} s (timeout {TIMEOUT} s); {len(handled)} keys handled "
        f"within {hanging:.2f} s of pressing s, each in {min(handled) * 1000:.0f}-"
        f"{max(handled) * 1000:.0f} ms"
    )


def test_the_history_timeout_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUI_MARKET_HISTORY_TIMEOUT_SECONDS", "7.5")
    provider, _ = make_providers(load_settings())
    assert isinstance(provider, TradingViewProvider) and provider.timeout == 7.5
    assert load_settings().history_timeout_seconds == 7.5
    monkeypatch.setenv("TUI_MARKET_HISTORY_TIMEOUT_SECONDS", "0")
    with pytest.raises(ConfigError, match="TUI_MARKET_HISTORY_TIMEOUT_SECONDS"):
        load_settings()
