"""One client connection of the fake TradingView server: what it sent, its outbox writer
(with the fault injection), its heartbeat watchdog."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from tests.fakes.tv_codec import frames

log = logging.getLogger(__name__)
GARBAGE = "~m~99~m~garbage!!~m~x~m~"  # a bad length, then a bad header


@dataclass
class QuoteSession:
    fields: list[str] = field(default_factory=list)
    symbols: list[str] = field(default_factory=list)  # exactly as the client added them

    def view(self, values: dict[str, Any]) -> dict[str, Any]:
        if not self.fields:
            return dict(values)
        return {k: v for k, v in values.items() if k in self.fields}


@dataclass
class SessionState:
    """One connection's sessions."""

    token: str | None = None
    charts: dict[str, dict[str, str]] = field(default_factory=dict)  # cs -> ref -> symbol
    quotes: dict[str, QuoteSession] = field(default_factory=dict)


class Faults(Protocol):
    """The server's fault settings (attributes, so a test can change them at any time)."""

    silent: bool
    frame_delay: float
    garbage_every: int | None
    drop_after_frames: int | None
    heartbeat_every: float
    echo_window: float | None
    messages_sent: int


@dataclass(eq=False)
class ClientConn:
    """One client connection, as the server saw it."""

    ws: ServerConnection
    index: int
    state: SessionState = field(default_factory=SessionState)
    received: list[str] = field(default_factory=list)  # every payload the client sent
    hb_sent: list[int] = field(default_factory=list)
    hb_echoed: list[int] = field(default_factory=list)
    frames_sent: int = 0
    malformed: int = 0  # client frames the server could not decode
    dropped: str | None = None  # why the server dropped it
    closed: bool = False
    outbox: asyncio.Queue[list[str] | str] = field(default_factory=asyncio.Queue)  # str: close

    @property
    def methods(self) -> list[str]:
        return [
            m
            for p in self.received
            if not p.startswith("~h~")
            for m in [p.split('"m":"', 1)[-1].split('"', 1)[0]]
        ]

    def abort(self, reason: str) -> None:
        """Cut the connection (no close frame), like a network failure."""
        if self.dropped is None and not self.closed:
            self.dropped = reason
            log.info("fake TV: dropping client %d: %s", self.index, reason)
            self.ws.transport.abort()

    async def close(self, reason: str) -> None:
        self.dropped = self.dropped or reason
        await self.ws.close()

    async def drop_later(self, after: float) -> None:
        await asyncio.sleep(after)
        self.abort(f"dropped after {after} s")

    async def writer(self, f: Faults) -> None:
        """Send the outbox in order; a ``str`` item closes the connection with that reason."""
        while True:
            item = await self.outbox.get()
            if isinstance(item, str):
                await self.close(item)
                return
            if f.frame_delay:
                await asyncio.sleep(f.frame_delay)
            if f.silent or self.closed or self.dropped:
                continue
            f.messages_sent += 1
            text = frames(item)
            if f.garbage_every and f.messages_sent % f.garbage_every == 0:
                text = GARBAGE + text
            try:
                await self.ws.send(text)
            except ConnectionClosed:
                return
            self.frames_sent += len(item)
            if len(item) == 1 and item[0].startswith("~h~"):
                self.hb_sent.append(int(item[0][3:]))
            if f.drop_after_frames is not None and self.frames_sent >= f.drop_after_frames:
                self.abort(f"dropped after {self.frames_sent} frames")

    async def heartbeats(self, f: Faults, n: int) -> None:
        """Heartbeat ``n`` (0: none) is already queued. Each heartbeat's echo is due within
        ``echo_window`` s of its going on the wire; the next one goes ``heartbeat_every`` s
        after it, whatever the window: a long window (a margin for a loaded machine) does
        not slow the heartbeats down. A missing echo cuts the connection."""
        loop = asyncio.get_running_loop()
        due: dict[int, float] = {}  # heartbeat on the wire -> when its echo is late
        next_at: float | None = None  # when to queue the next one (None: n not out yet)
        while not (self.closed or self.dropped):
            now = loop.time()
            if next_at is None and (not n or n in self.hb_sent or f.silent):
                if n in self.hb_sent and f.echo_window is not None:
                    due[n] = now + f.echo_window
                next_at = now + f.heartbeat_every
            for k, late_at in list(due.items()):
                if k in self.hb_echoed:
                    del due[k]
                elif now > late_at:
                    self.abort(f"heartbeat {k} not echoed")
                    return
            if next_at is not None and now >= next_at:
                if f.silent:
                    next_at = now + f.heartbeat_every
                else:
                    n += 1
                    self.outbox.put_nowait([f"~h~{n}"])
                    next_at = None
            if next_at is None:
                await asyncio.sleep(0.01)  # the echo window starts when it is on the wire
            else:
                wake = min(next_at, *due.values()) if due else next_at
                await asyncio.sleep(min(0.05, max(0.0, wake - loop.time())))
