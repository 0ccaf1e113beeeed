"""Desk mode: quote latency from the ingester's tick to its followers, and the write rate.

Real processes on one embedded server: the fake TradingView server runs here and sends the
ticks; ``tui-market ingest`` (a subprocess) holds the live connection and publishes; each
follower is a subprocess running a ``DeskFollower`` (the TUI's ``--follow`` feed) that reads
its snapshot every ``POLL`` seconds and prints each new last price with the wall time it
first saw it. Latency = that time minus the time this process sent the tick (one machine,
one clock). The screen adds up to one frame (0.1 s) on top.

- latency: 1, 3 and 10 followers; ``RATE`` ticks/s per symbol on ``LATENCY_SYMBOLS`` symbols
  (each tick a new price), ``WINDOW`` seconds per round; p50 / p99 / max over all followers.
- write rate: the ingester's MongoDB writes per second (counted from a change stream on the
  desk's collections) with 50 symbols ticking ``LOAD_RATE`` times a second each.

    python benchmarks/bench_desk.py            # 20 s rounds
    python benchmarks/bench_desk.py --quick    # 8 s rounds
    python benchmarks/bench_desk.py --rounds 50   # 50 follower processes
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the fake TradingView server of the tests

from tests.fakes.tv_data import load_market_data  # noqa: E402
from tests.fakes.tv_server import FakeTradingViewServer  # noqa: E402
from tui_market.infrastructure.database import Database  # noqa: E402
from tui_market.infrastructure.embedded import EmbeddedServer  # noqa: E402
from tui_market.services.desk_follower import DeskFollower  # noqa: E402

DATABASE = "bench_desk"
SYMBOLS = [f"BENCH:S{i:02d}" for i in range(50)]
LATENCY_SYMBOLS = SYMBOLS[:5]
RATE = 4.0  # ticks/s per symbol in the latency rounds (each gets its own publish round)
LOAD_RATE = 20.0  # ticks/s per symbol for the write-rate round (twice the publish cap)
SERVER_PID: list[int] = []  # the embedded server's pid, for its CPU time
POLL = 0.005  # seconds between a follower's snapshot reads


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


# ---- follower subprocess -----------------------------------------------------------------------
async def follower_main(uri: str) -> None:
    db = await Database.connect(uri, DATABASE)
    follower = DeskFollower(db)
    await follower.set_symbols(set(LATENCY_SYMBOLS))
    running = asyncio.create_task(follower.run(lambda event: None))
    seen: dict[str, float | None] = {}
    ready = False
    while not running.done():
        quotes = follower.snapshot().quotes
        now = time.time()
        for symbol, quote in quotes.items():
            if quote.last != seen.get(symbol):
                seen[symbol] = quote.last
                print(f"{symbol} {quote.last} {now:.6f}", flush=True)
        if not ready and len(quotes) == len(LATENCY_SYMBOLS):
            ready = True
            print("ready", flush=True)
        await asyncio.sleep(POLL)


class Follower:
    def __init__(self, uri: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--follower", uri],
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.strip())

    def seen(self) -> dict[tuple[str, float], float]:
        out: dict[tuple[str, float], float] = {}
        for line in list(self.lines):
            parts = line.split()
            if len(parts) == 3 and parts[1] != "None":
                out.setdefault((parts[0], float(parts[1])), float(parts[2]))
        return out

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# ---- the bench ---------------------------------------------------------------------------------
async def send(
    tv: FakeTradingViewServer, symbols: list[str], rate: float, seconds: float, base: float
) -> dict[tuple[str, float], float]:
    """Ticks round-robin, ``rate`` per second per symbol, each a new price; returns the send
    time of each (symbol, price)."""
    sent: dict[tuple[str, float], float] = {}
    step = 1.0 / (rate * len(symbols))
    start, n = time.monotonic(), 0
    while time.monotonic() - start < seconds:
        symbol = symbols[n % len(symbols)]
        price = round(base + n * 0.01, 2)
        at = time.time()
        await tv.push_quote(symbol, price, int(at), 1000.0 + n)
        sent[(symbol, price)] = at
        n += 1
        await asyncio.sleep(max(0.0, start + n * step - time.monotonic()))
    return sent


async def latency_round(
    tv: FakeTradingViewServer, uri: str, followers: int, seconds: float, base: float
) -> list[float]:
    procs = [Follower(uri) for _ in range(followers)]
    try:
        deadline = time.monotonic() + 60
        while not all("ready" in p.lines for p in procs):
            if time.monotonic() > deadline:
                raise SystemExit("followers did not get ready within 60 s")
            await send(tv, LATENCY_SYMBOLS, RATE, 0.5, base - 50)  # warm-up prices
        cpu, started = cpu_seconds(SERVER_PID[0]), time.monotonic()
        sent = await send(tv, LATENCY_SYMBOLS, RATE, seconds, base)
        busy = (cpu_seconds(SERVER_PID[0]) - cpu) / (time.monotonic() - started)
        await asyncio.sleep(2.0)
        lags = []
        missed = 0
        for proc in procs:
            seen = proc.seen()
            for key, at in sent.items():
                if key in seen:
                    lags.append(seen[key] - at)
                else:
                    missed += 1  # superseded before the publish round: not published
        print(
            f"  {followers:>2} followers: {len(sent)} ticks sent, {len(lags)} seen "
            f"({missed} superseded within a publish round); database server CPU "
            f"{busy:.0%} of a core",
            flush=True,
        )
        return lags
    finally:
        for proc in procs:
            proc.stop()


async def write_rate(tv: FakeTradingViewServer, uri: str, seconds: float) -> None:
    db = await Database.connect(uri, DATABASE)
    counts: Counter[str] = Counter()
    stream = await db.client.get_database(DATABASE).watch()

    async def count() -> None:
        async for change in stream:
            counts[change["ns"]["coll"]] += 1

    counting = asyncio.create_task(count())
    await asyncio.sleep(0.5)
    cpu, started = cpu_seconds(SERVER_PID[0]), time.monotonic()
    sent = await send(tv, SYMBOLS, LOAD_RATE, seconds, 300.0)
    elapsed = time.monotonic() - started
    busy = (cpu_seconds(SERVER_PID[0]) - cpu) / elapsed
    await asyncio.sleep(0.5)
    counting.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await counting
    await stream.close()
    await db.close()
    total = sum(counts.values())
    print(f"write rate, 50 symbols, {len(sent) / elapsed:,.0f} ticks/s sent for {elapsed:.1f} s:")
    for coll, n in counts.most_common():
        print(f"  {coll}: {n / elapsed:,.1f} writes/s")
    print(f"  total: {total / elapsed:,.1f} writes/s ({total / elapsed / 50:.2f} per symbol)")
    print(f"  database server CPU {busy:.0%} of a core (one change stream: this counter's)")


async def main(seconds: float, rounds: list[int]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server = EmbeddedServer(Path(tmp))
        uri = server.acquire()
        SERVER_PID.append(json.loads((Path(tmp) / "server.json").read_text())["pid"])
        market = load_market_data()
        now = int(time.time()) // 60 * 60
        for symbol in SYMBOLS:
            market.set_bars(
                symbol, [[now - 60 * k, 100.0, 100.5, 99.5, 100.0, 10.0] for k in (2, 1)]
            )
        ingest = None
        try:
            async with FakeTradingViewServer(market, heartbeat_every=5.0) as tv:
                args = ["--mongodb-uri", uri, "--database", DATABASE, "ingest", "--ws-url"]
                ingest = subprocess.Popen(
                    ["tui-market", *args, tv.url, "-i", "1m", *SYMBOLS],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                while len(tv.live) == 0 or not tv.live[0].state.quotes:
                    await asyncio.sleep(0.2)
                await asyncio.sleep(3.0)  # the ingester's start-up (backfill) settles
                print(f"load before: {os.getloadavg()[0]:.2f}")
                print("quote latency, ingester tick -> follower snapshot (feed):")
                for k, followers in enumerate(rounds):
                    lags = await latency_round(tv, uri, followers, seconds, 1000.0 + 1000 * k)
                    ms = [lag * 1000 for lag in lags]
                    print(
                        f"  {followers:>2} followers: p50 {percentile(ms, 50):.0f} ms, "
                        f"p99 {percentile(ms, 99):.0f} ms, max {max(ms):.0f} ms "
                        f"(n={len(ms)}, load {os.getloadavg()[0]:.2f})",
                        flush=True,
                    )
                await write_rate(tv, uri, seconds)
        finally:
            if ingest is not None:
                ingest.terminate()
                ingest.wait(30)
            server.release()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--follower", metavar="URI")
    parser.add_argument("--rounds", default="1,3,10", help="follower counts, e.g. 1,3,10,50")
    args = parser.parse_args()
    if args.follower:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(follower_main(args.follower))
    else:
        rounds = [int(n) for n in args.rounds.split(",")]
        asyncio.run(main(8.0 if args.quick else 20.0, rounds))
