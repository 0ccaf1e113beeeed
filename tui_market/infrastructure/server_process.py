"""The embedded server's process: spawn it on a port, ping it, stop it, tell whether it lives.

``EmbeddedServer`` (embedded.py) decides when; this module knows how.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tui_market.errors import DatabaseUnavailable

log = logging.getLogger(__name__)
HOST = "127.0.0.1"
# secantus's command line behind our entry module (the start-scan fix, the start heartbeat)
SERVER_MODULE = "tui_market.infrastructure.secantus_server"
HEARTBEAT_FILE = "server.starting"  # = secantus_server.HEARTBEAT_FILE (not imported: no secantus)
MAX_START = 600.0  # seconds: a server still beating after this long is given up on
PROGRESS_EVERY = 5.0  # seconds between "still opening" log lines


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a child of ours that died is reaped first, not a zombie)."""
    reap(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def reap(pid: int) -> None:
    """Collect ``pid``'s exit status if it is a dead child of this process."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def ping(uri: str, timeout: float = 0.5) -> bool:
    """True when a MongoDB-wire server at ``uri`` answers ``ping``."""
    # pymongo imported here, not at the top (its import is slow): the TUI's early start spawns the
    # server before anything else is imported (tui_market/__main__.py).
    from pymongo import MongoClient
    from pymongo.errors import PyMongoError

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


def listening(port: int) -> bool:
    """True when something accepts connections on ``port`` (a TCP connect, ~0.1 ms)."""
    try:
        with socket.create_connection((HOST, port), timeout=0.25):
            return True
    except OSError as exc:
        log.debug("port %s not listening yet: %s", port, exc)  # polled: logged at debug
        return False


def uri_for(port: int) -> str:
    return f"mongodb://{HOST}:{port}/?directConnection=true"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def port_free(port: int) -> bool:
    """True when a server could listen on ``port`` now (bound the way secantus binds)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError as exc:
            log.info("port %s is taken: %s", port, exc)
            return False
        return True


def spawn(data_dir: Path, port: int, timeout: float) -> int:
    """Start secantus on ``port`` for ``data_dir/db``; wait for its ``ping``; return its pid."""
    storage = data_dir / "db"
    storage.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable,
        "-m",
        SERVER_MODULE,
        "--host",
        HOST,
        "--port",
        str(port),
        "--storage-path",
        str(storage),
        "--log-level",
        "WARNING",
    ]
    (data_dir / HEARTBEAT_FILE).unlink(missing_ok=True)  # a crashed start's is no sign of life
    with open(data_dir / "server.log", "ab") as out:
        proc = subprocess.Popen(
            cmd,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            cwd=data_dir,
        )
    waited = _wait_answer(proc, port, data_dir, timeout)
    if waited is not None:
        log.info("embedded server started pid %s port %s in %.1f s", proc.pid, port, waited)
        return proc.pid
    proc.kill()
    proc.wait()
    raise DatabaseUnavailable(
        f"embedded database did not answer within {timeout:.0f} s; see {data_dir / 'server.log'}"
    )


def _wait_answer(
    proc: subprocess.Popen[bytes], port: int, data_dir: Path, timeout: float
) -> float | None:
    """Seconds until the server answered ``ping``; None when it gave no sign of life for
    ``timeout`` seconds (or ``MAX_START`` passed). A sign of life is its start heartbeat: a big
    store takes longer to open, which is progress (logged), not a hang."""
    beat = data_dir / HEARTBEAT_FILE
    began = last_note = time.monotonic()
    try:
        while (now := time.monotonic()) - began < MAX_START:
            if proc.poll() is not None:
                raise DatabaseUnavailable(
                    f"embedded database exited at start (code {proc.returncode}); "
                    f"see {data_dir / 'server.log'}"
                )
            # a driver's ping to a port nobody listens on yet costs its whole timeout (and
            # PyMongo re-checks a refused server only every 0.5 s): knock on the port first
            if listening(port) and ping(uri_for(port), timeout=2.0):
                return time.monotonic() - began
            if now - max(began, _mtime(beat, since=began)) > timeout:
                return None
            if now - last_note >= PROGRESS_EVERY:
                last_note = now
                log.warning("embedded database still opening its storage (%.0f s)", now - began)
            time.sleep(0.02)
        return None
    finally:
        beat.unlink(missing_ok=True)  # ends the server's heartbeat


def _mtime(path: Path, since: float) -> float:
    """``path``'s modification time on the monotonic clock, or ``since`` when it is missing."""
    try:
        age = time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return since
    return time.monotonic() - age


def stop_process(pid: int, timeout: float = 10.0) -> None:
    """SIGTERM, wait, then SIGKILL. Reaps the child when it is ours."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return
        if not alive(pid):
            return
        time.sleep(0.05)
    log.warning("embedded server pid %s ignored SIGTERM; killing it", pid)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    # SIGKILL is not instant: reap our child, or wait for another user's to go, so callers
    # (the last user's release, the tests) never see it still running.
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
        return
    deadline = time.monotonic() + 5.0
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
