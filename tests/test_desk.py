"""Desk mode with real processes on the embedded server (issue 13).

One ``tui-market ingest`` over the fake TradingView server holds the only live connection;
three followers read it from the database: two ``tui-market watch --follow`` processes and one
real app (Pilot) started with ``feed = "database"``; told where the (fake) TradingView is, no
follower connects to it. The ingester is fed a scripted tape whose
1m bars are computed independently (``aggregate``); every follower's bars, the ones it printed
or holds for its screen, equal the stored ones, which equal the tape's. The embedded server is
killed (SIGKILL) mid-tape and comes back: no follower loses a bar. Then the ingester is killed:
every follower says "ingester silent".
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from pymongo import MongoClient

from tests.dbdump import JOURNAL, bar_docs
from tests.fakes.scripted_feed import aggregate
from tests.fakes.tv_data import MarketData, load_market_data
from tests.fakes.tv_server import FakeTradingViewServer
from tui_market.infrastructure import bar_buckets, schema
from tui_market.models import Bar, Interval, Tick
from tui_market.runtime import open_runtime
from tui_market.settings import load_settings
from tui_market.tui.app import make_app
from tui_market.tui.widgets.chrome import HealthLine

pytestmark = pytest.mark.skipif(
    "TUI_MARKET_TEST_MONGODB_URI" in os.environ, reason="kills its own embedded server"
)
SYMBOLS = ("DESK:S0", "DESK:S1", "DESK:S2")
DATABASE = "desk"
WAIT = 90.0  # seconds: a generous wait on a loaded 2-core machine (not a speed goal)
STEP = 15  # tape seconds between trades: four a minute
BASE_VOLUME = 50.0  # the fake's quote volume for five history rows of 10
BAR_LINE = re.compile(
    r"^(\d{4}-\d\d-\d\d \d\d:\d\d) (\S+) 1m  O ([\d.]+)  H ([\d.]+)  L ([\d.]+)  C ([\d.]+)"
    r"  V ([\d,]+)$"
)


class Proc:
    """A ``tui-market`` process whose stdout lines are collected by a thread as they come."""

    def __init__(self, args: list[str], env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(
            ["tui-market", *args],
            env={**os.environ, **(env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def has(self, text: str) -> bool:
        return any(text in line for line in list(self.lines))

    def bars(self) -> dict[tuple[str, str], tuple[float, ...]]:
        """The last printed values of each 1m bar: (symbol, minute) -> o, h, l, c, v."""
        out = {}
        for line in list(self.lines):
            m = BAR_LINE.match(line)
            if m:
                minute, symbol, *values = m.groups()
                out[(symbol, minute)] = tuple(float(v.replace(",", "")) for v in values)
        return out

    def stop(self) -> str:
        with contextlib.suppress(ProcessLookupError):
            self.proc.send_signal(signal.SIGINT)
        try:
            _, err = self.proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        return err


async def until(
    predicate: Callable[[], bool],
    what: str,
    timeout: float = WAIT,
    detail: Callable[[], object] = lambda: "",
) -> None:
    """Wait (not a timing assertion) for ``predicate()``."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what} {detail()}")
        await asyncio.sleep(0.1)


def desk_market(start: int) -> MarketData:
    market = load_market_data()
    for symbol in SYMBOLS:  # five past bars of history, so the symbol resolves and backfills
        rows = [[start - 600 - 60 * k, 100.0, 100.5, 99.5, 100.0, 10.0] for k in range(5, 0, -1)]
        market.set_bars(symbol, rows)
    return market


def tape(start: int, rounds: int) -> list[Tick]:
    """Trades in the future (no wall-clock close can end their bars early): a walk per symbol,
    cumulative volume from the quote's."""
    ticks = []
    for k in range(rounds):
        for j, symbol in enumerate(SYMBOLS):
            price = round(100.0 + j + ((k * 7 + j * 3) % 11 - 5) * 0.25, 2)
            ticks.append(Tick(symbol, float(start + k * STEP), price, BASE_VOLUME + k * (j + 1)))
    return ticks


