"""DeskBook (a follower's live state) and the desk documents: the same document applied twice
changes nothing, bars arriving out of order end in time order, a malformed document is refused
with a message, and the ingester is "silent" once it has not written for ``SILENT_AFTER``."""

from __future__ import annotations

import pytest

from tui_market.infrastructure import desk_schema
from tui_market.managers.desk_book import DeskBook
from tui_market.models import Bar, FeedStatus, Interval
from tui_market.models.desk import SILENT_AFTER, Heartbeat
from tui_market.models.live import SymbolQuote
from tui_market.services.desk_apply import DeskApplier

SYMBOL = "NASDAQ:AAPL"


def bar(minute: int, close: float = 100.0) -> Bar:
    return Bar.from_epoch(
        SYMBOL, Interval.M1, 1_700_000_040 + 60 * minute, 99.0, 101.0, 98.0, close, 5.0
    )


def live(last: float, forming: Bar, closed: list[Bar]) -> dict[str, object]:
    quote = SymbolQuote(SYMBOL, last, None, 99.5, 1_700_000_100.0, {Interval.M1: forming})
    return desk_schema.live_doc(quote, {b.interval: b for b in closed}, "host:1")


def test_a_live_document_round_trips_and_applying_it_twice_changes_nothing() -> None:
    book = DeskBook()
    quote, closed = desk_schema.read_live(live(100.5, bar(2, 100.5), [bar(1)]))
    assert quote.forming[Interval.M1] == bar(2, 100.5) and closed == [bar(1)]
    assert book.on_live(quote, closed, now=0.0) == [bar(1)]
    version = book.snapshot(0.0, None).version
    assert book.on_live(quote, closed, now=1.0) == []
    assert book.snapshot(0.0, None).version == version
    assert book.snapshot(0.0, None).quotes[SYMBOL].last == 100.5


def test_bars_out_of_order_are_kept_in_time_order_and_a_changed_bar_replaces_its_time() -> None:
    book = DeskBook(recent=3)
    for minute in (3, 1, 2):
        assert book.on_bar(bar(minute))
    assert book.on_bar(bar(2)) is False
    assert book.on_bar(bar(2, close=100.25))  # re-saved with new values (a backfill)
    assert book.on_bar(bar(4))
    recent = book.snapshot(0.0, None).recent[(SYMBOL, Interval.M1)]
    assert recent == (bar(2, 100.25), bar(3), bar(4))
    assert book.on_bar(bar(0)) is False  # older than the window kept


def test_a_malformed_live_document_is_refused_with_a_message() -> None:
    doc = live(100.5, bar(2), [])
    doc["forming"] = {"1m": {"t": 1_700_000_160, "o": 1.0, "h": 0.5, "l": 2.0, "c": 1.0}}
    with pytest.raises(ValueError, match=r"high 0\.5 is below low 2\.0"):
        desk_schema.read_live(doc)
    doc["forming"] = {"7x": {}}
    with pytest.raises(ValueError):
        desk_schema.read_live(doc)
    with pytest.raises(ValueError, match="not a number"):
        desk_schema.read_live({**live(1.0, bar(2), []), "last": "1.0"})


def test_the_ingester_is_silent_after_no_write_for_a_while_and_stopped_after_goodbye() -> None:
    book = DeskBook()
    assert book.ingester(0.0).text.startswith("ingester not seen yet")
    beat = Heartbeat("host:1", FeedStatus.LIVE, symbols=(SYMBOL,), persist=(Interval.M1,))
    book.on_heartbeat(desk_schema.read_heartbeat(desk_schema.heartbeat_doc(beat)), now=10.0)
    assert book.ingester(10.5).text == "ingester live, wrote 0 s ago"
    assert book.feed(10.5).status is FeedStatus.LIVE
    late = book.ingester(10.0 + SILENT_AFTER + 9)
    assert late.silent and late.text == f"ingester silent {int(SILENT_AFTER) + 9} s"
    assert book.feed(10.0 + SILENT_AFTER).status is FeedStatus.STOPPED
    book.on_heartbeat(Heartbeat("host:1", FeedStatus.LIVE, stopped=True), now=20.0)
    assert book.ingester(21.0).text == "ingester stopped 1 s ago"


def test_journal_changes_bring_their_bars_out_and_a_malformed_one_is_skipped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A follower's view of the live journal: an inserted minute brings out every bar it
    holds, an update only the rows it set; a document that is not a journal minute is
    logged and skipped, and the next one is applied."""
    events: list[object] = []
    applier = DeskApplier(DeskBook(), events.append, lambda: 0.0)
    ns = {"coll": "bar_journal"}
    minute = {"_id": "1m|001700000100", "i": "1m", "e": 1_700_000_100}
    rows = {"NASDAQ:AAPL": [99.0, 101.0, 98.0, 100.0, 5.0], "NYSE:BRK~B": [9.0, 9.0, 9.0, 9.0, 1.0]}
    applier.change({"ns": ns, "operationType": "insert", "fullDocument": {**minute, "r": rows}})
    assert sorted(e.bar.symbol for e in events) == ["NASDAQ:AAPL", "NYSE:BRK.B"]
    broken = {"ns": ns, "operationType": "insert", "fullDocument": {"_id": "x", "r": rows}}
    applier.change(broken)
    assert "skipping a malformed bar_journal change 'x'" in caplog.text and len(events) == 2
    fixed = [99.0, 101.0, 98.0, 100.5, 6.0]
    applier.change(
        {
            "ns": ns,
            "operationType": "update",
            "updateDescription": {"updatedFields": {"r.NASDAQ:AAPL": fixed}},
            "fullDocument": {**minute, "r": {**rows, "NASDAQ:AAPL": fixed}},
        }
    )
    assert len(events) == 3 and events[-1].bar.close == 100.5
