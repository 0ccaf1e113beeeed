"""The TradingView token cache: a 0600 file from its first byte, reused by the next provider
without a new sign-in, discarded (and a new login made) when the server refuses it.

Real parts: the fake sign-in endpoint (tests/fakes/tv_signin.py) and the fake TradingView
websocket server, which refuses the tokens listed in ``logic.bad_tokens`` with
``protocol_error "bad auth token"`` as TradingView does.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import stat
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.tv_server import FakeTradingViewServer
from tests.fakes.tv_signin import FakeSignIn
from tui_market import paths
from tui_market.errors import ConfigError, ProviderError
from tui_market.models import Interval
from tui_market.providers.tradingview.history import TradingViewProvider
from tui_market.providers.tradingview.token_cache import TokenCache, user_key
from tui_market.settings import load_settings

PASSWORD = "s3cret-pass"
_OPENS: list[tuple[str, int]] = []  # (path, flags) of every file open, while recording
_RECORDING: list[bool] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _RECORDING and event == "open" and isinstance(args[0], str | bytes | os.PathLike):
        _OPENS.append((os.fsdecode(args[0]), args[2]))


sys.addaudithook(_audit)  # audit hooks cannot be removed: it records only while asked


@pytest.fixture
def opens(
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[list[tuple[str, int]], dict[str, int]]]:
    """Every open (the audit hook: any API, with its flags) and the mode each ``os.open``
    asked for (the open audit event does not carry it)."""
    modes: dict[str, int] = {}
    real_open = os.open

    def os_open(path: Any, flags: int, mode: int = 0o777, **kw: Any) -> int:
        modes[os.fsdecode(path)] = mode
        return real_open(path, flags, mode, **kw)

    monkeypatch.setattr(os, "open", os_open)
    _OPENS.clear()
    _RECORDING.append(True)
    yield _OPENS, modes
    _RECORDING.clear()


@pytest.fixture
def signin() -> Iterator[FakeSignIn]:
    with FakeSignIn(PASSWORD) as fake:
        yield fake


def provider(
    server: FakeTradingViewServer, signin: FakeSignIn, password: str = PASSWORD
) -> TradingViewProvider:
    return TradingViewProvider(
        "trader", password, ws_url=server.url, timeout=10, signin_url=signin.url
    )


def tokens_sent(server: FakeTradingViewServer) -> list[str | None]:
    return [conn.state.token for conn in server.connections]


def test_the_token_file_is_created_0600_under_a_permissive_umask(
    opens: tuple[list[tuple[str, int]], dict[str, int]],
) -> None:
    path = paths.tv_token_file()
    old = os.umask(0)  # what a careless shell gives: files 0666, directories 0777
    try:
        TokenCache().save("trader", "tok-secret")
        TokenCache().save("trader", "tok-secret-2")  # a replacement is private too
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    seen, modes = opens
    created = [(name, flags) for name, flags in seen if flags & os.O_CREAT]
    assert len(created) == 2, seen
    for name, flags in created:  # created 0600: never readable by others, even briefly
        assert Path(name).parent == path.parent and modes.get(name) == 0o600, (name, modes)
        assert flags & os.O_EXCL and flags & os.O_NOFOLLOW
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no temp file left
    text = path.read_text()
    assert "tok-secret-2" in text and "trader" not in text and user_key("trader") in text
    assert TokenCache().load("trader") == "tok-secret-2"


async def test_a_second_provider_reuses_the_token_without_signing_in(
    signin: FakeSignIn,
) -> None:
    async with FakeTradingViewServer() as server:
        first = provider(server, signin)
        await first.fetch_ohlcv("SPX", "SP", Interval.D1, 3)
        assert signin.attempts == 1 and tokens_sent(server) == ["tok-1"]
        text = paths.tv_token_file().read_text()
        assert "tok-1" in text and PASSWORD not in text and "trader" not in text
        assert stat.S_IMODE(paths.tv_token_file().stat().st_mode) == 0o600

        second = provider(server, signin)  # the next start of the app
        await second.fetch_ohlcv("SPX", "SP", Interval.D1, 3)
        assert signin.attempts == 1 and tokens_sent(server) == ["tok-1", "tok-1"]
        assert PASSWORD not in repr(vars(second._auth))  # dropped once the token worked


async def test_a_refused_cached_token_is_discarded_and_a_new_login_made(
    signin: FakeSignIn,
    caplog: pytest.LogCaptureFixture,
) -> None:
    TokenCache().save("trader", "stale-token")
    caplog.set_level(logging.DEBUG, logger="tui_market")
    async with FakeTradingViewServer(bad_tokens=["stale-token"]) as server:
        bars = await provider(server, signin).fetch_ohlcv("SPX", "SP", Interval.D1, 3)
    assert len(bars) == 3
    assert tokens_sent(server) == ["stale-token", "tok-1"] and signin.attempts == 1
    assert TokenCache().load("trader") == "tok-1"  # the refused one is gone
    assert "refused the cached token" in caplog.text
    assert "stale-token" not in caplog.text and "tok-1" not in caplog.text


async def test_a_refused_cached_token_with_a_wrong_password_fails_and_is_deleted(
    signin: FakeSignIn,
) -> None:
    TokenCache().save("trader", "stale-token")
    async with FakeTradingViewServer(bad_tokens=["stale-token"]) as server:
        with pytest.raises(ProviderError, match="TradingView login failed"):
            await provider(server, signin, "wrong-pass").fetch_ohlcv("SPX", "SP", Interval.D1, 3)
    assert not paths.tv_token_file().exists() and signin.attempts == 1


async def test_a_failed_login_is_not_retried_at_every_fetch(signin: FakeSignIn) -> None:
    """TradingView answers repeated logins with a CAPTCHA: one attempt, then a pause."""
    async with FakeTradingViewServer() as server:
        bad = provider(server, signin, "wrong-pass")
        with pytest.raises(ProviderError, match="TradingView login failed"):
            await bad.fetch_ohlcv("SPX", "SP", Interval.D1, 3)
        with pytest.raises(ProviderError, match="not retried"):
            await bad.fetch_ohlcv("NDX", "NASDAQ", Interval.D1, 3)
    assert signin.attempts == 1 and server.connections == []


async def test_another_users_token_is_not_used(signin: FakeSignIn) -> None:
    TokenCache().save("someone-else", "their-token")
    async with FakeTradingViewServer() as server:
        await provider(server, signin).fetch_ohlcv("SPX", "SP", Interval.D1, 3)
    assert tokens_sent(server) == ["tok-1"] and signin.attempts == 1
    assert TokenCache().load("trader") == "tok-1"


def test_a_token_file_others_can_read_is_deleted_unread() -> None:
    cache = TokenCache()
    cache.save("trader", "tok-1")
    os.chmod(cache.path, 0o644)
    assert cache.load("trader") is None and not cache.path.exists()
    cache.save("trader", "tok-2")
    os.chmod(cache.path, 0o620)  # group-writable: someone else could plant a token
    assert cache.load("trader") is None and not cache.path.exists()


def test_a_symlinked_token_file_is_not_followed(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.json"
    TokenCache(target).save("trader", "tok-1")
    link = paths.tv_token_file()
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target)
    assert TokenCache().load("trader") is None
    TokenCache().save("trader", "tok-2")  # replaces the link, never writes through it
    assert not link.is_symlink() and TokenCache().load("trader") == "tok-2"
    assert TokenCache(target).load("trader") == "tok-1"


def _jwt(exp: float) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS512'})}.{part({'exp': int(exp)})}.c2ln"


def test_an_expired_jwt_is_discarded_a_live_one_kept() -> None:
    cache = TokenCache()
    cache.save("trader", _jwt(time.time() - 60))
    assert cache.load("trader") is None and not cache.path.exists()
    live = _jwt(time.time() + 3600)
    cache.save("trader", live)
    assert cache.load("trader") == live


def test_a_damaged_token_file_is_a_miss() -> None:
    cache = TokenCache()
    for junk in (b"", b"{not json", b"[1, 2]", b'{"v": 1, "user": "x"}', b"\xff\xfe"):
        cache.save("trader", "tok-1")
        cache.path.write_bytes(junk)
        assert cache.load("trader") is None, junk


def test_the_password_is_only_sent_over_https_or_to_this_machine() -> None:
    for url in (
        "https://www.tradingview.com/accounts/signin/",
        "http://127.0.0.1:8080/x",
        "http://localhost/x",
        "http://[::1]:9/",
    ):
        assert load_settings(tv_signin_url=url).tv_signin_url == url
    for url in (
        "http://www.tradingview.com/accounts/signin/",
        "http://127.0.0.1.example.com/",
        "http://localhost:80@example.com/",
        "ftp://127.0.0.1/",
    ):
        with pytest.raises(ConfigError, match="must start with https://"):
            load_settings(tv_signin_url=url)
