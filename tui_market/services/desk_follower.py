"""DeskFollower: a terminal's live feed read from the database instead of TradingView.

It stands where ``QuoteService`` stands (the TUI's live worker, ``watch --follow``): ``run``,
``snapshot``, ``set_symbols``, ``set_references``, ``close``. It opens no TradingView
connection: the quotes, forming bars, closed bars and the ingester's heartbeat come from one
change stream over the desk's collections (``DeskChanges``) into a ``DeskBook``.

When the stream fails (the database went away) it is opened again from its resume token, and
every (re)open is followed by a catch-up read (``ReadDesk``): the heartbeat, the live documents,
and the bars stored after the newest one held per series. The stream is opened first, so what
is written during the read is in the stream too; applying a document twice changes nothing.

On the embedded server a token is not trusted across a restart of the server process (its
``topologyVersion.processId`` changed): after a crash secantus numbers its oplog again from
the last journaled entry, and a token minted from a lost (unjournaled) entry silently skips as
many new ones. The stream is then opened afresh, and the catch-up read fills the gap. The
driver may resume a stream by itself after a failure; when the server it reaches is a new
process, the stream is reopened all the same. A token the server refuses (history gone) is
dropped in the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from pymongo.errors import OperationFailure, PyMongoError

from tui_market.infrastructure.database import Database
from tui_market.managers.desk_book import DeskBook
from tui_market.models import FeedState, FeedStatus, Interval
from tui_market.models.desk import IngesterState
from tui_market.models.live import LiveEvent, LiveSnapshot, SymbolQuote
from tui_market.models.symbol_info import SymbolInfo
from tui_market.queries.desk_changes import (
    DeskChanges,
    ReadDesk,
    ReadDeskHandler,
)
from tui_market.services.desk_apply import DeskApplier

log = logging.getLogger(__name__)
OnEvent = Callable[[LiveEvent], None]
RETRY = (0.2, 0.5, 1.0, 2.0)  # seconds before reopening the stream, growing per failure
STATE_EVERY = 0.25  # seconds between checks of the ingester's state (silent or not)
BAD_TOKEN = {260, 280, 286}  # InvalidResumeToken, ChangeStreamFatalError, ChangeStreamHistoryLost


class DeskFollower:
    name = "database"

    def __init__(
        self,
        db: Database,
        *,
        recent: int = 300,
        monotonic: Callable[[], float] = time.monotonic,
        max_await: float = 0.5,
    ) -> None:
        self._db = db
        self._changes = DeskChanges(db)
        self._read = ReadDeskHandler(db)
        self._book = DeskBook(recent=recent)
        self._recent = recent
        self._monotonic = monotonic
        self._max_await = max_await
        self._token: Mapping[str, Any] | None = None
        self._symbols: tuple[str, ...] | None = None
        self._stop = asyncio.Event()
        self._resync = asyncio.Event()
        self._on_event: OnEvent = _ignore
        self._apply = DeskApplier(self._book, lambda event: self._on_event(event), monotonic)
        self._caught_up = False
        self._said: tuple[FeedStatus, str] | None = None
        self._server: object | None = None  # the server process the stream was opened on
        self.opens = 0  # change streams opened (1 + reopenings)
        self.saved = 0  # a follower saves nothing: the ingester does

    # ---- the QuoteService surface ---------------------------------------------------------------
    async def set_symbols(self, symbols: set[str]) -> None:
        self._symbols = tuple(sorted(symbols))
        self._book.set_symbols(symbols)
        self._resync.set()  # a new symbol's state is read, not waited for

    def set_metadata(self, infos: Mapping[str, SymbolInfo | None]) -> None:
        """Bars are built by the ingester along each symbol's session: nothing to do here."""
        del infos

    def set_references(self, closes: Mapping[str, float | None]) -> None:
        for symbol, close in closes.items():
            self._book.set_reference(symbol, close)

    def snapshot(self) -> LiveSnapshot:
        return self._book.snapshot(time.time(), self._book.feed(self._monotonic()))

    def quote(self, symbol: str) -> SymbolQuote | None:
        return self.snapshot().quotes.get(symbol)

    def ingester(self) -> IngesterState:
        return self._book.ingester(self._monotonic())

    async def flush(self) -> int:
        return 0

    async def close(self) -> None:
        self._stop.set()

    # ---- the loop -------------------------------------------------------------------------------
    async def run(self, on_event: OnEvent) -> None:
        """Follow the database until ``close()``."""
        self._on_event = on_event
        watcher = asyncio.create_task(self._watch_state(), name="desk ingester state")
        failures = 0
        try:
            while not self._stop.is_set():
                try:
                    await self._follow()
                    failures = 0
                except PyMongoError as exc:
                    if isinstance(exc, OperationFailure) and exc.code in BAD_TOKEN:
                        log.warning("resume token refused (%s): reading the desk afresh", exc)
                        self._token = None
                        continue
                    wait = RETRY[min(failures, len(RETRY) - 1)]
                    level = logging.WARNING if failures == 0 else logging.DEBUG
                    log.log(level, "desk change stream failed (%s); again in %.1f s", exc, wait)
                    failures += 1
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._stop.wait(), wait)
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
            on_event(FeedState(FeedStatus.STOPPED, detail="follower stopped"))

    def _server_id(self) -> object | None:
        """The server process's id (``topologyVersion.processId``, known to the client without
        a round trip); None while the server is unknown (down)."""
        for server in self._db.client.topology_description.server_descriptions().values():
            version = server.topology_version
            if version is not None:
                return version.get("processId")
        return None

    async def _follow(self) -> None:
        """One change stream, until it fails, or the server turns out to be a new process."""
        restarted = self._server is not None and self._server_id() not in (None, self._server)
        if self._db.embedded and self._token is not None and restarted:
            # its oplog may be numbered again: the token is not trusted
            log.info("the embedded server restarted: reading the desk afresh")
            self._token = None
        stream = await self._changes.open(self._token, self._max_await)
        self.opens += 1
        async with stream:
            self._server = self._server_id()
            await self._catch_up()
            while not self._stop.is_set():
                change = await stream.try_next()
                if change is not None:
                    self._apply.change(change)
                now = self._server_id()
                if now is not None and now != self._server:
                    return  # the driver resumed on a restarted server by itself: reopen
                self._token = stream.resume_token
                if self._resync.is_set():
                    await self._catch_up()

    async def _catch_up(self) -> None:
        self._resync.clear()
        after = {}
        for symbol in self._symbols or ():
            for interval in self._intervals():
                newest = self._book.newest(symbol, interval)
                if newest is not None:
                    after[(symbol, interval)] = newest.epoch
        state = await self._read(ReadDesk(self._symbols, after, last=self._recent))
        self._apply.state(state, tell=self._caught_up)
        self._caught_up = True

    def _intervals(self) -> tuple[Interval, ...]:
        beat = self._book.heartbeat
        return beat.persist if beat is not None else ()

    async def _watch_state(self) -> None:
        """Say when the ingester's state changes (live, silent, stopped): once per change."""
        while True:
            state = self._book.ingester(self._monotonic())
            feed = self._book.feed(self._monotonic())
            said = (feed.status, "silent" if state.silent else "")
            if said != self._said and self._book.heartbeat is not None:
                self._said = said
                self._on_event(feed)
            await asyncio.sleep(STATE_EVERY)


def _ignore(event: LiveEvent) -> None:
    del event
