"""Desktop notifications (``desktop-notifier``) where the desktop has a notification service.

On Linux that needs a graphical session and a D-Bus session bus; without them (a server, a
container, ssh) notices are off, said once in the log, and ``send`` does nothing. The library
is imported only when a notice is first sent. It logs (does not raise) a failed delivery.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from typing import Any

log = logging.getLogger(__name__)


def why_off(env: Mapping[str, str] = os.environ, platform: str = sys.platform) -> str:
    """Why this machine cannot show desktop notices ("" when it can)."""
    if platform in ("darwin", "win32"):
        return ""
    if not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
        return "no graphical session (DISPLAY and WAYLAND_DISPLAY are unset)"
    runtime = env.get("XDG_RUNTIME_DIR", "")
    if not env.get("DBUS_SESSION_BUS_ADDRESS") and not (
        runtime and os.path.exists(os.path.join(runtime, "bus"))
    ):
        return "no D-Bus session bus"
    return ""


class DesktopNotices:
    def __init__(self, app_name: str = "tui-market", *, off_reason: str | None = None) -> None:
        self.app_name = app_name
        self._reason = why_off() if off_reason is None else off_reason
        self._notifier: Any = None
        self._said = False
        if self._reason:
            log.info("desktop notifications off: %s", self._reason)
            self._said = True

    @property
    def available(self) -> bool:
        return not self._reason

    async def send(self, title: str, text: str) -> bool:
        """Show a notice; False (and one log line, the first time) when the desktop has none."""
        if self._reason:
            if not self._said:
                self._said = True
                log.info("desktop notifications off: %s", self._reason)
            return False
        if self._notifier is None:
            try:
                from desktop_notifier import DesktopNotifier
            except ImportError as exc:
                self._reason = f"desktop-notifier cannot be loaded ({exc})"
                return await self.send(title, text)
            self._notifier = DesktopNotifier(app_name=self.app_name)
        await self._notifier.send(title=title, message=text)
        return True
