"""Shared fixtures: a real MongoDB-wire server (embedded, or TUI_MARKET_TEST_MONGODB_URI)."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from pymongo import MongoClient

from tests.procs import server_pids
from tui_market.infrastructure.database import Database
from tui_market.infrastructure.embedded import EmbeddedServer
from tui_market.logging_setup import configure_logging


@pytest.fixture(autouse=True)
def isolated_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Keep the developer's own config, themes, data and logs out of every test."""
    home = tmp_path_factory.mktemp("home")
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(var, str(home / var.lower()))
    for var in list(os.environ):
        if var.startswith("TUI_MARKET_") and var != "TUI_MARKET_TEST_MONGODB_URI":
            monkeypatch.delenv(var)
    return home


@pytest.fixture(scope="session")
def mongo_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A running server for the whole session, started by the same code the app uses."""
    external = os.environ.get("TUI_MARKET_TEST_MONGODB_URI")
    if external:
        yield external
        return
    server = EmbeddedServer(tmp_path_factory.mktemp("embedded"))
    uri = server.acquire()
    yield uri
    server.release()


@pytest.fixture
async def database(mongo_uri: str) -> AsyncIterator[Database]:
    """A fresh database per test, dropped afterwards."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    embedded = "TUI_MARKET_TEST_MONGODB_URI" not in os.environ
    db = await Database.connect(mongo_uri, name, embedded=embedded)
    try:
        yield db
    finally:
        await db.drop()
        await db.close()


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    """A temp data dir for an own embedded server; any server still running there at the end
    is killed (a test may have killed or revived it)."""
    yield tmp_path
    for pid in server_pids(tmp_path):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)


@pytest.fixture
def app_log(tmp_path: Path) -> Iterator[Path]:
    """The app's own log file at DEBUG, as ``run_tui`` configures it; handlers restored."""
    before = list(logging.getLogger().handlers)
    level = logging.getLogger().level
    path = tmp_path / "app.log"
    configure_logging("DEBUG", log_path=path)
    yield path
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler not in before:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


@pytest.fixture
def cli_db(mongo_uri: str) -> Iterator[tuple[list[str], MongoClient]]:
    """A fresh database on the session server for a CLI test: the global options pointing the
    CLI at it, and a client handle on it for the test's own reads; dropped afterwards."""
    name = f"test_cli_{uuid.uuid4().hex[:10]}"
    client: MongoClient = MongoClient(mongo_uri)
    yield ["--mongodb-uri", mongo_uri, "--database", name], client[name]
    client.drop_database(name)
    client.close()


@pytest.fixture
def db_args(cli_db: tuple[list[str], MongoClient]) -> list[str]:
    """Only ``cli_db``'s global options."""
    return cli_db[0]


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """The CLI installs its handlers on the root logger; take them off after each test."""
    before = list(logging.getLogger().handlers)
    yield
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler not in before:
            root.removeHandler(handler)
            handler.close()
