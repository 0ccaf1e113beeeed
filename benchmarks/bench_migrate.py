"""``tui-market migrate`` on a store an earlier version wrote (one document per bar, ``ohlcv``).

The old store is made by inserting the old documents directly (``schema.bar_to_doc``, as the
earlier version's SaveBars left them: ``_id`` = series + zero-padded epoch, with each series'
``sync_state`` document), 50 symbols x 4 intervals x N bars,
into a fresh embedded server; then ``MigrateBars`` runs through the project's handler and is
timed, with the server's RSS before and at its peak (sampled every 10 ms). Afterwards every
series is read back and compared with what was inserted.

    python benchmarks/bench_migrate.py --bars 1500     # 300k bars
    python benchmarks/bench_migrate.py --bars 5000     # 1M bars
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from bench_scale import INTERVALS, PeakRss, series, server_pid, symbols

from tui_market.commands.migrate_bars import MigrateBars, MigrateBarsHandler
from tui_market.infrastructure import schema
from tui_market.infrastructure.database import Database
from tui_market.infrastructure.embedded import EmbeddedServer
from tui_market.queries.get_bars import GetBars, GetBarsHandler


async def run(per_series: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-migrate-") as tmp:
        server = EmbeddedServer(Path(tmp), start_timeout=120)
        uri = await asyncio.to_thread(server.acquire)
        db = await Database.connect(uri, "tui_market", embedded=True)
        try:
            old = db.get_collection(schema.OHLCV)
            states = db.get_collection(schema.SYNC_STATE)
            began = time.perf_counter()
            for symbol in symbols():
                for interval in INTERVALS:
                    docs = [schema.bar_to_doc(bar) for bar in series(symbol, interval, per_series)]
                    await old.insert_many(docs, ordered=False)
                    state = {"symbol": symbol, "interval": interval.value}  # its sync_state
                    await states.insert_one({"_id": schema.sync_id(symbol, interval), **state})
            total = len(symbols()) * len(INTERVALS) * per_series
            print(f"old store: {total:,} bars inserted in {time.perf_counter() - began:.0f} s")
            with PeakRss(server_pid(Path(tmp))) as rss:
                began = time.perf_counter()
                result = await MigrateBarsHandler(db)(MigrateBars())
                took = time.perf_counter() - began
            print(
                f"migrate: {result.read:,} read, {result.written:,} written in {took:.1f} s "
                f"({result.read / took:,.0f} bars/s); "
                f"server RSS {rss.idle:.0f} -> peak {rss.peak:.0f} MB"
            )
            reader = GetBarsHandler(db)
            for symbol in symbols()[:3]:
                for interval in INTERVALS:
                    want = list(series(symbol, interval, per_series))
                    assert await reader(GetBars(symbol, interval)) == want, (symbol, interval)
            print("read back: equal (3 symbols x 4 intervals checked)")
        finally:
            await db.close()
            await asyncio.to_thread(server.release)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bars", type=int, default=1500, help="bars per series (x 200 series)")
    asyncio.run(run(parser.parse_args().bars))


if __name__ == "__main__":
    main()
