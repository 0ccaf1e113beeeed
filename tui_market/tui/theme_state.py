"""The theme chosen in a previous session: ``<config dir>/state.json`` (``{"theme": name}``)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from tui_market import paths

log = logging.getLogger(__name__)
STATE_FILE = "state.json"


def _state_path() -> Path:
    return paths.config_dir() / STATE_FILE


def saved_theme() -> str | None:
    """The theme chosen in a previous session, if any."""
    try:
        data = json.loads(_state_path().read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("cannot read %s: %s", _state_path(), exc)
        return None
    theme = data.get("theme") if isinstance(data, dict) else None
    return theme if isinstance(theme, str) else None


def save_theme(name: str) -> None:
    """Remember ``name`` for the next start (best effort: a failure is logged)."""
    path = _state_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        if not isinstance(data, dict):
            data = {}
        data["theme"] = name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    except (OSError, ValueError) as exc:
        log.warning("cannot save the theme choice to %s: %s", path, exc)
