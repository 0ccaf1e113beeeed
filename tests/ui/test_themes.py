"""Themes: built-in files, user files (good and malformed), defaults for our variables, and the
persisted choice, through the real app."""

from __future__ import annotations

import pytest
from textual.color import Color

from tests.ui.conftest import app_for, demo_settings, runtime_for, settle
from tui_market import paths
from tui_market.infrastructure.database import Database
from tui_market.runtime import Runtime
from tui_market.tui.theme_state import saved_theme
from tui_market.tui.themes import (
    DEFAULT_THEME,
    VARIABLE_DEFAULTS,
    builtin_theme_files,
    load_themes,
    parse_theme,
)

GOOD_USER_THEME = """
name = "my-green"
primary = "#00aa00"
dark = true
"""
BROKEN_COLOUR = """
name = "broken"
primary = "#00aa00"
[variables]
price-up = "not-a-colour"
"""


def notifications(app: object) -> list[str]:
    return [n.message for n in app._notifications]  # type: ignore[attr-defined]


def test_builtin_themes_all_load_with_our_variables() -> None:
    assert {f.name for f in builtin_theme_files()} >= {
        "market-dark.toml",
        "market-light.toml",
        "market-contrast.toml",
    }
    found = load_themes()
    assert found.problems == []
    themes = {t.name: t for t in found.themes}
    assert not themes["market-light"].dark
    for theme in themes.values():
        assert set(VARIABLE_DEFAULTS) <= set(theme.variables)


def test_high_contrast_theme_uses_blue_up_and_orange_down() -> None:
    theme = {t.name: t for t in load_themes().themes}["market-contrast"]
    up = Color.parse(theme.variables["price-up"])
    down = Color.parse(theme.variables["price-down"])
    assert up.b > up.r and up.b > up.g * 0.8  # blue
    assert down.r > down.b and down.g > down.b  # orange: red + green, little blue
    assert theme.variables["candle-up"] == theme.variables["price-up"]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('name = "x"\nprimary = "nope"', "primary: 'nope' is not a colour"),
        ('name = "x"', "primary: Field required"),
        ('name = "Bad Name"\nprimary = "#fff"', "name: 'Bad Name'"),
        ('name = "x"\nprimary = "#fff"\ncolour = "#fff"', "colour: Extra inputs are not permitted"),
        ('name = "x"\nprimary =', "invalid TOML"),
        (BROKEN_COLOUR, "variable 'price-up'"),
    ],
)
def test_malformed_theme_text_is_rejected_with_the_reason(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=r"^themes/x\.toml: ") as caught:
        parse_theme(text, "themes/x.toml")
    assert problem in str(caught.value)


async def test_malformed_user_theme_is_skipped_with_a_warning_naming_the_file(
    runtime: Runtime,
) -> None:
    folder = paths.themes_dir()
    folder.mkdir(parents=True)
    (folder / "broken.toml").write_text(BROKEN_COLOUR)
    (folder / "my-green.toml").write_text(GOOD_USER_THEME)
    (folder / "binary.toml").write_bytes(b"\xff\xfe\x00junk")
    app = app_for(runtime, live=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        warning = "\n".join(notifications(app))
        assert "broken.toml" in warning and "variable 'price-up'" in warning
        assert "binary.toml" in warning
        assert "my-green" in app.available_themes and "broken" not in app.available_themes
        assert app.theme == DEFAULT_THEME
        app.theme = "my-green"  # a user theme without our variables gets the defaults
        await pilot.pause()
        assert app.theme_variables["price-up"] == VARIABLE_DEFAULTS["price-up"]


async def test_chosen_theme_is_saved_and_used_next_time(database: Database) -> None:
    runtime = runtime_for(demo_settings(), database)
    app = app_for(runtime, live=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert app.theme == DEFAULT_THEME
        app.theme = "market-contrast"
        await pilot.pause()
    assert saved_theme() == "market-contrast"
    again = app_for(runtime, live=False)
    async with again.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert again.theme == "market-contrast"
    pinned = app_for(runtime_for(demo_settings(theme="market-light"), database), live=False)
    async with pinned.run_test(size=(120, 36)) as pilot:  # a configured theme wins
        await settle(pilot)
        assert pinned.theme == "market-light"
