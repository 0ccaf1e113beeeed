"""Security: TradingView credentials and tokens never reach logs, output, notifications or
the database; the only copy of the token on disk is the 0600 token file.

End to end: the installed ``tui-market`` script runs ``sync`` four times with
``TUI_MARKET_TV_USERNAME``/``PASSWORD`` set, ``-v`` (DEBUG logs, also on stderr), the embedded
database in the test's own data dir, the fake TradingView websocket server and the fake
sign-in endpoint: a first login, a start that reuses the cached token, a start whose cached
token the server refuses (deleted, new login), and a refused token with a wrong password
(the failure path). Then every file under the test's home (logs, config, the database files,
the embedded server's log), every document of every database, and everything the runs
printed are scanned for the passwords and the tokens. The app is checked the same way
through Pilot: its notifications, its health line, its log file and its database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pymongo import MongoClient

from tests.fakes.tv_server import FakeTradingViewServer
from tests.fakes.tv_signin import FakeSignIn
from tests.procs import server_pids
from tests.ui.conftest import settle, until
from tui_market import paths
from tui_market.commands.add_symbol import AddSymbol
from tui_market.infrastructure.database import Database
from tui_market.infrastructure.embedded import EmbeddedServer
from tui_market.providers.tradingview.token_cache import TokenCache
from tui_market.runtime import Runtime, make_bus, make_providers
from tui_market.settings import load_settings
from tui_market.tui.app import make_app
from tui_market.tui.widgets.chrome import HealthLine

pytestmark = pytest.mark.skipif(
    "TUI_MARKET_TEST_MONGODB_URI" in os.environ, reason="the CLI runs use the embedded server"
)
PASSWORD = "pw-Zq8x-never-logged"
WRONG = "pw-wrong-Kd93-never-logged"
TOKEN_PREFIX = "TOKSECRET-7f3a-"  # every token the fake sign-in hands out starts with it
STALE = f"{TOKEN_PREFIX}stale"
SECRETS = (PASSWORD, WRONG, TOKEN_PREFIX)
SCRIPT = shutil.which("tui-market") or str(Path(sys.executable).parent / "tui-market")


def leaks(text: str | bytes) -> list[str]:
    data = text.encode() if isinstance(text, str) else text
    return [s for s in SECRETS if s.encode() in data]


def files_with_secrets(root: Path, allowed: Path) -> dict[str, list[str]]:
    """Every file under ``root`` holding a secret; ``allowed`` may hold the token only."""
    found: dict[str, list[str]] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        hits = leaks(path.read_bytes())
        if path == allowed:
            hits = [h for h in hits if h != TOKEN_PREFIX]
        if hits:
            found[str(path)] = hits
    return found


def documents_with_secrets(uri: str) -> tuple[dict[str, int], list[str]]:
    """(documents scanned per collection, the ones holding a secret) over every database and
    collection."""
    client: MongoClient = MongoClient(uri, serverSelectionTimeoutMS=5000)
    seen: dict[str, int] = {}
    bad: list[str] = []
    try:
        for name in client.list_database_names():
            for collection in client[name].list_collection_names():
                for doc in client[name][collection].find():
                    seen[collection] = seen.get(collection, 0) + 1
                    if leaks(repr(doc)):
                        bad.append(f"{name}.{collection}: {doc!r}"[:300])
    finally:
        client.close()
    return seen, bad


async def cli(env: dict[str, str], *args: str) -> tuple[int, str]:
    """Run the console script; returns (exit code, stdout + stderr)."""
    proc = await asyncio.create_subprocess_exec(
        SCRIPT,
        "-v",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        stdin=asyncio.subprocess.DEVNULL,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 180)
    assert proc.returncode is not None
    return proc.returncode, out.decode() + err.decode()


@pytest.fixture
def stop_servers() -> Iterator[None]:
    yield
    for pid in server_pids(paths.data_dir()):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


async def test_cli_runs_leave_no_credential_or_token_anywhere(
    isolated_dirs: Path,
    stop_servers: None,
) -> None:
    sync = ("sync", "SP:SPX", "--interval", "1D", "--bars", "20")
    outputs: list[str] = []
    with FakeSignIn(PASSWORD, prefix=TOKEN_PREFIX) as signin:
        async with FakeTradingViewServer() as server:
            env = {
                **os.environ,
                "TUI_MARKET_TV_USERNAME": "trader",
                "TUI_MARKET_TV_PASSWORD": PASSWORD,
                "TUI_MARKET_TV_WS_URL": server.url,
                "TUI_MARKET_TV_SIGNIN_URL": signin.url,
                "TUI_MARKET_LOG_LEVEL": "DEBUG",
            }
            for _ in range(2):  # a login, then a start that reuses the cached token
                code, text = await cli(env, *sync)
                outputs.append(text)
                assert code == 0, text
            first = f"{TOKEN_PREFIX}1"
            assert signin.logins == [first] and signin.attempts == 1
            assert [c.state.token for c in server.connections] == [first, first]

            server.logic.bad_tokens = frozenset({first})  # the server now refuses it
            code, text = await cli(env, *sync)
            outputs.append(text)
            assert code == 0, text
            assert signin.logins == [first, f"{TOKEN_PREFIX}2"]

            server.logic.bad_tokens = frozenset({f"{TOKEN_PREFIX}2"})
            code, text = await cli({**env, "TUI_MARKET_TV_PASSWORD": WRONG}, *sync)
            outputs.append(text)
            assert code == 1 and "TradingView login failed" in text, text
    assert not paths.tv_token_file().exists()  # the refused token was deleted

    log_text = paths.log_file().read_text()
    for step in (
        "logged in to TradingView",
        "using the cached TradingView token",
        "refused the cached token",
        "TradingView login failed",
    ):
        assert step in log_text, step  # the scan covers every path
    assert [leaks(text) for text in outputs] == [[], [], [], []], outputs
    assert files_with_secrets(isolated_dirs, paths.tv_token_file()) == {}
    server_ = EmbeddedServer(paths.data_dir())
    try:
        seen, bad = documents_with_secrets(server_.acquire())
    finally:
        server_.release()
    # the synced bars (in buckets), their sync state and the rest (oplog too): all clean
    assert {"bars", "sync_state"} <= set(seen) and bad == [], seen


async def test_the_app_shows_and_stores_no_credential_or_token(
    database: Database,
    app_log: Path,
) -> None:
    """A refused cached token and a wrong password: the sync fails with a notification."""
    TokenCache().save("trader", STALE)
    with FakeSignIn(PASSWORD, prefix=TOKEN_PREFIX) as signin:
        async with FakeTradingViewServer(bad_tokens=[STALE]) as server:
            settings = load_settings(
                tv_username="trader",
                tv_password=WRONG,
                tv_ws_url=server.url,
                tv_signin_url=signin.url,
                watchlist="SP:SPX",
                interval="1D",
            )
            provider, stream = make_providers(settings)
            bus = make_bus(database, provider)
            await bus.execute(AddSymbol("SP:SPX", "S&P 500"))
            app = make_app(
                settings, Runtime(settings, database, provider, stream, bus, None), live=False
            )
            async with app.run_test(size=(120, 36)) as pilot:
                await settle(pilot)
                await pilot.press("s")
                await until(
                    pilot,
                    lambda: any("login failed" in n.message for n in app._notifications),
                    what="the failed-sync notification",
                )
                shown = [f"{n.title} {n.message}" for n in app._notifications]
                health = str(app.screen.query_one(HealthLine).render())
                await pilot.press("q")
            await stream.close()
    assert signin.attempts == 1 and [c.state.token for c in server.connections] == [STALE]
    assert not paths.tv_token_file().exists()
    assert leaks("\n".join(shown)) == [] and leaks(health) == []
    for handler in logging.getLogger().handlers:
        handler.flush()
    log_text = app_log.read_text()
    assert "refused the cached token" in log_text and "login failed" in log_text
    assert leaks(log_text) == []
    seen, bad = documents_with_secrets(database.uri)
    assert seen and bad == []


def test_the_token_file_is_the_only_copy_and_private(isolated_dirs: Path) -> None:
    """The positive control for the scans above: the token file does hold the token."""
    TokenCache().save("trader", f"{TOKEN_PREFIX}x")
    path = paths.tv_token_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert files_with_secrets(isolated_dirs, path) == {}
    assert files_with_secrets(isolated_dirs, isolated_dirs) == {str(path): [TOKEN_PREFIX]}
