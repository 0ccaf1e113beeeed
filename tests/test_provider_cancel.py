"""Quitting while a history fetch hangs: the cancelled fetch must not hold the process.

A listener on 127.0.0.1 accepts the websocket's TCP connection and never answers (kept open
for the whole test, so nothing ends the fetch early). The fetch is cancelled as the app does on
quit; ``asyncio.run`` must return at once, not at the fetch's 20 s deadline (with
``asyncio.to_thread`` it joined the default executor's thread and waited for it).
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from tui_market.models import Interval
from tui_market.providers.tradingview.history import TradingViewProvider

DEADLINE = 20.0  # the provider's timeout: what a quit would have waited for


@pytest.fixture
def silent_listener() -> Iterator[int]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield int(listener.getsockname()[1])
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


def test_a_cancelled_fetch_does_not_hold_the_exit(silent_listener: int) -> None:
    provider = TradingViewProvider(
        ws_url=f"ws://127.0.0.1:{silent_listener}/socket.io/websocket", timeout=DEADLINE
    )
    started: list[float] = []

    async def main() -> None:
        fetch = asyncio.create_task(provider.fetch_ohlcv("NASDAQ:AAPL", "NASDAQ", Interval.D1, 5))
        await asyncio.sleep(0.5)
        assert not fetch.done()  # it really hangs
        fetch.cancel()
        with pytest.raises(asyncio.CancelledError):
            await fetch
        started.append(time.monotonic())

    asyncio.run(main())
    waited = time.monotonic() - started[0]
    assert waited < DEADLINE / 2, f"asyncio.run waited {waited:.1f} s for the cancelled fetch"
