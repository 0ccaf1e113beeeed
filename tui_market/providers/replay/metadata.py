"""The demo symbols' metadata (``tui_market/data/symbols.json``), as TradingView sent it in the
captures, gaps filled and listed under ``assumed`` (``tools/build_symbol_meta.py``)."""

from __future__ import annotations

import json
import logging
from functools import cache
from importlib import resources
from typing import Any

from tui_market.errors import ProviderError

log = logging.getLogger(__name__)


@cache
def demo_metadata() -> dict[str, dict[str, Any]]:
    path = resources.files("tui_market") / "data" / "symbols.json"
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.error("cannot read the demo metadata %s: %s", path, exc)
        raise ProviderError(f"demo metadata {path} is unreadable: {exc}") from exc
    if not isinstance(loaded, dict):
        raise ProviderError(f"demo metadata {path} is not an object")
    return loaded