def expected(ticks: list[Tick], start: int) -> dict[tuple[str, int], Bar]:
    """The tape's closed 1m bars (its last minute is still forming), by (symbol, open)."""
    out = {}
    last = Interval.M1.floor(ticks[-1].ts)
    for symbol in SYMBOLS:
        mine = [t for t in ticks if t.symbol == symbol]
        # the quote the fake sends on subscribe is the volume baseline (its bar is older)
        first = Tick(symbol, float(start - 600), mine[0].price, BASE_VOLUME)
        for bar in aggregate([first, *mine], Interval.M1):
            if start <= bar.epoch < last:
                out[(symbol, bar.epoch)] = bar
    return out


def stored(data_dir: Path, start: int) -> dict[tuple[str, int], Bar]:
    port = json.loads((data_dir / "server.json").read_text())["port"]
    client: MongoClient = MongoClient(f"mongodb://127.0.0.1:{port}/?directConnection=true")
    try:
        docs = list(client[DATABASE][bar_buckets.BARS].find({"interval": "1m"}))
        journal = list(client[DATABASE][JOURNAL].find({"i": "1m"}))  # live, not yet folded
        bars = [schema.doc_to_bar(doc) for doc in bar_docs(docs, journal)]
    finally:
        client.close()
    return {(b.symbol, b.epoch): b for b in bars if b.epoch >= start and b.symbol in SYMBOLS}


def as_printed(bar: Bar) -> tuple[float, ...]:
    return (bar.open, bar.high, bar.low, bar.close, float(round(bar.volume)))


def printed_key(key: tuple[str, int]) -> tuple[str, str]:
    return key[0], time.strftime("%Y-%m-%d %H:%M", time.gmtime(key[1]))


def server_pid(data_dir: Path) -> int:
    return int(json.loads((data_dir / "server.json").read_text())["pid"])


async def play(server: FakeTradingViewServer, ticks: list[Tick]) -> None:
    for tick in ticks:
        await server.push_quote(tick.symbol, tick.price, int(tick.ts), tick.volume)
        await asyncio.sleep(0.01)


