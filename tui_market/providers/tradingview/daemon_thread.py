"""Blocking provider calls (tvDatafeed) in daemon threads, so cancelling one ends it for us.

``asyncio.to_thread`` runs in the loop's default executor, whose threads ``asyncio.run`` joins
at exit: quitting during a history fetch that hangs waited for the fetch's own deadline (10 s
and more). A daemon thread is never joined: a cancelled call is abandoned (its socket still
closes at its deadline) and the app exits at once.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


async def in_daemon_thread(fn: Callable[..., T], *args: object, name: str = "provider") -> T:
    """``await`` ``fn(*args)`` run in a new daemon thread."""
    done: Future[T] = Future()

    def run() -> None:
        if not done.set_running_or_notify_cancel():
            return
        try:
            done.set_result(fn(*args))
        except Exception as exc:  # noqa: BLE001 - handed to the awaiting task, which logs it
            log.debug("%s thread raised %r (re-raised in the caller)", name, exc)
            done.set_exception(exc)

    threading.Thread(target=run, name=name, daemon=True).start()
    return await asyncio.wrap_future(done)
