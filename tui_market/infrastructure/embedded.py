"""The embedded MongoDB-wire server (secantusdb) the app starts when no URI is configured.

One server per data dir, shared by every app process that uses that dir. Coordination lives in
the data dir: ``server.lock`` (an ``flock`` held only while starting or stopping),
``server.json`` (pid and port of the running server) and ``clients/<pid>.<token>`` (one file
per ``EmbeddedServer`` that acquired it, so two users in one process count twice). The last
user to release it stops it. Stale files left by a crash are detected (dead pid or no answer
to ``ping``) and replaced. ``revive()`` restarts a server that died under its users (the
``DatabaseSupervisor`` calls it), on the same port when it can.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

from tui_market.errors import DatabaseUnavailable
from tui_market.infrastructure.server_process import (
    HOST,
    SERVER_MODULE,
    alive,
    free_port,
    ping,
    port_free,
    spawn,
    stop_process,
    uri_for,
)

__all__ = ["HOST", "EmbeddedServer", "ping", "stop_process"]
log = logging.getLogger(__name__)


def _client_pid(name: str) -> int | None:
    """The pid in a ``clients/`` file name (``<pid>.<token>``, or a bare ``<pid>``)."""
    head = name.split(".", 1)[0]
    return int(head) if head.isdigit() else None


def _is_server(pid: int) -> bool:
    """False when ``pid`` is known to be some other program (its number was reused)."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError as exc:  # no /proc here, or the process just ended: trust the pid
        log.debug("cannot read the command line of pid %s: %s", pid, exc)
        return True
    # ours, or ``-m secantus`` (a server an older tui-market started is still running)
    return SERVER_MODULE.encode() in argv or b"secantus" in argv


class EmbeddedServer:
    """Start or reuse the local server for ``data_dir``; ``release()`` when done."""

    def __init__(self, data_dir: Path, start_timeout: float = 10.0) -> None:
        self.data_dir = Path(data_dir)
        self.start_timeout = start_timeout
        self.uri: str | None = None
        self.started_here = False
        self._clients = self.data_dir / "clients"
        self._state = self.data_dir / "server.json"
        self._client_name = f"{os.getpid()}.{uuid.uuid4().hex[:8]}"

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self._clients.mkdir(parents=True, exist_ok=True)
        with open(self.data_dir / "server.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _read_state(self) -> dict[str, int] | None:
        try:
            state = json.loads(self._state.read_text())
            return {"pid": int(state["pid"]), "port": int(state["port"])}
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("ignoring unreadable %s: %s", self._state, exc)
            return None

    def acquire(self) -> str:
        """Return the URI of a running server, starting one if needed."""
        with self._locked():
            state = self._read_state()
            if state and alive(state["pid"]) and ping(uri_for(state["port"])):
                log.info("reusing embedded server pid %s port %s", state["pid"], state["port"])
                port = state["port"]
            else:
                if state:
                    log.info("stale embedded server state %s: starting a new server", state)
                port = self._start()
                self.started_here = True
            (self._clients / self._client_name).touch()
            self.uri = uri_for(port)
            return self.uri

    def dead(self) -> bool:
        """True when the recorded server process has ended (cheap: no lock, no network)."""
        state = self._read_state()
        return state is not None and not (alive(state["pid"]) and _is_server(state["pid"]))

    def revive(self) -> tuple[str, bool]:
        """Start the server again after it died (kill -9, crash); returns (uri, started here).

        On the recorded port when it is free, so connected clients reconnect by themselves;
        on a new port otherwise. A recorded server that runs and answers (another process
        revived it first) is reused. One that runs but does not answer is left alone: a second
        server cannot open the same storage (``DatabaseUnavailable``, try again later).
        """
        with self._locked():
            state = self._read_state()
            if state and alive(state["pid"]) and _is_server(state["pid"]):
                uri = uri_for(state["port"])
                if not ping(uri, timeout=2.0):
                    raise DatabaseUnavailable(
                        f"embedded server pid {state['pid']} is running but does not answer"
                    )
                log.info("embedded server pid %s is up (revived elsewhere)", state["pid"])
                self.uri = uri
                return uri, False
            wanted = state["port"] if state and port_free(state["port"]) else None
            try:
                port = self._start(wanted)
            except DatabaseUnavailable as exc:
                if wanted is None:
                    raise
                log.warning("restart on port %s failed (%s); trying a new port", wanted, exc)
                port = self._start()
            (self._clients / self._client_name).touch()
            log.warning("embedded server revived on port %s (was %s)", port, state)
            self.uri = uri_for(port)
            return self.uri, True

    def _start(self, port: int | None = None) -> int:
        port = port or free_port()
        pid = spawn(self.data_dir, port, self.start_timeout)
        self._state.write_text(json.dumps({"pid": pid, "port": port}))
        return port

    def release(self) -> bool:
        """Unregister this process; stop the server if no live process still uses it.

        Returns True when the server was stopped.
        """
        with self._locked():
            (self._clients / self._client_name).unlink(missing_ok=True)
            users = [p for p in self._clients.iterdir() if _client_pid(p.name) is not None]
            using = [p for p in users if alive(_client_pid(p.name) or 0)]
            for stale in set(users) - set(using):
                stale.unlink(missing_ok=True)
            if using:
                return False
            state = self._read_state()
            if state and alive(state["pid"]):
                stop_process(state["pid"])
            self._state.unlink(missing_ok=True)
            self.uri = None
            return True
