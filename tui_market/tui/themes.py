"""Colour themes: the built-in TOML files shipped in ``tui_market/themes`` plus user files.

A theme file holds Textual's theme colours and our own variables (``price-up``,
``price-down``, ``flash-up``, ...). Each file is validated with pydantic; a malformed file is
skipped and reported (file name and problem), never fatal. User files in
``paths.themes_dir()`` may override a built-in theme of the same name.

The chosen theme is saved by ``theme_state``; a theme named in the settings (``theme`` in
config.toml, ``TUI_MARKET_THEME``) takes precedence over it.
"""

from __future__ import annotations

import logging
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError, field_validator
from textual.app import App
from textual.color import Color, ColorParseError
from textual.css.tokenize import tokenize_values
from textual.css.tokenizer import TokenError
from textual.theme import Theme

from tui_market import paths
from tui_market.tui.theme_state import saved_theme

log = logging.getLogger(__name__)

DEFAULT_THEME = "market-dark"
# Our own CSS variables; a theme that leaves some out still loads with these.
VARIABLE_DEFAULTS: dict[str, str] = {
    "price-up": "#3DD68C",
    "price-down": "#FF6369",
    "price-flat": "#8B98A8",
    "flash-up": "#1C4A33",
    "flash-down": "#5A1D22",
    "candle-up": "#3DD68C",
    "candle-down": "#FF6369",
    "indicator-1": "#F5C542",  # chart indicator lines, in the order they were chosen
    "indicator-2": "#5AB0FF",
    "indicator-3": "#C58AF9",
    "indicator-4": "#FF9F43",
}
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
_VARIABLE = re.compile(r"[a-z][a-z0-9-]{0,59}")


def _colour(value: str) -> str:
    try:
        Color.parse(value)
    except ColorParseError as exc:
        raise ValueError(f"{value!r} is not a colour (use e.g. #3DD68C)") from exc
    return value


Colour = Annotated[str, AfterValidator(_colour)]


def _css_value(text: str) -> bool:
    """Would Textual's CSS accept ``text`` as a variable's value? (It raises TokenError at the
    theme switch, ending the app, for e.g. ``((`` or ``url(x)``.)"""
    if not text.strip() or any(c in text for c in ";{}"):
        return False
    try:
        tokenize_values({"value": text})
    except TokenError as exc:
        log.debug("not a CSS value %r: %s", text, exc)
        return False
    return True


class ThemeFile(BaseModel):
    """The contents of one theme file."""

    model_config = ConfigDict(extra="forbid")

    name: str
    primary: Colour
    secondary: Colour | None = None
    accent: Colour | None = None
    warning: Colour | None = None
    error: Colour | None = None
    success: Colour | None = None
    foreground: Colour | None = None
    background: Colour | None = None
    surface: Colour | None = None
    panel: Colour | None = None
    boost: Colour | None = None
    dark: bool = True
    variables: dict[str, str] = {}

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        if not _NAME.fullmatch(value):
            raise ValueError(f"{value!r}: use lower-case letters, digits, '-' and '_'")
        return value

    @field_validator("variables")
    @classmethod
    def _check_variables(cls, value: dict[str, str]) -> dict[str, str]:
        for key, text in value.items():
            if not _VARIABLE.fullmatch(key):
                raise ValueError(f"variable name {key!r} is not valid")
            if key in VARIABLE_DEFAULTS:
                try:
                    _colour(text)
                except ValueError as exc:
                    raise ValueError(f"variable {key!r}: {exc}") from exc
            elif not _css_value(text):
                raise ValueError(f"variable {key!r}: {text!r} is not a CSS value")
        return value

    def to_theme(self) -> Theme:
        return Theme(**self.model_dump())


@dataclass
class ThemeLoad:
    """What loading found: good themes (in load order) and one line per bad file."""

    themes: list[Theme] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _shown(part: object) -> str:  # a key in a problem line: quoted if not plain ("\n")
    return str(part) if str(part).isprintable() else repr(str(part))


def parse_theme(text: str, source: str) -> Theme:
    """Parse one theme file's text; raises ValueError naming ``source`` and the problem."""
    try:
        data = tomllib.loads(text)
    except ValueError as exc:  # TOMLDecodeError, or tomllib's int() over 4300 digits
        raise ValueError(f"{source}: invalid TOML: {exc}") from exc
    try:
        return ThemeFile.model_validate(data).to_theme()
    except ValidationError as exc:
        details = "; ".join(
            f"{'.'.join(_shown(p) for p in err['loc']) or 'file'}: "
            f"{err['msg'].removeprefix('Value error, ')}"
            for err in exc.errors()
        )
        raise ValueError(f"{source}: {details}") from exc


def _load_dir(files: list[Traversable], label: str, found: ThemeLoad) -> None:
    for item in sorted(files, key=lambda f: f.name):
        source = f"{label}/{item.name}"
        try:
            text = item.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            problem = f"{source}: not UTF-8 text ({exc.reason} at byte {exc.start})"
        except OSError as exc:
            problem = f"{source}: cannot read it ({exc.strerror or exc})"
        else:
            try:
                found.themes.append(parse_theme(text, source))
                continue
            except ValueError as exc:
                problem = str(exc)
        log.warning("theme file skipped: %s", problem)
        found.problems.append(problem)


def builtin_theme_files() -> list[Traversable]:
    folder = resources.files("tui_market") / "themes"
    return [f for f in folder.iterdir() if f.name.endswith(".toml")]


def load_themes(user_dir: Path | None = None) -> ThemeLoad:
    """Built-in themes, then the user's (``paths.themes_dir()`` unless given)."""
    found = ThemeLoad()
    _load_dir(builtin_theme_files(), "built-in themes", found)
    folder = user_dir if user_dir is not None else paths.themes_dir()
    if folder.is_dir():
        _load_dir([p for p in folder.iterdir() if p.suffix == ".toml"], str(folder), found)
    return found


def install_themes(app: App[Any], configured: str | None) -> tuple[list[str], str]:
    """Register every loadable theme on ``app``; returns (problems, theme to start with).

    The start theme: the configured one, else the one saved last time, else the default.
    """
    found = load_themes()
    for theme in found.themes:
        app.register_theme(theme)
    problems = list(found.problems)
    for name in (configured, saved_theme()):
        if name is None:
            continue
        if name in app.available_themes:
            return problems, name
        problems.append(f"theme {name!r} is not installed; using {DEFAULT_THEME}")
        log.warning("theme %r is not installed", name)
    return problems, DEFAULT_THEME
