"""Offline demo throughput: replay ticks per second (speed=None) and history per interval.

python benchmarks/bench_replay.py [N_TICKS]
"""

from __future__ import annotations

import asyncio
import sys
import time

from tui_market.models import Interval, Tick
from tui_market.providers.replay import ReplayProvider, ReplayQuoteStream
from tui_market.providers.replay.data import ReplayData


async def main(n_ticks: int) -> None:
    t0 = time.perf_counter()
    data = ReplayData.load()
    print(f"load demo data: {time.perf_counter() - t0:.3f} s")
    stream = ReplayQuoteStream(data, speed=None, start=1.7e9)
    await stream.set_symbols(set(data.symbols))
    count, t0 = 0, time.perf_counter()
    async for event in stream.events():
        if isinstance(event, Tick):
            count += 1
            if count == n_ticks:
                break
    print(f"ticks, {len(data.symbols)} symbols: {count / (time.perf_counter() - t0):,.0f}/s")
    provider = ReplayProvider(data)
    for interval in (Interval.M1, Interval.H1, Interval.D1, Interval.MN1):
        t0 = time.perf_counter()
        bars = await provider.fetch_ohlcv("BTCUSD", "BITSTAMP", interval, 5000)
        print(
            f"history BTCUSD {interval.value}: {len(bars)} bars in {time.perf_counter() - t0:.3f} s"
        )


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
