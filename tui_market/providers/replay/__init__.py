"""The offline demo: history (``provider``) and a time-accelerated tick stream (``stream``)
played from real TradingView captures shipped with the package (``data``)."""

from tui_market.providers.replay.data import ReplayData
from tui_market.providers.replay.provider import ReplayProvider, full_symbol
from tui_market.providers.replay.stream import ReplayQuoteStream

__all__ = ["ReplayData", "ReplayProvider", "ReplayQuoteStream", "full_symbol"]
