"""Start the embedded server in a thread while the TUI's slow imports run (start-up time).

``EarlyServer.start(settings)`` (None when a URI is configured) begins ``acquire()`` at once;
``open_runtime(settings, early=...)`` then waits for it instead of starting one itself. If the
runtime is never opened, ``abandon()`` releases the server.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor

from tui_market.errors import DatabaseUnavailable
from tui_market.infrastructure.embedded import EmbeddedServer
from tui_market.settings import Settings

log = logging.getLogger(__name__)


class EarlyServer:
    """``acquire()`` of the data dir's embedded server, running in a thread."""

    def __init__(self, settings: Settings) -> None:
        self.server = EmbeddedServer(settings.data_dir)
        self.data_dir = settings.data_dir
        pool = ThreadPoolExecutor(1, thread_name_prefix="embedded-start")
        self.uri: Future[str] = pool.submit(self.server.acquire)
        pool.shutdown(wait=False)

    @classmethod
    def start(cls, settings: Settings) -> EarlyServer | None:
        return None if settings.mongodb_uri is not None else cls(settings)

    def abandon(self) -> None:
        try:
            self.uri.result()
        except (OSError, DatabaseUnavailable) as exc:
            log.info("early embedded server start had failed: %s", exc)
            return
        self.server.release()