async def test_one_ingester_three_followers_db_restart_and_ingester_death(
    data_dir: Path,
) -> None:
    start = (int(time.time()) // 60 + 5) * 60  # tape time: minutes ahead of the wall clock
    ticks = tape(start, 48)  # 12 tape minutes, 11 closed bars per symbol
    want = expected(ticks, start)
    phases = (ticks[: 3 * 20], ticks[3 * 20 : 3 * 32], ticks[3 * 32 :])
    common = ["--data-dir", str(data_dir), "--database", DATABASE]
    procs: list[Proc] = []
    async with FakeTradingViewServer(desk_market(start), heartbeat_every=5.0) as tv:
        # followers are told where TradingView is, to show they never connect
        settings = load_settings(
            data_dir=data_dir,
            database=DATABASE,
            feed="database",
            interval="1m",
            watchlist=list(SYMBOLS),
            tv_ws_url=tv.url,
        )
        env = {"TUI_MARKET_TV_WS_URL": tv.url}
        async with open_runtime(settings) as runtime:
            app = make_app(settings, runtime)
            async with app.run_test(size=(160, 40)) as pilot:
                try:
                    followers = [
                        Proc([*common, "watch", "--follow", "-i", "1m", *SYMBOLS], env)
                        for _ in range(2)
                    ]
                    procs += followers
                    await until(
                        lambda: all(f.has("following 3 symbols") for f in followers), "followers"
                    )
                    await until(lambda: app.status.live is not None, "the app's follower")
                    await asyncio.sleep(1.0)  # time to connect, were they to
                    assert tv.connections == [], "a follower connected to TradingView"
                    ingest = Proc([*common, "ingest", "--ws-url", tv.url, "-i", "1m", *SYMBOLS])
                    procs.append(ingest)
                    await until(lambda: all(f.has("ingester: live") for f in followers), "live")
                    await until(
                        lambda: app.health.ingester.startswith("ingester live"), "app: live"
                    )
                    await pilot.press("3")
                    await play(tv, phases[0])
                    await until(lambda: len(stored(data_dir, start)) >= 3 * 4, "bars stored")

                    killed = server_pid(data_dir)
                    os.kill(killed, signal.SIGKILL)
                    await play(tv, phases[1])  # bars close while the database is down
                    await until(
                        lambda: server_pid(data_dir) != killed and app.health.database_up,
                        "the database back",
                    )
                    await play(tv, phases[2])
                    await until(lambda: stored(data_dir, start) == want, "every bar stored")

                    def shown(follower: Proc) -> dict[tuple[str, str], tuple[float, ...]]:
                        # (the bar of the quote sent on subscribe, older, is shown, not saved)
                        first = printed_key((SYMBOLS[0], start))[1]
                        bars = follower.bars().items()
                        return {k: v for k, v in bars if k[0] in SYMBOLS and k[1] >= first}

                    printed = {printed_key(k): as_printed(b) for k, b in want.items()}
                    for follower in followers:

                        def diff(f: Proc = follower) -> object:
                            got = shown(f)
                            return sorted(set(got.items()) ^ set(printed.items()))

                        await until(
                            lambda f=follower: shown(f) == printed,  # type: ignore[misc]
                            "a follower's bars",
                            detail=diff,
                        )

                    def on_screen() -> dict[tuple[str, int], Bar]:
                        recent = app.snapshot.recent
                        held = [b for s in SYMBOLS for b in recent.get((s, Interval.M1), ())]
                        return {(b.symbol, b.epoch): b for b in held if b.epoch >= start}

                    await until(lambda: on_screen() == want, "the app's bars")
                    last_minute = Interval.M1.floor(ticks[-1].ts)
                    for symbol in SYMBOLS:  # the forming bar and last price, as the tape has them
                        mine = [t for t in ticks if t.symbol == symbol]
                        tape_bar = aggregate(mine, Interval.M1)[-1]
                        await until(
                            lambda s=symbol, p=mine[-1].price: app.snapshot.quotes[s].last == p,  # type: ignore[misc]
                            "the app's last price",
                        )
                        forming = app.snapshot.quotes[symbol].forming[Interval.M1]
                        assert forming.epoch == tape_bar.epoch == last_minute
                        assert (forming.open, forming.high, forming.low, forming.close) == (
                            tape_bar.open,
                            tape_bar.high,
                            tape_bar.low,
                            tape_bar.close,
                        )

                    ingest.proc.send_signal(signal.SIGKILL)
                    await until(
                        lambda: all(f.has("ingester: silent") for f in followers),
                        "followers: silent",
                    )
                    await until(
                        lambda: app.health.ingester.startswith("ingester silent"), "app: silent"
                    )
                    await pilot.pause(0.2)
                    assert "ingester silent" in str(app.screen.query_one(HealthLine).render())
                finally:
                    for proc in procs:
                        proc.stop()
                await app.status.stop()


@pytest.mark.parametrize(
    "command", [["ingest", "AAPL"], ["watch", "--follow", "NASDAQ:"], ["ingest", "-i", "7x"]]
)
def test_bad_input_to_ingest_or_follow_is_one_line_and_stores_nothing(
    mongo_uri: str, command: list[str]
) -> None:
    name = f"test_desk_bad_{os.getpid()}"
    done = subprocess.run(
        ["tui-market", "--mongodb-uri", mongo_uri, "--database", name, *command],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tui-market: ")
    client: MongoClient = MongoClient(mongo_uri)
    try:
        assert name not in client.list_database_names()
    finally:
        client.close()
