"""Start the embedded server before the TUI's slow imports (start-up time).

The server takes about a second to answer (its own imports, then opening its storage), longer
than the TUI's own imports. So ``tui-market`` (``tui_market/__main__``) first loads the
settings and calls ``EarlyServer.begin(data_dir)`` with their data dir, before the CLI and the
TUI are imported; ``acquire()`` runs in a thread (this module and
``embedded`` import no third-party package: the server process is spawned at once). With the
settings loaded, ``EarlyServer.start(settings)`` hands the TUI that server when it is the one
the settings ask for; otherwise it releases it and begins the right one. ``open_runtime(...,
early=...)`` waits for it instead of starting one itself. A server begun and never claimed (a
headless command, an error) is released at exit; ``abandon()`` releases one not used.
"""

from __future__ import annotations

import atexit
import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from tui_market.errors import DatabaseUnavailable
from tui_market.infrastructure.embedded import EmbeddedServer

if TYPE_CHECKING:
    from tui_market.settings import Settings

log = logging.getLogger(__name__)


class EarlyServer:
    """``acquire()`` of the data dir's embedded server, running in a thread."""

    _begun: ClassVar[EarlyServer | None] = None  # begun before the settings, not yet claimed

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.server = EmbeddedServer(self.data_dir)
        pool = ThreadPoolExecutor(1, thread_name_prefix="embedded-start")
        self.uri: Future[str] = pool.submit(self.server.acquire)
        pool.shutdown(wait=False)

    @classmethod
    def begin(cls, data_dir: Path) -> EarlyServer:
        """Start acquiring now, before the settings are known; ``start`` claims it."""
        if cls._begun is None:
            atexit.register(cls._release_unclaimed)
        else:
            cls._begun.abandon()
        early = cls._begun = cls(data_dir)
        return early

    @classmethod
    def start(cls, settings: Settings) -> EarlyServer | None:
        """The server for ``settings`` (None when a URI is configured): the one begun early if
        it is for the same data dir, else one started now."""
        begun, cls._begun = cls._begun, None
        wanted = settings.mongodb_uri is None
        if begun is not None:
            if wanted and begun.data_dir == settings.data_dir:
                return begun
            log.info(
                "early embedded server for %s not wanted (settings: %s); releasing it",
                begun.data_dir,
                settings.data_dir if wanted else "a MongoDB URI",
            )
            threading.Thread(target=begun.abandon, name="embedded-abandon").start()
        return cls(settings.data_dir) if wanted else None

    @classmethod
    def _release_unclaimed(cls) -> None:
        begun, cls._begun = cls._begun, None
        if begun is not None:
            begun.abandon()

    def abandon(self) -> None:
        try:
            self.uri.result()
        except (OSError, DatabaseUnavailable) as exc:
            log.info("early embedded server start had failed: %s", exc)
            return
        self.server.release()
