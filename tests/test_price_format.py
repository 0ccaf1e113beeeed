"""format_price / format_volume: the symbol's tick decides the decimals (real values)."""

from __future__ import annotations

import pytest

from tests.fakes.tv_data import load_market_data
from tui_market.models.price_format import format_price, format_volume, tick_decimals
from tui_market.models.symbol_info import SymbolInfo
from tui_market.tui.screens import symbols_format as fmt
from tui_market.tui.widgets.bars_table import fmt_volume

EURUSD = SymbolInfo(type="forex", pricescale=100000, minmov=1)
BTCUSD = SymbolInfo(type="crypto", pricescale=100, minmov=1)
ES = SymbolInfo(type="futures", pricescale=100, minmov=25)  # ticks by 0.25


@pytest.mark.parametrize(
    ("value", "info", "text"),
    [
        (1.08345, EURUSD, "1.08345"),
        (1.0835, EURUSD, "1.08350"),  # the fifth decimal shows even when it is 0
        (25753.0, BTCUSD, "25,753.00"),
        (4298.75, ES, "4,298.75"),
        (4300.0, ES, "4,300.00"),
        (-12.25, ES, "-12.25"),
        (-0.000001, BTCUSD, "0.00"),  # no "-0.00"
        (None, EURUSD, "—"),
    ],
)
def test_format_price_uses_the_symbols_tick(
    value: float | None, info: SymbolInfo, text: str
) -> None:
    assert format_price(value, info) == text


def test_decimals_from_pricescale_and_minmov() -> None:
    assert tick_decimals(EURUSD) == 5
    assert tick_decimals(BTCUSD) == 2
    assert tick_decimals(ES) == 2
    assert tick_decimals(SymbolInfo(pricescale=1)) == 0
    assert tick_decimals(SymbolInfo(pricescale=100, minmov=5)) == 2  # 0.05
    assert tick_decimals(SymbolInfo(pricescale=128)) == 7  # 1/128 = 0.0078125
    # minmov counts: a tick of 10/1000 = 0.01 needs 2 decimals, not log10(1000) = 3
    assert tick_decimals(SymbolInfo(pricescale=1000, minmov=10)) == 2
    assert format_price(151.23, SymbolInfo(pricescale=1000, minmov=10)) == "151.23"


def test_captured_metadata_decides_the_decimals() -> None:
    """The real symbol_resolved / qsd fields of the captures, read by SymbolInfo."""
    market = load_market_data()
    rut = SymbolInfo.from_provider(market.symbols["TVC:RUT"].info)  # pricescale 10000
    assert format_price(market.symbols["TVC:RUT"].quote["lp"], rut) == "1,865.7063"
    btc = market.symbols["BITSTAMP:BTCUSD"].quote  # Bitstamp: pricescale 1, whole dollars
    assert format_price(btc["lp"], SymbolInfo.from_provider(btc)) == "25,753"
    aapl = market.symbols["NASDAQ:AAPL"].quote
    assert format_price(aapl["lp"], SymbolInfo.from_provider(aapl)) == "180.96"


def test_without_info_the_old_rule_holds() -> None:
    assert format_price(25753.0, None) == "25,753.00"
    assert format_price(180.96, None) == "180.96"
    assert format_price(0.00001234, None) == "0.000012"
    assert format_price(1.08345, None) == "1.08"


def test_an_index_volume_shows_a_dash_not_zero() -> None:
    market = load_market_data()
    vix = market.symbols["TVC:VIX"].quote  # the captured qsd: type index, volume 0
    info = SymbolInfo.from_provider(vix)
    assert info.type == "index" and vix["volume"] == 0
    assert format_volume(vix["volume"], info) == "-"
    assert format_volume(None, info) == "-"
    spx = market.symbols["SP:SPX"].quote  # an index whose feed does report a volume
    assert format_volume(spx["volume"], SymbolInfo.from_provider(spx)) == "2.11B"
    assert format_volume(0, SymbolInfo(type="stock")) == "0"
    assert format_volume(48899973, SymbolInfo(type="stock")) == "48.90M"
    # a minute of Bitstamp BTCUSD (the capture's last 1m bars): a fraction of a coin
    crypto = SymbolInfo(type="crypto")
    assert format_volume(0.2566, crypto) == "0.257"
    assert format_volume(12.3456, crypto) == "12.3"
    assert format_volume(412.0, crypto) == "412"


def test_the_symbols_screen_cells_use_the_info() -> None:
    assert fmt.price(1.08345, EURUSD) == "1.08345"
    assert fmt.signed(-0.00123, info=EURUSD) == "-0.00123"
    assert fmt.signed(0.25, info=ES) == "+0.25"
    assert fmt.signed(-104.0, info=BTCUSD) == "-104.00"
    assert fmt.volume(0, SymbolInfo(type="index")) == "-"


def test_history_table_volume_keeps_a_coins_fraction() -> None:
    crypto, stock = SymbolInfo(type="crypto"), SymbolInfo(type="stock")
    assert fmt_volume(0.2566, crypto) == "0.2566"
    assert fmt_volume(1.5, crypto) == "1.5"
    assert fmt_volume(48899973, stock) == "48,899,973"
    assert fmt_volume(0, SymbolInfo(type="index")) == "-"
