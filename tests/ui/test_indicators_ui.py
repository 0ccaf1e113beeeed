"""Indicators on the charts, through the real app, database and replay data: the picker (key
``i`` and the palette), a refused text that changes nothing, the choice drawn and remembered
across a restart, and the values on screen against TA-Lib over the bars on screen."""

from __future__ import annotations

import math

import numpy as np
import talib
from textual.widgets import Input, Label

from tests.ui.conftest import WATCHLIST, app_for, seed, settle, until
from tests.ui.test_history import SIZE, history, open_history
from tui_market.infrastructure import schema
from tui_market.infrastructure.database import Database
from tui_market.runtime import Runtime
from tui_market.tui.screens.indicators import IndicatorPicker
from tui_market.tui.widgets.candles import CandleChart
from tui_market.tui.widgets.indicator_panel import IndicatorPanel


async def type_text(pilot: object, text: str) -> None:
    await pilot.press(*text)  # type: ignore[attr-defined]


async def test_history_indicators_chosen_drawn_and_remembered(
    runtime: Runtime, database: Database
) -> None:
    await seed(database, WATCHLIST[:1])
    app = app_for(runtime, live=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_history(app, pilot, WATCHLIST[0])
        panel = screen.query_one(IndicatorPanel)
        assert not panel.display and not screen.query_one(CandleChart).overlays
        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.screen, IndicatorPicker), what="picker")
        await type_text(pilot, "ema:0")
        reason = app.screen.query_one("#indicators-reason", Label)
        assert "EMA period must be a whole number from 1 to 1000" in str(reason.render())
        await pilot.press("enter")  # refused: the picker stays, nothing is stored
        assert isinstance(app.screen, IndicatorPicker)
        assert await database.get_collection(schema.SETTINGS).count_documents({}) == 0
        app.screen.query_one(Input).clear()
        await type_text(pilot, "EMA 21, rsi:14")
        await pilot.press("enter")
        await until(pilot, lambda: bool(app.indicators.get("history")), what="saved choice")
        await settle(pilot)
        doc = await database.get_collection(schema.SETTINGS).find_one({"_id": "indicators:history"})
        assert doc is not None and doc["specs"] == ["ema:21", "rsi:14"]
        chart = screen.query_one(CandleChart)
        # computed in a worker after the candles are drawn, then painted
        await until(pilot, lambda: bool(chart.legend), what="the lines drawn")
        assert [text for text, _ in chart.legend] == ["EMA 21"]
        assert "EMA 21" in chart.render_line(0).text
        assert panel.display and "RSI 14" in panel.render_line(0).text
        closes = np.array([bar.close for bar in screen.bars])
        studies = screen.studies()
        assert studies is not None
        ema, rsi = (study.lines[0][-1] for study in studies.studies)
        assert ema is not None and math.isclose(ema, talib.EMA(closes, 21)[-1], rel_tol=1e-9)
        assert rsi is not None and math.isclose(rsi, talib.RSI(closes, 14)[-1], rel_tol=1e-9)
        assert f"RSI 14 {rsi:.2f}" in panel.render_line(0).text
    again = app_for(runtime, live=False)  # a restart: the choice is read from the database
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_history(again, pilot, WATCHLIST[0])
        await until(pilot, lambda: bool(screen.query_one(CandleChart).legend), what="legend")
        assert [text for text, _ in screen.query_one(CandleChart).legend] == ["EMA 21"]
        assert history(again).query_one(IndicatorPanel).display


async def test_palette_opens_the_ticker_picker_and_escape_changes_nothing(
    runtime: Runtime, database: Database
) -> None:
    await seed(database, WATCHLIST[:1])
    app = app_for(runtime, live=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await type_text(pilot, "indicators on ticker")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, IndicatorPicker), what="picker")
        assert app.screen.chart == "ticker"  # type: ignore[attr-defined]
        await type_text(pilot, "macd")
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, IndicatorPicker)
        assert app.indicators.get("ticker", ()) == ()
        assert await database.get_collection(schema.SETTINGS).count_documents({}) == 0


async def test_the_picker_completes_a_name_with_its_defaults(
    runtime: Runtime, database: Database
) -> None:
    await seed(database, WATCHLIST[:1])
    app = app_for(runtime, live=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_history(app, pilot, WATCHLIST[0])
        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.screen, IndicatorPicker), what="picker")
        field = app.screen.query_one(Input)
        await type_text(pilot, "EMA 9, r")
        shown = "EMA 9, rsi:14"  # the completion, greyed after the cursor
        await until(pilot, lambda: shown in field.render_line(0).text, what="the completion")
        await pilot.press("right")  # takes it
        await type_text(pilot, ", B")
        await pilot.pause()
        await pilot.press("right")
        assert field.value == "EMA 9, rsi:14, Bb:20,2"
        await pilot.press("enter")
        await until(pilot, lambda: bool(app.indicators.get("history")), what="saved choice")
        assert [spec.text for spec in app.indicators["history"]] == ["ema:9", "rsi:14", "bb:20,2"]
