"""The alignment check that ``tui-market realign`` runs over every stored series of a symbol.

    python benchmarks/bench_realign.py            # 300k bar times per series kind, 3 runs
    python benchmarks/bench_realign.py --quick    # 100k, 3 runs

Pure: ``bar_align.check_alignment`` over open times, with NASDAQ's session clock (New York,
0930-1600). Series: a session-aligned 1m series (every minute of each session, the grid the
history gives), and a 1h series written the old way (every UTC hour, as the live service saved
them before sessions were known), mixed with the session's own 1h bars. Prints the median
seconds and microseconds a bar, and what the check found (so a change in the result shows).
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime

from tui_market.managers.bar_align import AlignmentCheck, check_alignment
from tui_market.managers.session_clock import SessionClock
from tui_market.models import Interval
from tui_market.models.symbol_info import SymbolInfo

NASDAQ = SymbolInfo(timezone="America/New_York", session="0930-1600")
START = 1_704_205_800  # 2024-01-02 14:30 UTC, a session open


def session_minutes(clock: SessionClock, n: int) -> list[int]:
    out: list[int] = []
    t = START
    while len(out) < n:
        if clock.market_status(t) == "open":
            out.append(t)
            t += 60
        else:
            t = clock.next_open(Interval.M1, t)
    return out


def mixed_hours(clock: SessionClock, n: int) -> list[int]:
    """Every UTC hour over the span, plus the session's own 1h bars (09:30 ... 15:30)."""
    utc = [START - START % 3600 + 3600 * k for k in range(n)]
    session = []
    for day in range(0, utc[-1] - START, 86_400):
        opened = clock.first_open(datetime.fromtimestamp(START + day, UTC).date(), until=1)
        if opened is not None:
            session += [opened + 3600 * k for k in range(7)]
    return sorted(set(utc) | set(session))


def timed(times: list[int], interval: Interval, runs: int) -> tuple[float, AlignmentCheck]:
    """Median seconds of the check (a fresh clock each run: no cache carried over)."""
    spent, found = [], None
    for _ in range(runs):
        began = time.perf_counter()
        found = check_alignment(times, interval, SessionClock(NASDAQ))
        spent.append(time.perf_counter() - began)
    assert found is not None
    return statistics.median(spent), found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n = 100_000 if args.quick else 300_000
    clock = SessionClock(NASDAQ)
    cases = (
        ("1m, session-aligned", Interval.M1, session_minutes(clock, n)),
        ("1h, UTC hours mixed in", Interval.H1, mixed_hours(clock, n)),
    )
    for name, interval, times in cases:
        seconds, found = timed(times, interval, 3)
        print(
            f"{name}: {len(times):,} bars in {seconds:.2f} s ({seconds / len(times) * 1e6:.1f} "
            f"us a bar); {len(found.misaligned):,} off the grid, {len(found.to_drop):,} to drop"
        )


if __name__ == "__main__":
    main()
