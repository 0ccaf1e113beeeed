"""Mixed bar alignment: the pure check, and ``tui-market realign`` on the real database with
bars written the old way (UTC hours, as the live service saved them before sessions were known).

Oracle for the check: the session grid of NASDAQ's day built by pandas in New York time.
"""

from __future__ import annotations

import asyncio

import pandas as pd
from typer.testing import CliRunner, Result

from tui_market.cli import app
from tui_market.commands.save_bars import SaveBars
from tui_market.infrastructure.database import Database
from tui_market.managers.bar_align import aggregate, check_alignment
from tui_market.managers.session_clock import UTC_CLOCK, SessionClock
from tui_market.models import Bar, Interval
from tui_market.models.symbol_info import SymbolInfo
from tui_market.providers.replay import ReplayProvider
from tui_market.queries.get_bars import GetBars
from tui_market.queries.series_times import SeriesTimes
from tui_market.services.bus import Bus

NY = "America/New_York"
NASDAQ = SymbolInfo(timezone=NY, session="0930-1600")
AAPL, BTC = "NASDAQ:AAPL", "BITSTAMP:BTCUSD"


def epochs(index: pd.DatetimeIndex) -> list[int]:
    return [int(t.timestamp()) for t in index]


def test_the_check_finds_utc_hours_in_a_session_series() -> None:
    day = "2024-01-17"  # a Wednesday in winter: the session is 14:30-21:00 UTC
    session = pd.date_range(f"{day} 09:30", f"{day} 16:00", freq="1h", inclusive="left", tz=NY)
    old = pd.date_range(f"{day} 13:00", f"{day} 22:00", freq="1h", inclusive="left", tz="UTC")
    clock = SessionClock(NASDAQ)

    clean = check_alignment(epochs(session), Interval.H1, clock)
    assert (clean.total, clean.needs_realign, clean.to_drop) == (7, False, ())

    mixed = check_alignment(epochs(session) + epochs(old), Interval.H1, clock)
    in_session = old[(old >= session[0]) & (old < session[-1] + pd.Timedelta("30min"))]
    assert mixed.misaligned == tuple(epochs(in_session))  # 15:00 .. 20:00 UTC
    # 13:00 and 14:00 UTC (08:00, 09:00 New York) and 21:00 (16:00) are steps of the closed
    # market's grid, but in a series that needs realigning they are old bars too
    closed = [t for t in old if t < session[0] or t >= session[-1] + pd.Timedelta("30min")]
    assert mixed.to_drop == tuple(sorted([*mixed.misaligned, *epochs(pd.DatetimeIndex(closed))]))
    assert set(mixed.to_drop).isdisjoint(epochs(session))

    crypto = check_alignment(epochs(old), Interval.H1, UTC_CLOCK)  # 24x7: UTC is its grid
    assert not crypto.needs_realign and crypto.to_drop == ()


def cli(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


async def old_way_bars(provider: ReplayProvider, symbol: str) -> list[Bar]:
    """AAPL's 1h bars of its last two recorded days as the live service once saved them:
    its 1m history rolled up into UTC hours."""
    minutes = await provider.fetch_ohlcv(symbol, "", Interval.M1, 2 * 390)
    rows = [(b.epoch, b.open, b.high, b.low, b.close, b.volume) for b in minutes]
    return [
        Bar.from_epoch(symbol, Interval.H1, *row) for row in aggregate(rows, Interval.H1, UTC_CLOCK)
    ]


async def test_realign_reports_then_fixes_a_mixed_series(
    database: Database, mongo_uri: str
) -> None:
    base = ["--mongodb-uri", mongo_uri, "--database", database.name, "--provider", "replay"]
    provider = ReplayProvider()
    bus = Bus(database, provider)
    for step in (
        ("symbols", "add", AAPL, BTC),  # their metadata: AAPL New York, BTCUSD 24x7
        ("sync", AAPL, BTC, "--interval", "1h", "--bars", "40"),
    ):
        done = await asyncio.to_thread(cli, *base, *step)
        assert done.exit_code == 0, done.output
    synced = await bus.execute(GetBars(AAPL, Interval.H1))
    old = await old_way_bars(provider, AAPL)
    await bus.execute(SaveBars(tuple(old)))
    times = (await bus.execute(SeriesTimes(AAPL)))[Interval.H1]
    assert set(times) == {b.epoch for b in synced} | {b.epoch for b in old}  # mixed
    btc_before = await bus.execute(GetBars(BTC, Interval.H1))

    report = await asyncio.to_thread(cli, *base, "realign")
    assert report.exit_code == 1, report.output
    check = check_alignment(times, Interval.H1, SessionClock(NASDAQ))
    lines = report.stdout.splitlines()
    assert f"{AAPL} 1h: {len(times)} bars, {len(check.misaligned)} off the session grid" in lines[0]
    assert lines[1] == f"{BTC} 1h: {len(btc_before)} bars, aligned"
    assert await bus.execute(SeriesTimes(AAPL)) == {Interval.H1: times}  # a check changes nothing

    fixed = await asyncio.to_thread(cli, *base, "realign", "--fix", "--bars", "40")
    assert fixed.exit_code == 0, fixed.output
    assert f"dropped {len(check.to_drop)} (" in fixed.stdout.splitlines()[0]
    after = await bus.execute(GetBars(AAPL, Interval.H1))
    clock = SessionClock(NASDAQ)
    assert not check_alignment([b.epoch for b in after], Interval.H1, clock).needs_realign
    provider_bars = await provider.fetch_ohlcv(AAPL, "", Interval.H1, 40)
    assert [(b.epoch, b.close, b.volume) for b in after] == [
        (b.epoch, b.close, b.volume) for b in provider_bars
    ]
    assert await bus.execute(GetBars(BTC, Interval.H1)) == btc_before  # untouched
    again = await asyncio.to_thread(cli, *base, "realign")
    assert again.exit_code == 0 and "aligned" in again.stdout.splitlines()[0]

    unknown = await asyncio.to_thread(cli, *base, "realign", "NYSE:IBM", "--fix")
    assert unknown.exit_code == 1
    assert (
        unknown.stderr.strip()
        == "tui-market: NYSE:IBM: not in the watchlist (its session is not known)"
    )
