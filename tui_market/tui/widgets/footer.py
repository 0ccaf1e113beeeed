"""A Footer that rebuilds its keys only when the bindings it would show have changed.

Textual's ``Footer`` recomposes (removes and mounts every key, each re-styled) on every
bindings update of its screen: a focus change, a screen's stack update, any
``refresh_bindings()``, with no coalescing. Opening History published four of them, most with
the same bindings, and each slow rebuild ran between the first frame with candles and the
next. ``BindingsFooter`` keeps the keys when nothing they show changed.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Footer


class BindingsFooter(Footer):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._shown: object = None  # what the keys were built from (None: not built yet)

    def _showing(self) -> object:
        """Everything ``Footer.compose`` builds the keys from."""
        active = self.screen.active_bindings.values()
        return (
            tuple((binding, enabled, tooltip) for _, binding, enabled, tooltip in active),
            self.show_command_palette,
            self.app.ENABLE_COMMAND_PALETTE,
            self.compact,
        )

    async def recompose(self) -> None:
        if not self.is_attached:
            return
        showing = self._showing()
        if showing == self._shown:
            return
        self._shown = showing
        await super().recompose()
