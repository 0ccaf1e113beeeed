"""Snapshots of the demo data with EMA 21 and RSI 14: on History (chosen with ``i`` in the
picker, as a user does) and live on the Ticker (the app's real live worker, played and paused
as in ``test_ticker_snapshots``), in each built-in theme. Deterministic for the same reasons as
those snapshots: fixed clock, UTC, seeded database, a manual wall clock for the replay."""

from __future__ import annotations

import asyncio

import pytest
from textual.pilot import Pilot

from tests.ui.conftest import WATCHLIST, settle, until
from tests.ui.test_history_snapshots import open_history
from tests.ui.test_symbols_snapshots import SIZE, _database, seeded, snapshot_app
from tests.ui.test_ticker_snapshots import live_ticker_app, played_and_paused, seeded_1m
from tui_market.commands.save_indicators import SaveIndicators, SaveIndicatorsHandler
from tui_market.tui.app import MarketApp
from tui_market.tui.screens.indicators import IndicatorPicker

__all__ = ["seeded", "seeded_1m"]  # the fixtures, imported for pytest
ALL_THEMES = ["market-dark", "market-light", "market-contrast"]
CHOICE = "EMA 21, rsi:14"


async def history_with_indicators(pilot: Pilot[None]) -> None:
    app = pilot.app
    assert isinstance(app, MarketApp)
    await open_history(WATCHLIST[0])(pilot)
    await pilot.press("i")
    await until(pilot, lambda: isinstance(app.screen, IndicatorPicker), what="the picker")
    await pilot.press(*CHOICE, "enter")
    await until(pilot, lambda: bool(app.indicators.get("history")), what="the saved choice")
    await settle(pilot)
    await pilot.pause()


def remembered(seeded: tuple[str, str], chart: str) -> None:
    """The choice saved by an earlier session (the app reads it at start), saved through the
    command the picker's request runs, in its own event loop as the seeding is."""

    async def save() -> None:
        db = _database(*seeded)
        try:
            await SaveIndicatorsHandler(db)(SaveIndicators(chart, CHOICE))
        finally:
            await db.close()

    asyncio.run(save())


async def ticker_with_indicators(pilot: Pilot[None]) -> None:
    """As the Ticker snapshots are played, with the same timing (the choice is read at start,
    with the watchlist): waiting for a round trip here changed which bars the replay saved."""
    app = pilot.app
    assert isinstance(app, MarketApp)
    await played_and_paused(pilot)
    assert app.indicators.get("ticker")


@pytest.mark.parametrize("theme", ALL_THEMES)
def test_history_with_ema_and_rsi(snap_compare, seeded, theme: str) -> None:  # type: ignore[no-untyped-def]
    app = snapshot_app(seeded, theme)
    assert snap_compare(app, terminal_size=SIZE, run_before=history_with_indicators)


@pytest.mark.parametrize("theme", ALL_THEMES)
def test_ticker_live_with_ema_and_rsi(snap_compare, seeded_1m, theme: str) -> None:  # type: ignore[no-untyped-def]
    remembered(seeded_1m, "ticker")
    app = live_ticker_app(seeded_1m, theme)
    assert snap_compare(app, terminal_size=SIZE, run_before=ticker_with_indicators)
