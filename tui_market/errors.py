"""The errors tui-market raises on purpose; each message is written for a trader."""

from __future__ import annotations


class MarketError(Exception):
    """Base of our own errors."""


class ConfigError(MarketError):
    """A setting or config file is invalid. The message names the key and the problem."""


class DatabaseUnavailable(MarketError):
    """MongoDB (embedded or remote) could not be reached or started."""


class ProviderError(MarketError):
    """A data provider failed in a way that is not one of the cases below."""


class SymbolNotFound(ProviderError):
    """The provider does not know this symbol."""


class ProviderUnavailable(ProviderError):
    """The provider could not be reached (network down, timeout)."""


class ProtocolError(MarketError):
    """A frame or message from TradingView's websocket could not be understood."""
