"""Where tui-market keeps its files (platformdirs; XDG on Linux).

Computed on every call, never cached at import, so tests (and users) can move them with the
``XDG_*`` variables or ``TUI_MARKET_CONFIG_FILE``.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import PlatformDirs

APP_NAME = "tui-market"
CONFIG_FILE_ENV = "TUI_MARKET_CONFIG_FILE"


def _dirs() -> PlatformDirs:
    return PlatformDirs(APP_NAME, appauthor=False)


def config_dir() -> Path:
    """User configuration: ``config.toml`` and ``themes/``."""
    return Path(_dirs().user_config_dir)


def data_dir() -> Path:
    """Default data dir: the embedded database lives under ``<data dir>/db``."""
    return Path(_dirs().user_data_dir)


def state_dir() -> Path:
    """Logs and other state that is not worth backing up."""
    return Path(_dirs().user_state_dir)


def cache_dir() -> Path:
    """Files we can always rebuild, such as the TradingView token (``tv-token.json``)."""
    return Path(_dirs().user_cache_dir)


def tv_token_file() -> Path:
    """The cached TradingView auth token (mode 0600), so a start needs no new login."""
    return cache_dir() / "tv-token.json"


def themes_dir() -> Path:
    """User colour themes, one TOML file each (beside the config file)."""
    return config_dir() / "themes"


def log_file() -> Path:
    return state_dir() / "tui-market.log"


def config_file() -> Path:
    """The TOML config file; ``TUI_MARKET_CONFIG_FILE`` points elsewhere."""
    override = os.environ.get(CONFIG_FILE_ENV)
    if override:
        return Path(override).expanduser()
    return config_dir() / "config.toml"
