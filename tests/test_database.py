from __future__ import annotations

from datetime import UTC, datetime

from tui_market.infrastructure import schema
from tui_market.infrastructure.database import Database, display_host, mask_uri
from tui_market.models import Bar, Interval


def test_mask_uri_hides_password() -> None:
    assert (
        mask_uri("mongodb://bob:s3cret@db.example:27017/x")
        == "mongodb://bob:***@db.example:27017/x"
    )
    assert "s3cret" not in display_host("mongodb+srv://bob:s3cret@cluster0.example/?x=1")
    assert display_host("mongodb://bob:s3cret@cluster0.example/?x=1") == "cluster0.example"


async def test_bar_round_trips_through_mongo(database: Database) -> None:
    bar = Bar(
        symbol="NASDAQ:AAPL",
        interval=Interval.H1,
        time=datetime(2024, 5, 1, 13, tzinfo=UTC),
        open=1.0,
        high=2.0,
        low=0.5,
        close=1.5,
        volume=10,
    )
    await database.get_collection(schema.OHLCV).insert_one(schema.bar_to_doc(bar))
    doc = await database.get_collection(schema.OHLCV).find_one(
        {"_id": schema.id_range("NASDAQ:AAPL", Interval.H1)}
    )
    assert doc is not None
    assert schema.doc_to_bar(doc) == bar


def test_bar_ids_sort_in_time_order() -> None:
    ids = [schema.bar_id("X:Y", Interval.M1, t) for t in (59, 600, 1_700_000_000)]
    assert ids == sorted(ids)
