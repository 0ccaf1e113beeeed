"""Typed settings: CLI flags > ``TUI_MARKET_*`` environment > TOML config file > defaults.

``load_settings`` is the one entry point: it turns every validation or file problem into a
``ConfigError`` whose message is one line naming where the bad value came from and what is wrong.
"""

from __future__ import annotations

import contextvars
import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from tui_market import paths
from tui_market.errors import ConfigError
from tui_market.infrastructure.uri_text import mask_uri
from tui_market.models import Interval
from tui_market.settings_types import (
    DatabaseName,
    DataDir,
    IntervalSetting,
    LogLevel,
    MongoUri,
    OptionalName,
    Secret,
    Watchlist,
    WsUrl,
)

ENV_PREFIX = "TUI_MARKET_"
# Real TradingView symbols that the offline demo data also holds.
DEFAULT_WATCHLIST = ("BITSTAMP:BTCUSD", "NASDAQ:AAPL", "NASDAQ:TSLA", "NASDAQ:NDX", "SP:SPX")
DEMO_DATABASE = "tui_market_demo"
_QUIET_KEYS = {"tv_username", "tv_password", "mongodb_uri", "watchlist"}  # never echo input
_SHOWN = 60  # characters of a bad value quoted in a message
_LOOPBACK_HTTP = re.compile(r"http://(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(/|$)")
# The file data for the Settings being built (set by load_settings; read by the file source).
_FILE_DATA: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "tui_market_config_file_data", default=None
)


