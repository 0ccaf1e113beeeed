"""Snapshots of the History screen in the default (dark) and the light theme, and its empty
state. Deterministic: fixed clock, UTC, seeded database (replay data at a fixed "now"), no
live worker. The database, app and ``ready`` come from the Symbols snapshots' helpers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from textual.pilot import Pilot

from tests.ui.conftest import WATCHLIST, settle, until
from tests.ui.test_symbols_snapshots import SIZE, THEMES, ready, seeded, snapshot_app
from tui_market.tui.app import MarketApp
from tui_market.tui.messages import OpenHistory
from tui_market.tui.screens.history import HistoryScreen

__all__ = ["seeded"]  # the fixture, imported for pytest


def open_history(symbol: str, *keys: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    async def run_before(pilot: Pilot[None]) -> None:
        app = pilot.app
        assert isinstance(app, MarketApp)
        await ready(pilot)
        app.post_message(OpenHistory(symbol))

        def loaded() -> bool:
            screen = app.mode_screens.get("history")
            return isinstance(screen, HistoryScreen) and screen.loaded

        await until(pilot, loaded, what="history bars")
        await settle(pilot)
        if keys:
            await pilot.press(*keys)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("theme", THEMES)
def test_history_screen(snap_compare, seeded, theme: str) -> None:  # type: ignore[no-untyped-def]
    app = snapshot_app(seeded, theme)
    assert snap_compare(app, terminal_size=SIZE, run_before=open_history(WATCHLIST[0]))


def test_history_zoomed_and_panned(snap_compare, seeded) -> None:  # type: ignore[no-untyped-def]
    app = snapshot_app(seeded, THEMES[0])
    keys = ("plus", "plus", "left", "left")
    assert snap_compare(app, terminal_size=SIZE, run_before=open_history(WATCHLIST[1], *keys))


def test_history_empty_store(snap_compare, seeded) -> None:  # type: ignore[no-untyped-def]
    app = snapshot_app(seeded, THEMES[0])
    assert snap_compare(app, terminal_size=SIZE, run_before=open_history("TVC:DXY"))
