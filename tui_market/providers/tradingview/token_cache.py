"""The TradingView auth token kept between runs, so a start does not log in again
(TradingView rate-limits logins and answers too many of them with a CAPTCHA).

One file, ``paths.tv_token_file()``: ``{"v": 1, "user": <sha256 of the username>, "token":
..., "saved": <epoch>}``. It holds one user's token; the username itself is not stored.

- Written owner-only from its first byte: a new temp file beside it, opened with
  ``O_CREAT | O_EXCL | O_NOFOLLOW`` and mode 0600 (then ``fchmod`` 0600, whatever the umask),
  fsynced and renamed over the old file. A new cache directory is made 0700.
- Read only when it is a regular file (not a symlink) owned by us that nobody else may read or
  write; any other file is deleted unread, as a token that may have leaked.
- A token for another username, or a JWT whose ``exp`` has passed, is a miss.
Nothing here logs the token or the username; errors name the file and the OS reason.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import os
import secrets
import stat
import time
from pathlib import Path
from typing import Any

from tui_market import paths

log = logging.getLogger(__name__)
VERSION = 1
_MAX_BYTES = 64 * 1024
_PRIVATE = 0o600


def user_key(username: str) -> str:
    return hashlib.sha256(username.encode("utf-8")).hexdigest()


def jwt_expired(token: str, now: float | None = None) -> bool:
    """True for a JWT whose ``exp`` claim is in the past; other tokens are never 'expired'."""
    parts = token.split(".")
    if len(parts) != 3:
        return False
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, binascii.Error):
        return False
    exp = claims.get("exp") if isinstance(claims, dict) else None
    if not isinstance(exp, int | float) or isinstance(exp, bool):
        return False
    return exp <= (time.time() if now is None else now)


class TokenCache:
    """The token file at ``path`` (default: ``paths.tv_token_file()``, resolved on each use)."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path

    @property
    def path(self) -> Path:
        return self._path if self._path is not None else paths.tv_token_file()

    def __repr__(self) -> str:
        return f"TokenCache({str(self.path)!r})"

    def load(self, username: str) -> str | None:
        """The cached token for ``username``, or None (no file, another user, expired, unsafe)."""
        data = self._read()
        if data is None:
            return None
        token = data.get("token")
        if data.get("v") != VERSION or not isinstance(token, str) or not token:
            log.warning("ignoring the malformed TradingView token cache %s", self.path)
            self.discard()
            return None
        if data.get("user") != user_key(username):
            log.info("the cached TradingView token is for another user; not used")
            return None
        if jwt_expired(token):
            log.info("the cached TradingView token has expired; discarding it")
            self.discard()
            return None
        return token

    def save(self, username: str, token: str) -> None:
        """Store ``token`` for ``username`` (best effort: a failure is logged, not raised)."""
        body = json.dumps(
            {"v": VERSION, "user": user_key(username), "token": token, "saved": int(time.time())}
        )
        path = self.path
        try:
            if not path.parent.exists():
                path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            _write_private(path, body)
        except OSError as exc:
            log.warning(
                "cannot cache the TradingView token in %s: %s",
                path,
                exc.strerror or type(exc).__name__,
            )
            return
        log.info("cached the TradingView token in %s (mode 0600)", path)

    def discard(self) -> None:
        try:
            self.path.unlink(missing_ok=True)
        except OSError as exc:
            log.warning(
                "cannot delete the TradingView token cache %s: %s",
                self.path,
                exc.strerror or type(exc).__name__,
            )

    def _read(self) -> dict[str, Any] | None:
        path = self.path
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
        except FileNotFoundError:
            return None
        except OSError as exc:  # ELOOP: a symlink
            log.warning(
                "not reading the TradingView token cache %s: %s",
                path,
                exc.strerror or type(exc).__name__,
            )
            self.discard()
            return None
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
                log.warning(
                    "the TradingView token cache %s is not private to this user "
                    "(mode %o); deleting it unread",
                    path,
                    stat.S_IMODE(info.st_mode),
                )
                self.discard()
                return None
            raw = handle.read(_MAX_BYTES + 1)
        try:
            data = json.loads(raw.decode("utf-8")) if len(raw) <= _MAX_BYTES else None
        except (UnicodeDecodeError, ValueError):
            data = None
        if not isinstance(data, dict):
            log.warning("ignoring the unreadable TradingView token cache %s", path)
            self.discard()
            return None
        return data


def _write_private(path: Path, body: str) -> None:
    """``body`` into ``path`` through a 0600 temp file that is renamed into place."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(temp, flags, _PRIVATE)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), _PRIVATE)
            handle.write(body)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except OSError:
        temp.unlink(missing_ok=True)
        raise
