from __future__ import annotations

from tui_market.commands.save_bars import SaveBars, SaveBarsHandler
from tui_market.infrastructure import bar_buckets
from tui_market.infrastructure.database import Database, display_host, mask_uri
from tui_market.models import Bar, Interval
from tui_market.queries.get_bars import GetBars, GetBarsHandler


def test_mask_uri_hides_password() -> None:
    assert (
        mask_uri("mongodb://bob:s3cret@db.example:27017/x")
        == "mongodb://bob:***@db.example:27017/x"
    )
    assert "s3cret" not in display_host("mongodb+srv://bob:s3cret@cluster0.example/?x=1")
    assert display_host("mongodb://bob:s3cret@cluster0.example/?x=1") == "cluster0.example"


async def test_bars_round_trip_through_buckets(database: Database) -> None:
    """350 1m bars from the middle of a bucket: stored as ~100-bar documents, read back whole,
    by a range across bucket edges, and as the last N, equal to what was saved."""
    span = Interval.M1.seconds * bar_buckets.BUCKET_BARS
    first = (1_700_000_000 // span) * span + 37 * 60  # 37 bars into a bucket
    bars = [
        Bar.from_epoch(
            "NASDAQ:AAPL", Interval.M1, first + 60 * k, 100.0 + k, 101.0 + k, 99.0, 100.5
        )
        for k in range(350)
    ]
    assert (await SaveBarsHandler(database)(SaveBars(tuple(bars)))).new == 350
    buckets = [d async for d in database.get_collection(bar_buckets.BARS).find({})]
    assert len(buckets) == 4  # 63 + 100 + 100 + 87 bars
    assert sorted(d["n"] for d in buckets) == [63, 87, 100, 100]
    get = GetBarsHandler(database)
    assert await get(GetBars("NASDAQ:AAPL", Interval.M1)) == bars
    middle = await get(GetBars("NASDAQ:AAPL", Interval.M1, start=bars[50].time, end=bars[180].time))
    assert middle == bars[50:181]
    assert await get(GetBars("NASDAQ:AAPL", Interval.M1, last=150)) == bars[-150:]
    assert (
        await get(GetBars("NASDAQ:AAPL", Interval.M1, last=150, end=bars[120].time))
        == (bars[:121][-150:])
    )


def test_bucket_ids_and_bar_keys_sort_in_time_order() -> None:
    times = (59, 600, 1_700_000_000, 1_800_000_000)
    assert [bar_buckets.bar_key(t) for t in times] == sorted(bar_buckets.bar_key(t) for t in times)
    ids = [bar_buckets.bucket_id("X:Y", Interval.M1, t) for t in times]
    assert ids == sorted(ids)
