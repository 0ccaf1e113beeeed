"""The auth token for TradingView history requests: the cached one, else a login.

``TokenSource.token()`` gives None for anonymous use. With a username and password it returns
the token cached by an earlier run (``TokenCache``), or logs in once and caches the new token.
The password is forgotten as soon as a token is known to work: right after a login, or after
the first fetch the server accepted with a cached token (until then it is kept, to log in
again if the server refuses that token: ``refused()`` deletes the cache file and logs in).
A failed login is not tried again for ``retry_after`` seconds (TradingView answers repeated
logins with a CAPTCHA): fetches meanwhile fail at once with the same error.
Neither the password nor the token is ever logged or put in an exception's text.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from tui_market.errors import ProviderError
from tui_market.providers.tradingview.daemon_thread import in_daemon_thread
from tui_market.providers.tradingview.token_cache import TokenCache

log = logging.getLogger(__name__)
LoginFn = Callable[[str, str], str]  # blocking; raises ValueError when the login fails
LOGIN_FAILED = (
    "TradingView login failed: check TUI_MARKET_TV_USERNAME and TUI_MARKET_TV_PASSWORD"
    " (or remove them to use anonymous access)"
)


def token_refused(protocol_error: str | None) -> bool:
    """True for the server's answer to a bad token (``protocol_error`` "bad auth token")."""
    reason = (protocol_error or "").lower()
    return "token" in reason or "auth" in reason


class TokenSource:
    def __init__(
        self,
        username: str | None,
        password: str | None,
        login: LoginFn,
        cache: TokenCache | None,
        *,
        retry_after: float = 300.0,
    ) -> None:
        self._user = username if username and password else None
        self._password = password if self._user else None
        self._login = login
        self._cache = cache
        self._token: str | None = None
        self._unproven = False  # the token came from the cache and has not been used yet
        self._retry_after, self._failed_at = retry_after, -float("inf")
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"TokenSource(login={self._user is not None}, token={self._token is not None})"

    async def token(self) -> str | None:
        if self._token is not None or self._user is None:
            return self._token
        async with self._lock:
            if self._token is None:
                cached = self._cache.load(self._user) if self._cache is not None else None
                if cached is not None:
                    log.info("using the cached TradingView token")
                    self._token, self._unproven = cached, True
                else:
                    await self._sign_in()
        return self._token

    def accepted(self, token: str | None) -> None:
        """The server served a fetch made with ``token``: the password is no longer needed."""
        if token is not None and token == self._token and self._unproven:
            self._unproven, self._password = False, None

    async def refused(self, token: str) -> str | None:
        """The server refused ``token``: forget it and its cache file, then log in again if
        the password is still known. Returns the token to retry with, or None."""
        async with self._lock:
            if token != self._token:
                return self._token  # another fetch has already replaced it
            log.warning(
                "TradingView refused the %s token; discarding it",
                "cached" if self._unproven else "session",
            )
            self._token, self._unproven = None, False
            if self._cache is not None:
                self._cache.discard()
            if self._password is None:
                return None
            await self._sign_in()
            return self._token

    async def _sign_in(self) -> None:
        user, password = self._user, self._password
        if user is None or password is None:
            return
        if time.monotonic() - self._failed_at < self._retry_after:
            raise ProviderError(f"{LOGIN_FAILED} (not retried for a few minutes)")
        try:
            token = await in_daemon_thread(self._login, user, password, name="tv-login")
        except ValueError as exc:
            self._failed_at = time.monotonic()
            log.error("TradingView login failed for the configured user")
            raise ProviderError(LOGIN_FAILED) from exc
        log.info("logged in to TradingView")
        self._token, self._unproven, self._password = token, False, None
        if self._cache is not None:
            self._cache.save(user, token)
