"""Corrupt user theme files through the real app: each is named in the start-up warning, and
switching through every theme that did load never ends the app."""

from __future__ import annotations

from tests.ui.conftest import app_for, settle
from tui_market import paths
from tui_market.runtime import Runtime

BAD = {
    "paren.toml": b'name = "paren"\nprimary = "#fff"\n[variables]\nmy-var = "(("\n',
    "url.toml": b'name = "url"\nprimary = "#fff"\n[variables]\nmy-var = "url(x)"\n',
    "digits.toml": b'name = "digits"\nprimary = "#fff"\ndark = ' + b"1" * 5000 + b"\n",
    "bytes.toml": bytes(range(256)),
    "types.toml": b'name = 5\nprimary = ["#fff"]\nvariables = "x"\n',
}


async def test_corrupt_user_themes_are_named_and_never_end_the_app(runtime: Runtime) -> None:
    folder = paths.themes_dir()
    folder.mkdir(parents=True)
    for name, raw in BAD.items():
        (folder / name).write_bytes(raw)
    (folder / "fine.toml").write_bytes(
        b'name = "fine"\nprimary = "#00aa00"\n[variables]\nmy-var = "1 2"\n'
    )
    app = app_for(runtime, live=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        warning = "\n".join(n.message for n in app._notifications)
        for name in BAD:
            assert f"{folder}/{name}: " in warning, name
        assert "fine" in app.available_themes
        assert not {"paren", "url", "digits"} & set(app.available_themes)
        for theme in sorted(app.available_themes):
            app.theme = theme
            await pilot.pause()
            assert app.is_running, theme
        await pilot.press("q")
