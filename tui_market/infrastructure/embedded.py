"""The embedded MongoDB-wire server (secantusdb) the app starts when no URI is configured.

One server per data dir, shared by every app process that uses that dir. Coordination lives in
the data dir: ``server.lock`` (an ``flock`` held only while starting or stopping),
``server.json`` (pid and port of the running server) and ``clients/<pid>.<token>`` (one file
per ``EmbeddedServer`` that acquired it, so two users in one process count twice). The last
user to release it stops it. Stale files left by a crash are detected (dead pid or no answer
to ``ping``) and replaced.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from pymongo import MongoClient
from pymongo.errors import PyMongoError

from tui_market.errors import DatabaseUnavailable

log = logging.getLogger(__name__)
HOST = "127.0.0.1"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def ping(uri: str, timeout: float = 0.5) -> bool:
    """True when a MongoDB-wire server at ``uri`` answers ``ping``."""
    ms = int(timeout * 1000)
    client: MongoClient = MongoClient(uri, serverSelectionTimeoutMS=ms, connectTimeoutMS=ms)
    try:
        client.admin.command("ping")
        return True
    except PyMongoError as exc:
        log.debug("ping %s failed: %s", uri, exc)
        return False
    finally:
        client.close()


def _client_pid(name: str) -> int | None:
    """The pid in a ``clients/`` file name (``<pid>.<token>``, or a bare ``<pid>``)."""
    head = name.split(".", 1)[0]
    return int(head) if head.isdigit() else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


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
            if state and _alive(state["pid"]) and ping(self._uri(state["port"])):
                log.info("reusing embedded server pid %s port %s", state["pid"], state["port"])
                port = state["port"]
            else:
                if state:
                    log.info("stale embedded server state %s: starting a new server", state)
                port = self._start()
                self.started_here = True
            (self._clients / self._client_name).touch()
            self.uri = self._uri(port)
            return self.uri

    def _uri(self, port: int) -> str:
        return f"mongodb://{HOST}:{port}/?directConnection=true"

    def _start(self) -> int:
        port = _free_port()
        storage = self.data_dir / "db"
        storage.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "secantus", "--host", HOST, "--port", str(port),
               "--storage-path", str(storage), "--log-level", "WARNING"]
        with open(self.data_dir / "server.log", "ab") as out:
            proc = subprocess.Popen(
                cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True, cwd=self.data_dir,
            )
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise DatabaseUnavailable(
                    f"embedded database exited at start (code {proc.returncode}); "
                    f"see {self.data_dir / 'server.log'}"
                )
            if ping(self._uri(port), timeout=0.25):
                self._state.write_text(json.dumps({"pid": proc.pid, "port": port}))
                log.info("embedded server started pid %s port %s", proc.pid, port)
                return port
            time.sleep(0.05)
        proc.kill()
        raise DatabaseUnavailable(
            f"embedded database did not answer within {self.start_timeout:.0f} s; "
            f"see {self.data_dir / 'server.log'}"
        )

    def release(self) -> bool:
        """Unregister this process; stop the server if no live process still uses it.

        Returns True when the server was stopped.
        """
        with self._locked():
            (self._clients / self._client_name).unlink(missing_ok=True)
            users = [p for p in self._clients.iterdir() if _client_pid(p.name) is not None]
            alive = [p for p in users if _alive(_client_pid(p.name) or 0)]
            for stale in set(users) - set(alive):
                stale.unlink(missing_ok=True)
            if alive:
                return False
            state = self._read_state()
            if state and _alive(state["pid"]):
                stop_process(state["pid"])
            self._state.unlink(missing_ok=True)
            self.uri = None
            return True


def stop_process(pid: int, timeout: float = 10.0) -> None:
    """SIGTERM, wait, then SIGKILL. Reaps the child when it is ours."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return
        if not _alive(pid):
            return
        time.sleep(0.05)
    log.warning("embedded server pid %s ignored SIGTERM; killing it", pid)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
