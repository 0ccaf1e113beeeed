"""Alerts on the live path: 1,000 alerts over 50 symbols at 2,000 ticks/s.

The live path is ``QuoteService`` (the same loop as the TUI's live worker and ``watch``): a
synthetic stream (``live_fixture.SyntheticStream``, 50 symbols, paced against the wall clock) ->
QuoteManager/BarManager -> SaveBars on an embedded server. It runs twice per round, without
and with an ``AlertWatch`` holding 1,000 stored alerts (20 per symbol: 8 above and 8 below the
price in 0.5 % steps, 2 change +-N %, 2 bar-close; half re-arming), alternating, several rounds.
CPU: this process's CPU time over wall time in the window (the stream's work included, as a
real feed's socket reading would be); the embedded server's CPU from /proc (it answers the
alerts' reload every 2 s and stores each firing). The overhead is (with - without) / without.

The paced CPU share is a few per cent and moves by a point from run to run on a shared
machine, so the cost is also measured per tick, which is steadier: the same live path fed
``FAST_TICKS`` ticks as fast as it takes them (``BurstStream``), CPU time per tick with and
without the alerts, best of ``--rounds`` alternating runs; at 2,000 ticks/s a tick's cost in
microseconds x 0.2 is the CPU share in per cent.

Also the pure cost: ``AlertManager.on_tick`` alone with the same 1,000 alerts, per tick.

    python benchmarks/bench_alerts.py            # 3 rounds of 2 x 20 s
    python benchmarks/bench_alerts.py --quick    # 1 round of 2 x 8 s
    python benchmarks/bench_alerts.py --firing   # levels within reach: ~20 firings a second
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

from live_fixture import SyntheticProvider, SyntheticStream, proc_cpu_seconds, server_pid, symbols

from tui_market.commands.add_alert import AddAlert
from tui_market.commands.add_symbol import AddSymbol
from tui_market.infrastructure.database import Database
from tui_market.infrastructure.embedded import EmbeddedServer
from tui_market.infrastructure.interfaces import FeedState, FeedStatus, QuoteEvent
from tui_market.managers.alert_manager import AlertManager
from tui_market.models import Interval, Tick
from tui_market.models.alert import AlertKind
from tui_market.queries.list_alerts import ListAlerts
from tui_market.runtime import make_bus
from tui_market.services.alert_service import AlertWatch
from tui_market.services.bus import Bus
from tui_market.services.quote_service import QuoteService

N_SYMBOLS, RATE, PER_SYMBOL, GOAL = 50, 2000.0, 20, 0.10
FAST_TICKS = 200_000


class BurstStream(SyntheticStream):
    """The synthetic prices, ``FAST_TICKS`` of them as fast as the consumer reads, then stop."""

    async def events(self) -> AsyncIterator[QuoteEvent]:
        yield FeedState(FeedStatus.LIVE)
        names = self._symbols
        for i in range(FAST_TICKS):
            symbol = names[i % len(names)]
            step = 0.01 if (i * 7919) % 3 else -0.01
            price = self._price[symbol] = round(self._price[symbol] + step, 2)
            self.sent += 1
            yield Tick(symbol, time.time(), price, float(i))
            if i % 1000 == 999:
                await asyncio.sleep(0)  # let the flush and reload timers run, as the socket would
        yield FeedState(FeedStatus.STOPPED)


async def burst_run(bus: Bus, names: list[str], alerts: bool) -> float:
    """CPU microseconds per tick of the live path over ``FAST_TICKS`` ticks."""
    stream = BurstStream(RATE)
    watch = AlertWatch(bus, "watch") if alerts else None
    service = QuoteService(stream, bus, SyntheticProvider(), [Interval.M1], alerts=watch)
    await service.set_symbols(set(names))
    cpu0 = time.process_time()
    await service.run(lambda event: None)
    return (time.process_time() - cpu0) / FAST_TICKS * 1e6


async def add_alerts(bus: Bus, names: list[str], firing: bool) -> None:
    scale = 1.0 if firing else 10.0  # quiet: 10x further away
    for s, name in enumerate(names):
        for i in range(PER_SYMBOL):
            rearm = (i + s) % 2 == 0
            if i < 16:
                step = (i % 8 + 1) * 0.005 * scale
                kind = AlertKind.ABOVE if i < 8 else AlertKind.BELOW
                level = 100.0 * (1 + step if kind is AlertKind.ABOVE else 1 - step)
                await bus.execute(AddAlert(name, kind, round(level, 4), rearm=rearm))
            elif i < 18:
                change = 0.5 * (i - 15) * scale
                await bus.execute(AddAlert(name, AlertKind.CHANGE, change, rearm=rearm))
            else:
                kind = AlertKind.CLOSE_ABOVE if i == 18 else AlertKind.CLOSE_BELOW
                level = 100.0 + (0.1 if i == 18 else -0.1) * scale * 3
                await bus.execute(AddAlert(name, kind, level, Interval.M1, rearm=rearm))


async def one_run(
    bus: Bus, names: list[str], seconds: float, alerts: bool, pid: int | None
) -> tuple[float, float, float, int]:
    """(process CPU share, server CPU share, ticks/s, alerts fired) over the window."""
    stream = SyntheticStream(RATE)
    watch = AlertWatch(bus, "watch") if alerts else None
    service = QuoteService(stream, bus, SyntheticProvider(), [Interval.M1], alerts=watch)
    await service.set_symbols(set(names))
    running = asyncio.create_task(service.run(lambda event: None))
    await asyncio.sleep(2.0)  # warm-up
    sent0, wall0, cpu0 = stream.sent, time.perf_counter(), time.process_time()
    srv0 = proc_cpu_seconds(pid) if pid else 0.0
    await asyncio.sleep(seconds)
    wall = time.perf_counter() - wall0
    cpu = (time.process_time() - cpu0) / wall
    srv = (proc_cpu_seconds(pid) - srv0) / wall if pid else float("nan")
    ticks = (stream.sent - sent0) / wall
    await stream.close()
    await running
    return cpu, srv, ticks, watch.fired if watch is not None else 0


async def pure_cost(bus: Bus, ticks: int = 200_000) -> float:
    """Microseconds per tick of ``AlertManager.on_tick`` with the stored alerts."""
    manager = AlertManager(await bus.execute(ListAlerts(active_only=True)))
    names = symbols(N_SYMBOLS)
    feed = [
        Tick(names[i % N_SYMBOLS], float(i), 100.0 + ((i * 7919) % 401 - 200) / 100.0)
        for i in range(ticks)
    ]
    start = time.process_time()
    for tick in feed:
        manager.on_tick(tick, 100.0)
    return (time.process_time() - start) / ticks * 1e6


async def main(rounds: int, seconds: float, firing: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-alerts-") as tmp:
        server = EmbeddedServer(Path(tmp) / "server")
        uri = await asyncio.to_thread(server.acquire)
        db = await Database.connect(uri, f"bench_{uuid.uuid4().hex[:8]}", embedded=True)
        try:
            bus = make_bus(db, SyntheticProvider())
            names = symbols(N_SYMBOLS)
            for name in names:
                await bus.execute(AddSymbol(name))
            await add_alerts(bus, names, firing)
            print(f"workload: {'firing' if firing else 'quiet'}")
            pid = server_pid(Path(tmp) / "server")
            print(f"pure: AlertManager.on_tick {await pure_cost(bus):.2f} us/tick, 1,000 alerts")
            burst: dict[bool, list[float]] = {False: [], True: []}
            for r in range(max(rounds, 3)):
                for alerts in (False, True) if r % 2 == 0 else (True, False):
                    burst[alerts].append(await burst_run(bus, names, alerts))
            base, more = min(burst[False]), min(burst[True])
            print(
                f"per tick (best of {len(burst[True])}): {base:.2f} us without, {more:.2f} us with "
                f"1,000 alerts: +{more - base:.2f} us a tick = +{(more - base) * RATE / 1e4:.2f}% "
                f"CPU at {RATE:,.0f} ticks/s"
            )
            results: dict[bool, list[tuple[float, float, float, int]]] = {False: [], True: []}
            for r in range(rounds):
                for alerts in (False, True) if r % 2 == 0 else (True, False):
                    result = await one_run(bus, names, seconds, alerts, pid)
                    results[alerts].append(result)
                    cpu, srv, rate, fired = result
                    label = "with alerts   " if alerts else "without alerts"
                    print(
                        f"  round {r + 1} {label}: CPU {cpu:6.1%}  server {srv:6.1%}  "
                        f"{rate:,.0f} ticks/s  {fired} fired"
                    )
            report(results, (min(burst[True]) - min(burst[False])) * RATE / 1e6)
        finally:
            await db.drop()
            await db.close()
            await asyncio.to_thread(server.release)


def report(results: dict[bool, list[tuple[float, float, float, int]]], added: float) -> None:
    """``added``: the alerts' CPU share at the paced rate, from the per-tick cost."""
    without = statistics.median(r[0] for r in results[False])
    with_ = statistics.median(r[0] for r in results[True])
    srv_without = statistics.median(r[1] for r in results[False])
    srv_with = statistics.median(r[1] for r in results[True])
    overhead = (with_ - without) / without
    share = added / without
    print(
        f"live path, {N_SYMBOLS} symbols, {RATE:,.0f} ticks/s, median of {len(results[True])}: "
        f"CPU without {without:.1%}, with 1,000 alerts {with_:.1%} ({overhead:+.1%}, paced, "
        f"noisy); server {srv_without:.1%} -> {srv_with:.1%}"
    )
    print(
        f"alerts' cost from the per-tick figure: {added:.2%} CPU = {share:.1%} of the live "
        f"path's {without:.1%} (goal < {GOAL:.0%}: {'met' if share < GOAL else 'NOT met'})"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 round of 2 x 8 s")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--firing", action="store_true", help="levels within the prices' reach")
    args = parser.parse_args()
    rounds, seconds = (1, 8.0) if args.quick else (args.rounds, args.seconds)
    asyncio.run(main(rounds, seconds, args.firing))
