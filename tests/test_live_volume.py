"""Volume of live bars, the first full one included, against pandas over the replayed ticks.

The real live path: the demo's replay stream (real DJ:DJI 1m bars, 4 ticks a bar) -> the
QuoteService with its start-up backfill from the replay provider -> SaveBars -> MongoDB. The
oracle is built independently: the same replay's ticks (a second stream, same parameters),
their cumulative session volume differenced by pandas (a session starts from 0, so the first
trade's cumulative value is its own volume; a drop is a new session), then ``resample``.
Every traded unit must be counted once: once, the first tick's volume was dropped (a full bar
stored 402,442 of its real 536,590).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pandas as pd
import pytest

from tui_market.infrastructure.database import Database
from tui_market.models import Interval, Tick
from tui_market.providers.replay import ReplayProvider, ReplayQuoteStream
from tui_market.queries.get_bars import GetBars
from tui_market.services.bus import Bus
from tui_market.services.quote_service import QuoteService

SYMBOL = "DJ:DJI"
START = datetime(2025, 11, 19, 15, 0, 20, tzinfo=UTC).timestamp()  # mid-minute
PER_BAR = 4
BARS = 15  # full 1m bars played (three full 5m bars)
LAG = 900  # DJ:DJI comes 15 minutes late (delayed_streaming_900): trades and history alike


def stream() -> ReplayQuoteStream:
    return ReplayQuoteStream(speed=None, start=START, ticks_per_bar=PER_BAR)


async def replayed_ticks(count: int) -> list[Tick]:
    replay = stream()
    await replay.set_symbols({SYMBOL})
    events = replay.events()
    ticks: list[Tick] = []
    async for event in events:
        if isinstance(event, Tick):
            ticks.append(event)
            if len(ticks) == count:
                break
    await replay.close()
    await events.aclose()  # type: ignore[attr-defined]
    return ticks


def oracle(ticks: list[Tick], freq: str) -> pd.DataFrame:
    frame = pd.DataFrame(
        {"price": [t.price for t in ticks], "cum": [t.volume for t in ticks]},
        index=pd.to_datetime([t.ts for t in ticks], unit="s", utc=True),
    )
    traded = frame["cum"].diff()
    reset = traded.isna() | (traded < 0)  # the session's first trade, or a new session
    frame["volume"] = traded.where(~reset, frame["cum"])
    bars = frame.resample(freq, closed="left", label="left").agg(
        {"price": ["first", "max", "min", "last"], "volume": "sum"}
    )
    bars.columns = ["open", "high", "low", "close", "volume"]
    return bars.dropna()


async def test_live_bars_count_every_traded_unit_once(database: Database) -> None:
    replay, provider = stream(), ReplayProvider(now=START - LAG)
    bus = Bus(database, provider)
    service = QuoteService(
        replay,
        bus,
        provider,
        (Interval.M1, Interval.M5),
        backfill_on_start=True,
        clock_every=None,
    )
    await service.set_symbols({SYMBOL})
    task = asyncio.create_task(service.run(lambda event: None))
    last = replay.first_open - LAG + 60 * BARS  # the first tick after the last full bar
    while (quote := service.quote(SYMBOL)) is None or (quote.last_ts or 0) < last:
        await asyncio.sleep(0)
    await replay.close()
    await asyncio.wait_for(task, 30)

    ticks = await replayed_ticks(1 + PER_BAR * BARS)  # the quote snapshot, then the bars
    for interval, freq in ((Interval.M1, "1min"), (Interval.M5, "5min")):
        stored = await bus.execute(GetBars(SYMBOL, interval))
        expected = oracle(ticks, freq)
        ended = expected.index + pd.Timedelta(freq) <= pd.Timestamp(last, unit="s", tz=UTC)
        expected = expected[ended]  # the bar forming at the last tick is not stored
        assert len(stored) == len(expected) == {Interval.M1: BARS, Interval.M5: 3}[interval]
        for bar, (time, row) in zip(stored, expected.iterrows(), strict=True):
            assert bar.time == time.to_pydatetime()
            assert (bar.open, bar.high, bar.low, bar.close) == tuple(row[:4])
            assert bar.volume == pytest.approx(row["volume"]), (interval, bar.time)
    # and the first full bar holds the whole recorded DJ:DJI bar it replays
    first = (await bus.execute(GetBars(SYMBOL, Interval.M1)))[0]
    assert first.epoch == replay.first_open - LAG
    assert first.volume == replay.planned_bar(SYMBOL, 0)[4]
