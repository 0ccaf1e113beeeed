"""Live screen under load: 50 symbols, 2,000 ticks/s in total, the real app headless.

The app (``make_app(..., live=True)``) runs its real live worker (QuoteService -> BarManager ->
SaveBars on an embedded server) and its 10 Hz frame; the Ticker screen is shown. The stream is
synthetic (``live_fixture.SyntheticStream``) and remembers when it created each price.

- tick-to-screen: each time the ticker table paints a new last price for a symbol on screen,
  the age of that tick (its creation) at the end of the screen refresh that follows the paint
  (rows scrolled out of view are not painted, so they are not counted).
- key press: every 0.25 s alternately ``down``/``up`` on the table (moves the selection, loads
  that symbol's chart); from posting the key to the end of the refresh after the table's
  ``TickerTable.Highlighted`` was handled.
- CPU: this process's CPU time over wall time during the window (it includes the synthetic
  stream, as a real feed's socket reading would be); the embedded server's CPU from /proc.

    python benchmarks/bench_live_load.py            # 60 s window
    python benchmarks/bench_live_load.py --quick    # 10 s window
    python benchmarks/bench_live_load.py --stalls   # also: what the loop ran in stalls > 50 ms
    python benchmarks/bench_live_load.py --indicators ema:21,rsi:14,bb:20,2  # on the live chart
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

from live_fixture import (
    LiveRig,
    live_rig,
    percentile,
    proc_cpu_seconds,
    quit_done,
    settle,
)
from stall_watch import StallWatch
from textual.message import Message

from tui_market.models.live import LiveSnapshot
from tui_market.tui.messages import IndicatorsChosen
from tui_market.tui.screens.ticker import TickerScreen
from tui_market.tui.widgets.ticker_table import TickerTable

GOAL_P99, GOAL_KEY, GOAL_CPU = 0.100, 0.050, 0.50


class Probe:
    def __init__(self, rig: LiveRig) -> None:
        self.rig = rig
        self.ticks: list[float] = []
        self.keys: list[float] = []
        self.key_handled: list[float] = []
        self.key_started: float | None = None
        self.recording = False
        self._shown: dict[str, float | None] = {}

    def hook(self, message: Message) -> None:
        if (
            isinstance(message, TickerTable.Highlighted)
            and self.key_started is not None
            and message.table.id == "ticker-table"
        ):
            started, self.key_started = self.key_started, None
            self.key_handled.append(time.perf_counter() - started)
            message.table.call_after_refresh(self._key_done, started)

    def _key_done(self, started: float) -> None:
        if self.recording:
            self.keys.append(time.perf_counter() - started)

    def watch(self, table: TickerTable) -> None:
        paint = table.paint

        def painted(snapshot: LiveSnapshot, interval: Any) -> None:
            paint(snapshot, interval)
            created = []
            for symbol in table.visible_symbols():  # rows off screen are not painted
                quote = snapshot.quotes.get(symbol)
                if quote is None or quote.last == self._shown.get(symbol):
                    continue
                self._shown[symbol] = quote.last
                at = self.rig.stream.created_at(symbol, quote.last)
                if at is not None:
                    created.append(at)
            if created and self.recording:
                table.call_after_refresh(self._ticks_shown, created)

        table.paint = painted  # type: ignore[method-assign]

    def _ticks_shown(self, created: list[float]) -> None:
        now = time.perf_counter()
        self.ticks.extend(now - at for at in created)


async def measure(
    seconds: float, n_symbols: int, rate: float, stalls: bool = False, indicators: str = ""
) -> None:
    async with live_rig(n_symbols, rate) as rig:
        probe = Probe(rig)
        app = rig.app
        async with app.run_test(size=(120, 36), message_hook=probe.hook) as pilot:
            await settle(pilot)  # first sync of every symbol
            if indicators:  # as the picker does: saved, then drawn on the live chart
                app.post_message(IndicatorsChosen("ticker", indicators))
                while not app.indicators.get("ticker"):
                    await pilot.pause(0.05)
                print(f"indicators on the live chart: {indicators}")
            await pilot.press("3")
            screen = app.mode_screens["ticker"]
            assert isinstance(screen, TickerScreen)
            table = screen.query_one(TickerTable)
            probe.watch(table)
            while len(screen.snapshot.quotes) < n_symbols:
                await pilot.pause(0.1)
            await pilot.pause(2.0)  # warm-up
            probe.recording = True
            watch = StallWatch() if stalls else None
            if watch is not None:
                watch.start()
            sent0, wall0, cpu0 = rig.stream.sent, time.perf_counter(), time.process_time()
            srv0 = proc_cpu_seconds(rig.server_pid) if rig.server_pid else 0.0
            end, step = wall0 + seconds, 1
            while time.perf_counter() < end:
                probe.key_started = time.perf_counter()
                await pilot.press("down" if step > 0 else "up")
                step = -step if table.cursor_row in (0, 5) else step
                await asyncio.sleep(0.25)
            wall = time.perf_counter() - wall0
            cpu = (time.process_time() - cpu0) / wall
            srv = (proc_cpu_seconds(rig.server_pid) - srv0) / wall if rig.server_pid else None
            ticks = (rig.stream.sent - sent0) / wall
            probe.recording = False
            report(probe, seconds, n_symbols, ticks, cpu, srv)
            if watch is not None:
                watch.stop()
                watch.report()
            await pilot.press("q")
            await quit_done(pilot)


def report(
    probe: Probe, seconds: float, n: int, ticks: float, cpu: float, srv: float | None
) -> None:
    ms = [t * 1000 for t in probe.ticks]
    keys = [t * 1000 for t in probe.keys]
    handled = [t * 1000 for t in probe.key_handled]
    p50, p99 = percentile(ms, 50), percentile(ms, 99)
    k50, k99 = percentile(keys, 50), percentile(keys, 99)
    print(
        f"live load: {n} symbols, {ticks:,.0f} ticks/s delivered, {seconds:.0f} s window, "
        f"Ticker screen, headless 120x36"
    )
    print(
        f"  tick-to-screen  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  max {max(ms, default=0):6.1f}"
        f" ms  ({len(ms)} prices painted)  goal p99 < {GOAL_P99 * 1000:.0f} ms: "
        f"{'met' if p99 < GOAL_P99 * 1000 else 'NOT met'}"
    )
    print(
        f"  key press       p50 {k50:6.1f} ms  p99 {k99:6.1f} ms  ({len(keys)} presses; "
        f"handled p99 {percentile(handled, 99):.1f} ms)  goal < {GOAL_KEY * 1000:.0f} ms: "
        f"{'met' if k99 < GOAL_KEY * 1000 else 'NOT met'}"
    )
    print(
        f"  CPU app process {cpu * 100:5.1f}% of one core  goal < {GOAL_CPU * 100:.0f}%: "
        f"{'met' if cpu < GOAL_CPU else 'NOT met'}"
    )
    if srv is not None:
        print(f"  CPU embedded DB {srv * 100:5.1f}% of one core (separate process)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="10 s window instead of 60 s")
    parser.add_argument("--symbols", type=int, default=50)
    parser.add_argument("--rate", type=float, default=2000.0, help="ticks/s in total")
    parser.add_argument(
        "--stalls",
        action="store_true",
        help="attribute loop stalls > 50 ms (stall_watch.py; adds a thread)",
    )
    parser.add_argument(
        "--indicators", default="", help="on the Ticker's live chart, e.g. ema:21,rsi:14,bb:20,2"
    )
    args = parser.parse_args()
    asyncio.run(
        measure(10.0 if args.quick else 60.0, args.symbols, args.rate, args.stalls, args.indicators)
    )
