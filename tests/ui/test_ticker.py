"""Ticker screen with the app's real live worker: replay stream -> QuoteService -> 10 Hz frames."""

from __future__ import annotations

from textual.message import Message

from tests.ui.conftest import NOW, WATCHLIST, app_for, runtime_for, seed, settle, until
from tui_market.infrastructure.database import Database
from tui_market.models import Bar, Interval
from tui_market.providers.replay import ReplayQuoteStream
from tui_market.queries.get_bars import GetBars
from tui_market.settings import load_settings
from tui_market.tui.screens.ticker import TickerScreen
from tui_market.tui.widgets.candles import CandleChart
from tui_market.tui.widgets.ticker_table import TickerTable

SIZE = (120, 36)


async def test_ticker_shows_a_closed_bar_after_ticks_cross_a_boundary(database: Database) -> None:
    symbols = WATCHLIST[:2]
    await seed(database, symbols)
    settings = load_settings(demo=True, interval="1m")
    stream = ReplayQuoteStream(start=NOW.timestamp(), speed=300.0)  # 5 bars a second
    runtime = runtime_for(settings, database, stream)
    seen: list[Message] = []
    app = app_for(runtime, live=True)
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(pilot)
        await pilot.press("3")
        screen = app.mode_screens["ticker"]
        assert isinstance(screen, TickerScreen) and screen.interval is Interval.M1
        table = screen.query_one(TickerTable)
        assert table.symbols == tuple(symbols)
        symbol = table.selected_symbol
        assert symbol == symbols[0]

        def closed() -> tuple[Bar, ...]:
            return screen.snapshot.recent.get((symbol, Interval.M1), ())

        await until(pilot, lambda: len(closed()) >= 2, what="two closed 1m bars on screen")
        bar = closed()[-1]
        chart = screen.query_one(CandleChart)
        await until(
            pilot,
            lambda: any(b.epoch == bar.epoch for b in chart.bars),
            what="the closed bar in the chart",
        )

        def forming() -> Bar | None:
            quote = screen.snapshot.quotes.get(symbol)
            return quote.forming.get(Interval.M1) if quote else None

        await until(
            pilot,
            lambda: (
                (f := forming()) is not None
                and f.epoch > bar.epoch
                and chart.bars[-1].epoch == f.epoch
            ),
            what="the forming candle drawn last",
        )
        row = table.get_row(symbol)
        assert str(row[1]) != "—" and str(row[3]) != "—"  # last price and forming open
        await pilot.press("q")

    # Closed bars were saved through SaveBars by the same live worker.
    saved = await runtime.bus.execute(GetBars(symbol, Interval.M1, last=50))
    assert any(b.epoch == bar.epoch for b in saved)
