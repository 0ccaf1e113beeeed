"""The TUI's early start (tui_market/__main__.py): the embedded server is begun before the
slow imports, for the data dir the settings will name, and handed over only when they agree.

Real servers in temp data dirs (stopped at the end of each test), the real settings.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.procs import server_pids
from tui_market.__main__ import root_options, tui_data_dir
from tui_market.infrastructure.early_server import EarlyServer
from tui_market.settings import load_settings

pytestmark = pytest.mark.skipif(
    "TUI_MARKET_TEST_MONGODB_URI" in os.environ, reason="early-start tests use secantus"
)


@pytest.fixture
def dirs(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """Two temp data dirs; any server still running in them at the end is killed."""
    first, second = tmp_path / "a", tmp_path / "b"
    yield first, second
    for pid in server_pids(first) + server_pids(second):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)


def test_only_a_tui_invocation_is_read() -> None:
    assert root_options(["--demo", "--data-dir", "/d", "--interval=1m", "-v"]) == {
        "demo": "true",
        "data_dir": "/d",
        "interval": "1m",
    }
    for argv in (["sync"], ["--demo", "symbols", "list"], ["--help"], ["--unknown"]):
        assert root_options(argv) is None, argv


def test_the_data_dir_is_the_settings_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Flag over environment over config file: whatever ``load_settings`` decides."""
    config = tmp_path / "config.toml"
    config.write_text(f'data_dir = "{tmp_path}/from-file"\n')
    flag = ["--config", str(config)]
    assert tui_data_dir(flag) == tmp_path / "from-file"
    monkeypatch.setenv("tui_market_data_dir", f"{tmp_path}/from-env")  # any case
    assert tui_data_dir(flag) == tmp_path / "from-env"
    assert tui_data_dir([*flag, "--data-dir", "~/x"]) == Path("~/x").expanduser()
    monkeypatch.delenv("tui_market_data_dir")
    assert tui_data_dir([]) == load_settings().data_dir  # the default dir


def test_no_early_server_with_a_uri_a_subcommand_or_a_broken_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uri = "mongodb://127.0.0.1:1"
    assert tui_data_dir(["--mongodb-uri", uri]) is None
    monkeypatch.setenv("TUI_MARKET_MONGODB_URI", uri)
    assert tui_data_dir([]) is None
    monkeypatch.delenv("TUI_MARKET_MONGODB_URI")
    config = tmp_path / "config.toml"
    config.write_text("data_dir = [unclosed\n")
    assert tui_data_dir(["--config", str(config)]) is None
    assert tui_data_dir(["sync"]) is None


def test_the_begun_server_is_handed_over_when_the_settings_name_its_dir(
    dirs: tuple[Path, Path],
) -> None:
    data_dir, _ = dirs
    begun = EarlyServer.begin(data_dir)
    early = EarlyServer.start(load_settings(data_dir=data_dir))
    assert early is begun
    assert early.uri.result(timeout=30).startswith("mongodb://")
    assert len(server_pids(data_dir)) == 1
    early.abandon()  # the last user: stopped
    assert server_pids(data_dir) == []


def _gone(data_dir: Path) -> bool:
    """True once no server runs for ``data_dir`` (a begun server is released in a thread)."""
    for _ in range(300):
        if not server_pids(data_dir):
            return True
        subprocess.run(["sleep", "0.05"], check=True)
    return False


def test_a_wrong_guess_is_released_and_the_right_dir_started(dirs: tuple[Path, Path]) -> None:
    guessed, wanted = dirs
    begun = EarlyServer.begin(guessed)
    early = EarlyServer.start(load_settings(data_dir=wanted))
    assert early is not None and early is not begun and early.data_dir == wanted
    early.uri.result(timeout=30)
    assert len(server_pids(wanted)) == 1
    begun.uri.result(timeout=30)
    assert _gone(guessed)
    early.abandon()


def test_no_server_with_a_uri_and_an_unclaimed_one_is_released(dirs: tuple[Path, Path]) -> None:
    first, second = dirs
    begun = EarlyServer.begin(first)
    assert EarlyServer.start(load_settings(mongodb_uri="mongodb://127.0.0.1:1")) is None
    begun.uri.result(timeout=30)
    assert _gone(first)
    unclaimed = EarlyServer.begin(second)
    unclaimed.uri.result(timeout=30)
    EarlyServer._release_unclaimed()  # what atexit runs
    assert EarlyServer._begun is None and server_pids(second) == []


def test_the_early_start_imports_no_heavy_package() -> None:
    """Begun before typer, pymongo, Textual and Rich are imported (the settings need only
    pydantic)."""
    code = (
        "import sys, tui_market.__main__ as m, tui_market.infrastructure.early_server; "
        "m.tui_data_dir(['--demo']); "
        "print(sorted(p for p in ('typer', 'pymongo', 'textual', 'rich') if p in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"
