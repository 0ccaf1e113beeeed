"""A Ticker row shows prices with the symbol's own tick, as Symbols does (pure: no app)."""

from __future__ import annotations

from datetime import UTC, datetime

from tui_market.models import Bar, Interval
from tui_market.models.live import SymbolQuote
from tui_market.models.symbol_info import SymbolInfo
from tui_market.tui.widgets.ticker_rows import COLUMNS, quote_row

H1 = Interval.parse("1h")
LAST, OPEN, HIGH, LOW, VOLUME = (
    COLUMNS.index(c) for c in ("Last", "Open", "High", "Low", "Volume")
)


def _quote(symbol: str, last: float, volume: float) -> SymbolQuote:
    bar = Bar(
        symbol=symbol,
        interval=H1,
        time=datetime(2026, 12, 3, 14, 30, tzinfo=UTC),
        open=last * 0.999,
        high=last * 1.001,
        low=last * 0.998,
        close=last,
        volume=volume,
    )
    return SymbolQuote(symbol, last=last, reference=last, forming={H1: bar})


def test_bitstamp_btcusd_has_no_decimals() -> None:
    info = SymbolInfo(type="crypto", pricescale=1, minmov=1)
    cells = quote_row("BITSTAMP:BTCUSD", _quote("BITSTAMP:BTCUSD", 25753.0, 3), H1, "", None, info)
    assert (cells.cells[LAST], cells.cells[OPEN], cells.cells[HIGH], cells.cells[LOW]) == (
        "25,753",
        "25,727",
        "25,779",
        "25,701",
    )


def test_forex_shows_five_decimals_and_an_index_no_volume() -> None:
    eurusd = SymbolInfo(type="forex", pricescale=100000, minmov=1)
    row = quote_row("FX:EURUSD", _quote("FX:EURUSD", 1.08345, 10), H1, "", None, eurusd)
    assert row.cells[LAST] == "1.08345"
    index = SymbolInfo(type="index", pricescale=100, minmov=1)
    row = quote_row("NASDAQ:NDX", _quote("NASDAQ:NDX", 14520.59, 0), H1, "", None, index)
    assert (row.cells[LAST], row.cells[VOLUME]) == ("14,520.59", "-")


def test_without_metadata_two_decimals() -> None:
    row = quote_row("X:Y", _quote("X:Y", 25753.0, 3), H1, "", None)
    assert row.cells[LAST] == "25,753.00"
