"""Fuzz: corrupt config and theme files (random bytes, random TOML of wrong types, unknown
keys, huge values). Settings load or fail with one ConfigError line naming the file; a bad
theme file is skipped with one problem line naming it and the good themes still load; a theme
that loads is one Textual can use (every value tokenises as CSS). Nothing is written."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from textual.css.tokenize import tokenize_values

from tui_market import paths
from tui_market.errors import ConfigError
from tui_market.settings import Settings, load_settings
from tui_market.tui.themes import load_themes

SETTING_KEYS = [
    "mongodb_uri",
    "database",
    "data_dir",
    "provider",
    "interval",
    "watchlist",
    "tv_ws_url",
    "tv_username",
    "tv_password",
    "theme",
    "sync_every_minutes",
    "demo",
    "log_level",
]
THEME_KEYS = ["name", "primary", "secondary", "accent", "background", "dark", "variables"]
COLOURS = ["#00aa00", "#fff", "red", "rgb(1,2,3)", "hsl(10,50%,50%)", "ansi_red", "nope", ""]
NASTY_TEXT = [
    "~nosuchuser_zz/x",
    "((",
    '"',
    "url(x)",
    "a:b",
    "$x",
    "[/]",
    "1h",
    "mongodb://x",
    "ws://",
    "\x00",
    "x" * 5000,
    "NASDAQ:AAPL",
    "nasdaq:aapl,",
    ";",
    "{",
    "#",
]

text = st.text(max_size=20) | st.sampled_from(NASTY_TEXT)
scalar = st.one_of(
    text,
    st.integers(-(10**30), 10**30),
    st.sampled_from([10**400, 2**63]),
    st.floats(),
    st.booleans(),
)
value = st.recursive(
    scalar,
    lambda c: (
        st.lists(c, max_size=3)
        | st.dictionaries(st.text(max_size=8) | st.sampled_from(THEME_KEYS), c, max_size=3)
    ),
    max_leaves=6,
)


def toml_value(v: Any) -> str:
    """``v`` as a TOML value (strings JSON-escaped: a lone surrogate makes invalid TOML)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return "nan" if math.isnan(v) else repr(v)  # inf, -inf are TOML too
    if isinstance(v, int):
        return str(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(x)}" for k, x in v.items()) + "}"
    return json.dumps(v)


def toml_doc(keys: list[str]) -> st.SearchStrategy[bytes]:
    table = st.dictionaries(st.sampled_from(keys) | st.text(max_size=10), value, max_size=6)
    return table.map(
        lambda d: "\n".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in d.items()).encode(
            "utf-8", "replace"
        )
    )


def tree(root: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


FUZZ = settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(st.binary(max_size=200) | toml_doc(SETTING_KEYS))
@example(b'data_dir = "~nosuchuser_zz/x"')  # RuntimeError from Path.expanduser, uncaught
@example(b"sync_every_minutes = " + b"9" * 400)
@example(b"sync_every_minutes = " + b"9" * 5000)  # tomllib raises ValueError, not its own
@example(b'database = "' + b"x" * 5000 + b'"')
def test_corrupt_config_file_loads_or_fails_with_one_line(isolated_dirs: Path, raw: bytes) -> None:
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw)
    before = tree(isolated_dirs)
    try:
        loaded = load_settings()
    except ConfigError as exc:
        message = str(exc)
        assert "\n" not in message and str(path) in message, message
        parts = max(1, message.count(str(path)))  # each bad key's part names the file
        assert len(message.replace(str(path), "")) <= 200 * parts, message[:300]
    else:
        assert isinstance(loaded, Settings)
    assert tree(isolated_dirs) == before  # nothing written, nothing created


@FUZZ
@given(
    st.binary(max_size=200)
    | toml_doc(THEME_KEYS)
    | st.fixed_dictionaries(
        {"name": st.just("fuzz"), "primary": st.sampled_from(COLOURS)},
        optional={k: st.sampled_from(COLOURS) | value for k in THEME_KEYS[2:]},
    ).map(lambda d: "\n".join(f"{k} = {toml_value(v)}" for k, v in d.items()).encode())
)
@example(b'name = "fuzz"\nprimary = "#fff"\n[variables]\nmy-var = "(("')  # crashed the app
@example(b'name = "fuzz"\nprimary = "#fff"\n[variables]\nmy-var = "url(x)"')
@example(b'name = "fuzz"\nprimary = "#fff"\ndark = ' + b"1" * 5000)  # named no file
@example(b'"\\n" = ""')  # a key with a line break broke the one-line problem
def test_corrupt_theme_file_is_skipped_with_its_name(isolated_dirs: Path, raw: bytes) -> None:
    folder = isolated_dirs / "themes-fuzz"
    folder.mkdir(exist_ok=True)
    (folder / "fuzz.toml").write_bytes(raw)
    before = tree(isolated_dirs)
    found = load_themes(folder)
    assert {"market-dark", "market-light", "market-contrast"} <= {t.name for t in found.themes}
    for problem in found.problems:
        assert problem.startswith(f"{folder}/fuzz.toml: ") and "\n" not in problem
    for theme in found.themes:  # what Textual does with the values at a theme switch
        tokenize_values({k: v for k, v in theme.variables.items() if isinstance(v, str)})
    assert len(found.themes) + len(found.problems) == 4
    assert tree(isolated_dirs) == before


@pytest.mark.parametrize("value", ["((", '"', "url(x)", "a:b", "#"])
def test_theme_variable_textual_cannot_parse_is_refused(tmp_path: Path, value: str) -> None:
    (tmp_path / "t.toml").write_text(
        f'name = "t"\nprimary = "#fff"\n[variables]\nmy-var = {json.dumps(value)}\n'
    )
    found = load_themes(tmp_path)
    assert "t" not in {t.name for t in found.themes}
    assert found.problems == [
        f"{tmp_path}/t.toml: variables: variable 'my-var': {value!r} is not a CSS value"
    ]
