"""Value types of the settings, each with its parsing and a message that says what is wrong.

Used as field annotations in ``tui_market.settings``; the messages end up in ``ConfigError``
after the name of the key (``--interval: unknown interval '7h': use one of ...``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, SecretStr
from pydantic_settings import NoDecode

from tui_market.models import Interval, InvalidSymbol, SymbolRef


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _mongodb_uri(value: str | None) -> str | None:
    if value is not None and not value.startswith(("mongodb://", "mongodb+srv://")):
        raise ValueError("must start with mongodb:// or mongodb+srv://")
    return value


def _database_name(value: str) -> str:
    if not value or set('/\\. "$') & set(value) or len(value) > 63:
        raise ValueError(f"{value!r} is not a valid MongoDB database name")
    return value


def _expand_user(path: Path) -> Path:
    try:
        return path.expanduser()
    except RuntimeError as exc:  # "~nosuchuser/...": pydantic would let a RuntimeError through
        raise ValueError(f"cannot expand {str(path)[:60]!r}: {exc}") from exc


def _interval(value: Any) -> Any:
    return Interval.parse(value) if isinstance(value, str) else value


def _split(value: Any) -> Any:
    """A list from env/CLI text: JSON (``["A:B"]``) or comma-separated (``A:B, C:D``)."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return json.loads(text)
        return [part for part in text.split(",") if part.strip()]
    return value


def _symbols(value: list[str]) -> list[str]:
    """Each entry parsed with ``SymbolRef.parse``; normalised, duplicates dropped, in order."""
    seen: dict[str, None] = {}
    for text in value:
        try:
            seen[SymbolRef.parse(text).full] = None
        except InvalidSymbol as exc:
            raise ValueError(str(exc)) from exc
    return list(seen)


def _ws_url(value: str | None) -> str | None:
    if value is not None and not value.startswith(("ws://", "wss://")):
        raise ValueError("must start with ws:// or wss://")
    return value


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


MongoUri = Annotated[str | None, BeforeValidator(_blank_is_none), AfterValidator(_mongodb_uri)]
DatabaseName = Annotated[str, AfterValidator(_database_name)]
DataDir = Annotated[Path, AfterValidator(_expand_user)]
IntervalSetting = Annotated[Interval, BeforeValidator(_interval)]
Watchlist = Annotated[list[str], NoDecode, BeforeValidator(_split), AfterValidator(_symbols)]
WsUrl = Annotated[str | None, BeforeValidator(_blank_is_none), AfterValidator(_ws_url)]
Secret = Annotated[SecretStr | None, BeforeValidator(_blank_is_none)]
OptionalName = Annotated[str | None, BeforeValidator(_blank_is_none)]
LogLevel = Annotated[Literal["DEBUG", "INFO", "WARNING", "ERROR"], BeforeValidator(_upper)]