class Settings(BaseSettings):
    """Everything configurable. Build it with ``load_settings``."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_nested_delimiter="__", extra="forbid", validate_default=True
    )

    mongodb_uri: MongoUri = None  # None: start (or reuse) the embedded server
    database: DatabaseName = "tui_market"
    data_dir: DataDir = Field(default_factory=paths.data_dir)
    provider: Literal["tradingview", "replay"] = "tradingview"
    # "database": follow a desk's ingester through MongoDB (no connection of our own)
    feed: Literal["provider", "database"] = "provider"
    interval: IntervalSetting = Interval.H1
    watchlist: Watchlist = Field(default_factory=lambda: [*DEFAULT_WATCHLIST])
    tv_ws_url: WsUrl = None  # None: TradingView's own (providers.tradingview.WS_URL)
    tv_username: Secret = None
    tv_password: Secret = None
    tv_signin_url: OptionalName = None  # None: TradingView's; https, or http to a loopback fake
    theme: OptionalName = None  # None: the app's built-in default theme
    sync_every_minutes: int | None = Field(default=None, ge=0, le=7 * 24 * 60)
    history_timeout_seconds: float = Field(default=30.0, ge=1, le=600)  # one history fetch
    demo: bool = False  # offline demo: implies provider "replay"
    log_level: LogLevel = "INFO"

    @field_validator("sync_every_minutes")
    @classmethod
    def _zero_is_off(cls, value: int | None) -> int | None:
        return value or None

    @field_validator("mongodb_uri")
    @classmethod
    def _credentials_escaped(cls, value: str | None) -> str | None:
        """At most one ``@``, after an escaped ``user:password``: ``mask_uri`` hides it all."""
        rest = (value or "").split("://", 1)[-1]
        userinfo = rest.partition("@")[0] if "@" in rest else ""
        if rest.count("@") > 1 or set(userinfo) & set("/?#[]") or userinfo.count(":") > 1:
            raise ValueError(
                "escape the user name and password (urllib.parse.quote_plus) and "
                "any other '@' in the URI; the URI is not shown"
            )
        return value

    @field_validator("tv_signin_url")
    @classmethod
    def _password_over_https(cls, value: str | None) -> str | None:
        """The password is posted there: https only (plain http only to this machine)."""
        if value is None or value.startswith("https://") or _LOOPBACK_HTTP.match(value):
            return value
        raise ValueError("must start with https:// (http:// only to 127.0.0.1 or localhost)")

    @model_validator(mode="after")
    def _demo_means_replay(self) -> Settings:
        """The demo replays recorded data into its own database, never into real history."""
        if self.demo:
            self.provider = "replay"
            if "database" not in self.model_fields_set:
                self.database = DEMO_DATABASE
        return self

    @property
    def embedded(self) -> bool:
        return self.mongodb_uri is None

    def describe(self) -> str:
        """One line for the log: no password, no TradingView credentials."""
        uri = mask_uri(self.mongodb_uri) if self.mongodb_uri else "embedded"
        return (
            f"mongodb={uri} database={self.database} data_dir={self.data_dir} "
            f"provider={self.provider} feed={self.feed} interval={self.interval.value} "
            f"demo={self.demo} "
            f"watchlist={len(self.watchlist)} symbols "
            f"tv_login={'yes' if self.tv_username else 'no'}"
        )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        data = _FILE_DATA.get()
        if data is None:
            data = read_config_file(paths.config_file(), required=False)
        return init_settings, env_settings, InitSettingsSource(settings_cls, init_kwargs=data)


def read_config_file(path: Path, *, required: bool) -> dict[str, Any]:
    """The TOML file as a dict; ``{}`` when absent and not required."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as exc:
        if required:
            raise ConfigError(f"config file {path} does not exist") from exc
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path}: invalid TOML: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"config file {path}: not UTF-8 text ({exc.reason})") from exc
    except ValueError as exc:  # tomllib's int(): over 4300 digits
        raise ConfigError(f"config file {path}: invalid TOML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"config file {path}: cannot read it ({exc.strerror})") from exc


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Settings from CLI ``overrides`` (None values ignored), env, the config file, defaults.

    ``config_file`` (the ``--config`` flag) beats ``TUI_MARKET_CONFIG_FILE`` beats the default
    location. An explicitly named file must exist; the default one is optional.
    """
    explicit = config_file is not None or bool(os.environ.get(paths.CONFIG_FILE_ENV))
    path = Path(config_file).expanduser() if config_file is not None else paths.config_file()
    data = read_config_file(path, required=explicit)
    given = {key: value for key, value in overrides.items() if value is not None}
    token = _FILE_DATA.set(data)
    try:
        return Settings(**given)
    except ValidationError as exc:
        # from None: pydantic's error holds the raw input (a password), never to reach a traceback
        raise ConfigError(_one_line(exc, given, data, path)) from None
    finally:
        _FILE_DATA.reset(token)


def _one_line(exc: ValidationError, given: dict[str, Any], data: dict[str, Any], path: Path) -> str:
    parts = []
    for error in exc.errors():
        key = str(error["loc"][0]) if error["loc"] else "settings"
        if error["type"] == "extra_forbidden":
            parts.append(
                f"config file {path}: unknown key {key!r}"
                if key in data
                else f"unknown setting {key!r}"
            )
            continue
        message = error["msg"].removeprefix("Value error, ")
        value = error.get("input")
        shown = key not in _QUIET_KEYS and isinstance(value, str | int | float)
        text = repr(value) if shown else ""
        if len(text) > _SHOWN:  # a long value is quoted by its start only
            message, text = message.replace(text, text[:_SHOWN] + "..."), text[:_SHOWN] + "..."
        got = f" (got {text})" if shown and text not in message else ""
        parts.append(f"{_where(key, given, data, path)}: {message}{got}")
    return "; ".join(parts)


def _where(key: str, given: dict[str, Any], data: dict[str, Any], path: Path) -> str:
    """Name the key as the user wrote it: the flag, the env variable or the file key."""
    if key in given:
        return f"--{key.replace('_', '-')}"
    env_name = f"{ENV_PREFIX}{key}".upper()
    if any(name.upper() == env_name for name in os.environ):
        return env_name
    if key in data:
        return f"{key} (in {path})"
    return key
