"""Security through the real app: text from config and theme files is shown as plain text.

Notifications quote config values and theme-file problems; with Textual's default markup a
theme named ``[/]`` raised MarkupError and ended the app, and ``[@click=app.quit]...``
became a live action link. Here toasts are really rendered (``notifications=True``), and
a theme that loaded with Python-looking text in a CSS variable is switched to.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets._toast import Toast

from tests.ui.conftest import demo_settings, runtime_for, settle, until
from tui_market import paths
from tui_market.infrastructure.database import Database
from tui_market.tui.app import make_app

MARKUP = ["[/]", "[@click=app.quit]boom[/]", "[b]bold[/b]"]


@pytest.mark.parametrize("name", MARKUP)
async def test_config_and_theme_text_is_never_markup(
    database: Database,
    tmp_path: Path,
    name: str,
) -> None:
    canary = tmp_path / "canary"
    canary.mkdir()
    themes = paths.themes_dir()
    themes.mkdir(parents=True)
    (themes / "bad.toml").write_text(f'name = "bad"\nprimary = {json.dumps(name)}\n')
    payload = "__import__ os"  # Python-looking words the CSS tokenizer accepts: kept as text
    (themes / "odd.toml").write_text(
        f'name = "odd"\nprimary = "#00aa00"\n[variables]\nmy-var = {json.dumps(payload)}\n'
    )
    settings = demo_settings(theme=name)
    app = make_app(settings, runtime_for(settings, database), live=False)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await settle(pilot)
        await until(pilot, lambda: bool(app.screen.query(Toast)), what="the theme warnings")
        toasts = list(app.screen.query(Toast))
        assert toasts and app.is_running
        shown = "\n".join(toast.render().plain for toast in toasts)
        assert f"theme {name!r} is not installed" in shown  # the text as written
        assert f"'{name}' is not a colour" in shown  # the theme file's value, quoted
        for toast in toasts:
            assert not [s for s in toast.render().spans if "@click" in str(s.style)]
        assert app.get_theme("odd").variables["my-var"] == payload  # type: ignore[union-attr]
        for theme in ("odd", "market-light", "market-dark"):
            app.theme = theme
            await pilot.pause()
            assert app.is_running, theme
        await pilot.press("q")
    assert app.return_code == 0
    assert list(canary.iterdir()) == []
