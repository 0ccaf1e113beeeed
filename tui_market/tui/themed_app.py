"""Themes on the app (built-in and user files, the choice remembered) and plain notifications."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.notifications import SeverityLevel

from tui_market.tui.theme_state import save_theme
from tui_market.tui.themes import VARIABLE_DEFAULTS, install_themes


class ThemedApp(App[Any]):
    """Mixed into MarketApp: ``setup_themes`` in ``__init__``, ``themes_started`` at mount."""

    theme_problems: list[str]
    _chosen_theme: str
    _themes_started = False

    def setup_themes(self, configured: str | None) -> None:
        self.theme_problems, self._chosen_theme = install_themes(self, configured)
        # The chosen theme before the first CSS parse (setting it at mount parsed it twice).
        self.set_reactive(App.theme, self._chosen_theme)
        self._watch_theme(self._chosen_theme)

    def themes_started(self) -> None:
        """At mount, once the first screen is up: report bad theme files; from now on a
        theme chosen is remembered for the next start."""
        if self.theme_problems:
            self.notify(
                "\n".join(self.theme_problems),
                title="Theme files skipped",
                severity="warning",
                timeout=15,
            )
        self._themes_started = True

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(VARIABLE_DEFAULTS)

    def watch_theme(self, name: str) -> None:
        if self._themes_started and name != self._chosen_theme:
            self._chosen_theme = name
            save_theme(name)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Always plain text: notices quote config values, file names and server messages
        (a theme named ``[/]`` ended the app; ``[@click=app.quit]`` became a live link)."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)
