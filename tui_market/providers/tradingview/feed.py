"""The boundary to tvDatafeed: its blocking ``get_hist``, connected to the URL we choose and
watched frame by frame.

``TvDatafeed._websocket_connection`` is the one place tvDatafeed opens its socket (a
hard-coded public URL, a 30 s timeout). ``WatchedFeed`` overrides it to connect to our URL and
hands tvDatafeed a ``WatchedSocket`` that
- bounds every ``recv`` by the fetch's deadline (so the worker thread always ends),
- echoes heartbeats (tvDatafeed never does; the server drops clients that don't),
- notes ``symbol_error`` / ``series_error`` / ``critical_error`` / ``protocol_error`` /
  ``series_completed`` in a ``FetchReport``, and ends tvDatafeed's receive loop at once after
  an error instead of letting it wait for a timeout.
tvDatafeed's own token cache (``~/.tv_token.json``, written with the umask's mode) and its
CAPTCHA prompt are disabled; ``tv_token_cache`` keeps the token in a 0600 file instead.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from tvDatafeed import TvDatafeed
from websocket import (
    WebSocket,
    WebSocketConnectionClosedException,
    WebSocketException,
    WebSocketTimeoutException,
    create_connection,
)

from tui_market.errors import ProtocolError
from tui_market.providers.tradingview import HISTORY_ORIGIN
from tui_market.providers.tradingview.protocol import (
    decode_frames,
    encode_frame,
    is_heartbeat,
    params_of,
    parse_payload,
)

log = logging.getLogger(__name__)
_WATCHED = (
    "symbol_error", "series_error", "critical_error", "protocol_error", "series_completed",
    "symbol_resolved",
)  # fmt: skip


@dataclass
class FetchReport:
    """What happened on the socket during one ``get_hist``."""

    connect_error: str | None = None
    timed_out: bool = False
    closed: bool = False
    symbol_error: str | None = None
    series_error: str | None = None
    critical_error: str | None = None
    protocol_error: str | None = None
    completed: bool = False
    heartbeats: int = 0
    malformed: int = 0
    resolved: dict[str, Any] | None = None  # symbol_resolved's metadata, unchecked
    update_mode: str | None = None  # series_completed's mode: "streaming", "delayed_streaming_900"

    @property
    def refused(self) -> bool:
        return bool(
            self.symbol_error or self.series_error or self.critical_error or self.protocol_error
        )


class _Stop(Exception):
    """Ends tvDatafeed's receive loop early (it catches ``Exception`` and returns None)."""


class WatchedSocket:
    def __init__(self, ws: WebSocket, deadline: float, report: FetchReport) -> None:
        self._ws, self._deadline, self.report = ws, deadline, report

    def send(self, payload: str) -> None:
        try:
            self._ws.send(payload)
        except (WebSocketConnectionClosedException, OSError):
            self.report.closed = True
            raise

    def recv(self) -> str:
        report = self.report
        if report.refused:
            raise _Stop("the server refused the series")
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            report.timed_out = True
            raise _Stop("deadline passed")
        self._ws.settimeout(remaining)
        try:
            message = self._ws.recv()
        except WebSocketTimeoutException:
            report.timed_out = True
            raise
        except (WebSocketConnectionClosedException, OSError):
            report.closed = True
            raise
        if isinstance(message, str):
            self._inspect(message)
            return message
        return message.decode("utf-8", "replace")

    def close(self) -> None:
        self._ws.close()

    def _inspect(self, message: str) -> None:
        report = self.report
        try:
            payloads = decode_frames(message)
        except ProtocolError as exc:
            log.warning("tvDatafeed fetch: undecodable message: %s", exc)
            report.malformed += 1
            return
        report.malformed += payloads.malformed
        for payload in payloads:
            if is_heartbeat(payload):
                self._ws.send(encode_frame(payload))
                report.heartbeats += 1
                continue
            method = payload[6:40].split('"', 1)[0] if payload.startswith('{"m":"') else ""
            if method not in _WATCHED:
                continue
            try:
                msg = parse_payload(payload)
            except ProtocolError as exc:
                log.warning("tvDatafeed fetch: unreadable %s: %s", method, exc)
                continue
            raw = params_of(msg) if isinstance(msg, dict) else []
            p = [str(x) for x in raw]
            if method == "symbol_resolved":
                if len(raw) > 2 and isinstance(raw[2], dict):
                    report.resolved = raw[2]
                continue
            if method == "series_completed":
                report.completed = True
                if len(raw) > 2 and isinstance(raw[2], str):
                    report.update_mode = raw[2]
            elif method == "symbol_error":
                report.symbol_error = p[2] if len(p) > 2 else "invalid symbol"
            elif method == "series_error":
                report.series_error = p[3] if len(p) > 3 else "series error"
            elif method == "protocol_error":
                report.protocol_error = p[0] if p else "protocol error"
            elif p and p[0].startswith("cs_"):  # the chart's; the quote session's is expected
                report.critical_error = " ".join(p[1:3]) or "critical error"


class WatchedFeed(TvDatafeed):
    """tvDatafeed for one fetch (or a login): our URL, a deadline, the token we pass in."""

    def __init__(
        self, url: str, token: str | None, deadline: float, http: dict[str, str] | None = None
    ) -> None:
        # The base __init__ reads/writes a token cache file in $HOME: deliberately skipped.
        self.ws_debug = False
        self.token_cache_file = Path("/nonexistent/tui-market-never-caches-tokens")
        self._lock = threading.Lock()
        self._ws_lock = threading.Lock()
        self.token = token
        self.url, self.deadline = url, deadline
        self.report = FetchReport()
        for key, value in (http or {}).items():  # "sign_in_url" / "search_url" overrides
            setattr(self, f"_TvDatafeed__{key}", value)

    def _load_token(self) -> str | None:
        return None

    def _save_token(self, token: str) -> None:
        return None  # never stored by tvDatafeed (see tv_token_cache)

    def _handle_captcha_login(self, username: str) -> str | None:
        log.warning("TradingView gave no token (wrong credentials, or it asks for a CAPTCHA)")
        return None

    @contextmanager
    def _websocket_connection(self) -> Iterator[WebSocket]:
        timeout = max(0.1, self.deadline - time.monotonic())
        try:
            # origin= sets the one Origin header: tvDatafeed's own header={"Origin": ...} plus
            # websocket-client's would send two, which a websockets server rejects.
            ws = create_connection(self.url, origin=HISTORY_ORIGIN, timeout=timeout)
        except (OSError, WebSocketException) as exc:
            self.report.connect_error = str(exc) or type(exc).__name__
            log.warning("cannot connect to %s: %s", self.url, self.report.connect_error)
            raise
        try:
            yield cast(WebSocket, WatchedSocket(ws, self.deadline, self.report))
        finally:
            try:
                ws.close()
            except (OSError, WebSocketException) as exc:
                log.debug("closing the history socket: %s", exc)
