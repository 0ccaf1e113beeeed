"""Indicators on the Ticker's live chart, with the app's real live worker (replay stream ->
QuoteService -> 10 Hz frames): the forming bar moves them in place, one IndicatorSet keeps
being fed (never rebuilt per tick), and on screen they equal TA-Lib over the bars on screen."""

from __future__ import annotations

import math

import numpy as np
import talib

from tests.ui.conftest import NOW, WATCHLIST, app_for, runtime_for, seed, settle, until
from tui_market.commands.save_indicators import SaveIndicators
from tui_market.infrastructure.database import Database
from tui_market.models import Bar, Interval
from tui_market.providers.replay import ReplayQuoteStream
from tui_market.settings import load_settings
from tui_market.tui.screens.ticker import TickerScreen
from tui_market.tui.widgets.indicator_panel import IndicatorPanel
from tui_market.tui.widgets.live_chart import LiveChart

SIZE = (120, 40)


async def test_live_chart_indicators_follow_the_forming_bar(database: Database) -> None:
    await seed(database, WATCHLIST[:1], Interval.M1)
    settings = load_settings(demo=True, interval="1m")
    stream = ReplayQuoteStream(start=NOW.timestamp(), speed=300.0)  # 5 bars a second
    runtime = runtime_for(settings, database, stream)
    await runtime.bus.execute(SaveIndicators("ticker", "ema:21, rsi:14"))
    app = app_for(runtime, live=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        screen = app.mode_screens["ticker"]
        assert isinstance(screen, TickerScreen)
        symbol = WATCHLIST[0]
        chart = screen.query_one(LiveChart)
        await until(
            pilot,
            lambda: bool(chart.overlays) and len(chart.bars) > 100,
            what="the stored bars and the EMA on the live chart",
        )
        live_set = screen.series_studies.current
        assert live_set is not None

        def closed() -> tuple[Bar, ...]:
            return screen.snapshot.recent.get((symbol, Interval.M1), ())

        await until(pilot, lambda: len(closed()) >= 3, what="three closed 1m bars")

        def forming_drawn() -> bool:
            quote = screen.snapshot.quotes.get(symbol)
            forming = quote.forming.get(Interval.M1) if quote else None
            return forming is not None and chart.bars[-1] == forming

        await until(pilot, forming_drawn, what="a forming bar drawn")
        assert screen.series_studies.current is live_set  # fed, not rebuilt
        assert live_set.epochs[-len(chart.bars) :] == [b.epoch for b in chart.bars]
        closes = np.array([b.close for b in chart.bars])
        ema_line, _ = chart.overlays[0]
        ema = talib.EMA(closes, 21)
        for ours, want in zip(ema_line[-30:], ema[-30:], strict=True):
            assert ours is not None and math.isclose(ours, want, rel_tol=1e-9)
        panel = screen.query_one(IndicatorPanel)
        assert panel.display
        rsi = panel.oscillators[0].lines[0][-1]
        assert rsi is not None and math.isclose(rsi, talib.RSI(closes, 14)[-1], rel_tol=1e-9)
        assert "EMA 21" in chart.render_line(0).text
        await pilot.press("q")
