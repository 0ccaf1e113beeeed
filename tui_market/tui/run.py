"""``run_tui``: the app on a terminal, with the runtime opened beside it and released on quit."""

from __future__ import annotations

import asyncio
import logging
import sys

from tui_market.errors import MarketError
from tui_market.infrastructure.early_server import EarlyServer
from tui_market.runtime import open_runtime
from tui_market.settings import Settings
from tui_market.tui.app import RuntimeReady, make_app

log = logging.getLogger(__name__)


async def _run(settings: Settings, early: EarlyServer | None) -> None:
    """The first screen is mounted and painted while the database starts; the runtime is
    handed over when it is open (``RuntimeReady``)."""
    app = make_app(settings, None)
    ui = asyncio.create_task(app.run_async(), name="tui")
    try:
        async with open_runtime(settings, early=early) as runtime:
            if not ui.done():
                app.post_message(RuntimeReady(runtime))
            await ui
    except BaseException:
        if not ui.done():
            app.exit()
        await asyncio.wait([ui])
        raise


def run_tui(settings: Settings, early: EarlyServer | None = None) -> None:
    """Open the runtime, run the app, release everything (the embedded server too) on quit.

    ``early``: the embedded server already starting (``EarlyServer.start``), to use."""
    try:
        asyncio.run(_run(settings, early))
    except MarketError as exc:
        log.error("tui-market cannot start: %s", exc)
        print(f"tui-market: {exc}", file=sys.stderr)
        raise SystemExit(1) from exc
