"""Desktop notices: on a machine without a graphical session they are off, said once in the
log, and sending does nothing (no error, no traceback)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tui_market.infrastructure.desktop_notices import DesktopNotices, why_off


def test_why_off_names_what_is_missing(tmp_path: Path) -> None:
    runtime = {"XDG_RUNTIME_DIR": str(tmp_path)}
    assert "no graphical session" in why_off({}, "linux")
    assert why_off({"DISPLAY": ":0", **runtime}, "linux") == "no D-Bus session bus"
    (tmp_path / "bus").touch()  # the user's session bus socket
    assert why_off({"WAYLAND_DISPLAY": "wayland-0", **runtime}, "linux") == ""
    assert why_off({"DISPLAY": ":0", "DBUS_SESSION_BUS_ADDRESS": "unix:path=/x"}, "linux") == ""
    assert why_off({}, "darwin") == "" and why_off({}, "win32") == ""


async def test_headless_sends_nothing_and_says_so_once(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="tui_market.infrastructure.desktop_notices"):
        notices = DesktopNotices(off_reason=why_off({}, "linux"))
        assert not notices.available
        for _ in range(3):
            assert await notices.send("tui-market alert", "NASDAQ:AAPL crosses above 200") is False
    said = [r.getMessage() for r in caplog.records if "desktop notifications off" in r.getMessage()]
    assert said == [
        "desktop notifications off: no graphical session (DISPLAY and WAYLAND_DISPLAY are unset)"
    ]
