"""Security: a MongoDB URI with a password is shown and logged with the password masked.

Every place a URI reaches the user is covered: the CLI's one-line error, ``-v`` output and
``locate``, the log file (the settings line at start, the connection error), and the app's
health line. A password PyMongo could not parse (an unescaped ``/``, ``@``, ``#`` ...) would
defeat the masking, so such a URI is refused up front without being shown.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote_plus

import pytest
from pymongo import MongoClient
from pymongo.errors import OperationFailure

from tests.ui.conftest import settle
from tui_market import paths
from tui_market.infrastructure.embedded import EmbeddedServer
from tui_market.runtime import offline_providers, open_runtime
from tui_market.settings import load_settings
from tui_market.tui.app import make_app
from tui_market.tui.widgets.chrome import HealthLine

PASSWORD = "Uri-pw-9Jx2q"
SCRIPT = str(Path(sys.executable).parent / "tui-market")


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SCRIPT, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        check=False,
    )


def test_an_unreachable_uri_is_masked_in_the_error_the_output_and_the_log() -> None:
    uri = f"mongodb://alice:{PASSWORD}@127.0.0.1:{closed_port()}/?directConnection=true"
    done = cli("-v", "--mongodb-uri", uri, "symbols", "list")
    assert done.returncode == 1, done.stderr
    error = done.stderr.strip().splitlines()[-1]
    assert error.startswith("tui-market: cannot reach MongoDB at 127.0.0.1:"), error
    log_text = paths.log_file().read_text()
    for text in (done.stdout, done.stderr, log_text):
        assert PASSWORD not in text
    assert "mongodb://alice:***@127.0.0.1:" in done.stderr  # the -v copy of the log
    assert "mongodb=mongodb://alice:***@127.0.0.1:" in log_text  # the settings line
    assert "cannot reach MongoDB at mongodb://alice:***@127.0.0.1:" in log_text

    shown = cli("locate", env={"TUI_MARKET_MONGODB_URI": uri})
    assert shown.returncode == 0 and PASSWORD not in shown.stdout + shown.stderr
    assert "database  mongodb://alice:***@127.0.0.1:" in shown.stdout


@pytest.mark.parametrize(
    "password",
    ["se/cret-9Q", "se@cret-9Q", "se#cret-9Q", "se?c/ret-9Q", "se:cret-9Q", "se[cret]-9Q"],
)
def test_a_password_that_would_defeat_the_mask_is_refused_unshown(password: str) -> None:
    uri = f"mongodb://alice:{password}@127.0.0.1:{closed_port()}/db?directConnection=true"
    for args, env in (
        (("--mongodb-uri", uri, "symbols", "list"), None),
        (("locate",), {"TUI_MARKET_MONGODB_URI": uri}),
    ):
        done = cli("-v", *args, env=env)
        everything = done.stdout + done.stderr + paths.log_file().read_text()
        assert "cret" not in everything, everything  # no part of the password
        assert "escape the user name and password" in done.stderr
        assert done.returncode == (2 if args[0] != "locate" else 0)
    escaped = f"mongodb://alice:{quote_plus(password)}@127.0.0.1:9/db"
    assert load_settings(mongodb_uri=escaped).mongodb_uri == escaped  # the fix it names


@pytest.fixture
def auth_server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A server of our own with a user 'alice' (secantus checks SCRAM credentials):
    yields (the URI with the password, the host:port)."""
    server = EmbeddedServer(tmp_path / "auth")
    plain = server.acquire()
    client: MongoClient = MongoClient(plain)
    client.admin.command("createUser", "alice", pwd=PASSWORD, roles=["root"])
    client.close()
    host = plain.split("://", 1)[1].split("/", 1)[0]
    try:
        yield f"mongodb://alice:{PASSWORD}@{host}/?directConnection=true&authSource=admin", host
    finally:
        server.release()


async def test_a_working_uri_with_a_password_is_masked_in_the_log_and_the_health_line(
    auth_server: tuple[str, str],
    app_log: Path,
) -> None:
    uri, host = auth_server
    added = cli("-v", "--mongodb-uri", uri, "--provider", "replay", "symbols", "add", "NASDAQ:AAPL")
    assert added.returncode == 0, added.stderr
    assert PASSWORD not in added.stdout + added.stderr + paths.log_file().read_text()
    assert "alice:***@" in paths.log_file().read_text()
    wrong: MongoClient = MongoClient(uri.replace(PASSWORD, "wrong"), serverSelectionTimeoutMS=3000)
    with pytest.raises(OperationFailure, match="authentication failed"):  # it is checked
        wrong.admin.command("ping")
    wrong.close()

    settings = load_settings(mongodb_uri=uri)
    async with open_runtime(settings, seed=False, providers=offline_providers) as runtime:
        app = make_app(settings, runtime, live=False)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            health = str(app.screen.query_one(HealthLine).render())
            shown = [f"{n.title} {n.message}" for n in app._notifications]
            await pilot.press("q")
    assert f"DB remote {host}" in health, health
    assert "alice" not in health and PASSWORD not in health
    assert not any(PASSWORD in text for text in shown)
    for handler in logging.getLogger().handlers:
        handler.flush()
    log_text = app_log.read_text()
    assert "mongodb=mongodb://alice:***@" in log_text and PASSWORD not in log_text
