"""The fake TradingView server as a separate process for the soak test: N symbols, a steady
tick rate, every connection dropped after ``--drop-every`` seconds. Prints its URL on the
first line of stdout and serves until stdin closes (the test ended or died) or SIGTERM.

    python -m tests.fakes.tv_soak_server --symbols 50 --rate 500 --drop-every 10
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import signal
import sys
import threading
import time

from tests.fakes.tv_data import load_market_data
from tests.fakes.tv_server import FakeTradingViewServer

TICK = 0.01  # seconds between batches of ticks


def soak_symbols(n: int) -> list[str]:
    return [f"SOAK:S{i:02d}" for i in range(n)]


async def feed(server: FakeTradingViewServer, names: list[str], rate: float) -> None:
    """Round-robin ticks at ``rate`` per second in total: a random walk, cumulative volume."""
    rng = random.Random(11)
    price = dict.fromkeys(names, 100.0)
    volume = dict.fromkeys(names, 1000.0)
    started, sent = time.monotonic(), 0
    while True:
        due = int((time.monotonic() - started) * rate) - sent
        for _ in range(max(0, due)):
            name = names[sent % len(names)]
            sent += 1
            price[name] = round(max(1.0, price[name] + rng.choice((-0.01, 0.01))), 2)
            volume[name] += rng.randint(1, 9)
            await server.push_quote(name, price[name], int(time.time()), volume[name])
        await asyncio.sleep(TICK)


def stop_at_eof(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
    """Set ``stop`` when stdin closes (the parent is gone), from a daemon thread."""

    def wait() -> None:
        sys.stdin.read()
        loop.call_soon_threadsafe(stop.set)

    threading.Thread(target=wait, daemon=True).start()


async def main(n: int, rate: float, drop_every: float | None) -> None:
    market = load_market_data()
    now = int(time.time()) // 60 * 60
    names = soak_symbols(n)
    for name in names:
        rows = [[now - 60 * k, 100.0, 100.5, 99.5, 100.0, 10.0] for k in range(5, 0, -1)]
        market.set_bars(name, rows)
    async with FakeTradingViewServer(
        market, heartbeat_every=5.0, echo_window=5.0, drop_every=drop_every
    ) as server:
        print(server.url, flush=True)
        stop, loop = asyncio.Event(), asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        stop_at_eof(loop, stop)
        tasks = [asyncio.create_task(feed(server, names, rate)), asyncio.create_task(stop.wait())]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        server.drop_all("soak server stopping")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--symbols", type=int, default=50)
    parser.add_argument("--rate", type=float, default=500.0, help="ticks/s in total")
    parser.add_argument("--drop-every", type=float, default=10.0, help="0: never")
    args = parser.parse_args()
    asyncio.run(main(args.symbols, args.rate, args.drop_every or None))
