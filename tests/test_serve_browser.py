"""``tui-market serve`` in a real headless Chromium (Debian's ``chromium`` and
``chromium-driver``; ``.ci/run`` installs them). Skipped, saying why, where they are absent.

The page draws the terminal on a canvas, so the test reads what the browser received: a script
added before the page loads records the websocket's binary frames (the app's terminal output),
and the test waits for the watchlist in them, then presses keys in the page and waits for each
screen's own text. A screenshot is kept as an artifact (``$TUI_MARKET_ARTIFACTS`` or
``artifacts/``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.procs import server_pids
from tui_market.infrastructure.server_process import free_port

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None or DRIVER is None,
    reason="Debian's chromium and chromium-driver are not installed (.ci/run installs them)",
)
RECORD = """
(() => {
  window.__frames = [];
  const decoder = new TextDecoder();
  const Native = window.WebSocket;
  window.WebSocket = function (...args) {
    const ws = new Native(...args);
    ws.addEventListener("message", (event) => {
      if (event.data instanceof ArrayBuffer) window.__frames.push(decoder.decode(event.data));
      else if (event.data instanceof Blob) event.data.text().then((t) => window.__frames.push(t));
      else window.__frames.push(String(event.data));
    });
    return ws;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, Native);
})();
"""


def wait_for(check: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.2)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """``tui-market --demo serve`` on a free loopback port, its own data and config dirs."""
    port = free_port()
    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    env.pop("TUI_MARKET_MONGODB_URI", None)
    argv = [sys.executable, "-m", "tui_market", "--demo", "--data-dir", str(tmp_path / "db")]
    proc = subprocess.Popen(
        [*argv, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )

    def listening() -> bool:
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", port)) == 0

    try:
        wait_for(listening, "the server to listen", timeout=30)
        yield f"http://127.0.0.1:{port}"
    finally:
        # the server, the app it runs for each page, and what they started: one process group
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        for pid in server_pids(tmp_path / "db"):  # an embedded server left by a killed app
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def test_the_dashboard_in_a_browser_shows_the_watchlist_and_keys_switch_screens(
    served: str,
) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--window-size=1400,900", "--disable-gpu"):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=Service(str(DRIVER)))  # no download
    try:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD})
        driver.get(served)

        def received() -> str:
            return "".join(driver.execute_script("return window.__frames || []"))

        mark = 0

        def shows(*texts: str) -> Callable[[], bool]:
            return lambda: all(text in received()[mark:] for text in texts)

        page = driver.find_element(By.TAG_NAME, "body")
        ActionChains(driver).click(page).perform()  # starts the session, focuses the terminal
        wait_for(shows("NASDAQ:AAPL", "Symbols"), "the watchlist in the page")
        terminal = driver.find_element(By.CSS_SELECTOR, "textarea.xterm-helper-textarea")
        # Only what changed is sent: each screen's own words, not the tabs' (already there).
        for key, texts in (("2", ("bars",)), ("3", ("Closes in",))):
            mark = len(received())
            driver.execute_script("arguments[0].focus()", terminal)  # xterm's hidden input
            ActionChains(driver).send_keys(key).perform()
            wait_for(shows(*texts), f"the screen of key {key!r}")
        artifacts = Path(os.environ.get("TUI_MARKET_ARTIFACTS", "artifacts"))
        artifacts.mkdir(parents=True, exist_ok=True)
        assert driver.save_screenshot(str(artifacts / "serve-ticker.png"))
    finally:
        driver.quit()
