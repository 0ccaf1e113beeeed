"""DeskApplier: the desk's documents, from change events or a catch-up read, into a follower's
``DeskBook``, and the closed bars they bring out as live events.

A malformed document is logged and skipped: the follower goes on with the others. Times are
the follower's own monotonic clock; a document read (not streamed) counts as written when its
``w`` says, so a catch-up read never makes a dead ingester look alive.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from tui_market.infrastructure import bar_buckets, bar_journal, desk_schema
from tui_market.managers.desk_book import DeskBook
from tui_market.models import Bar
from tui_market.models.live import BarClosedEvent, LiveEvent
from tui_market.queries.desk_changes import Change, DeskState

log = logging.getLogger(__name__)
# The bars a change of each bar collection wrote: the buckets, and the live journal where
# closed live bars land first.
_BARS_WRITTEN: dict[str, Callable[[Change], list[Bar]]] = {
    bar_buckets.BARS: bar_buckets.changed_bars,
    bar_journal.JOURNAL: bar_journal.changed_bars,
}


class DeskApplier:
    def __init__(
        self, book: DeskBook, on_event: Callable[[LiveEvent], None], monotonic: Callable[[], float]
    ) -> None:
        self._book = book
        self._on_event = on_event
        self._monotonic = monotonic

    def change(self, change: Change) -> None:
        """One change event of the stream (``fullDocument`` looked up)."""
        doc = change.get("fullDocument")
        if doc is None:  # updated, then deleted before the lookup
            return
        coll, now = change["ns"]["coll"], self._monotonic()
        if coll == desk_schema.LIVE:
            self._live(doc, now)
        elif coll == desk_schema.DESK and doc.get("_id") == desk_schema.HEARTBEAT_ID:
            self._heartbeat(doc, now)
        elif coll in _BARS_WRITTEN:
            try:
                bars = _BARS_WRITTEN[coll](change)
            except (KeyError, ValueError, TypeError) as exc:
                log.error("skipping a malformed %s change %r: %s", coll, doc.get("_id"), exc)
                return
            self.bars(bars, tell=True)

    def state(self, state: DeskState, *, tell: bool) -> None:
        """A catch-up read; ``tell``: report the bars it brings (not on the first read)."""
        now = self._monotonic()
        if state.heartbeat is not None:
            age = desk_schema.written_age(state.heartbeat, state.now)
            self._heartbeat(state.heartbeat, now - age)
        for doc in state.live:
            self._live(doc, now - desk_schema.written_age(doc, state.now))
        self.bars(state.bars, tell=tell)

    def bars(self, bars: Iterable[Bar], *, tell: bool) -> None:
        for bar in bars:
            if self._book.on_bar(bar) and tell:
                self._on_event(BarClosedEvent(bar))

    def _live(self, doc: desk_schema.Doc, at: float) -> None:
        try:
            quote, closed = desk_schema.read_live(doc)
        except ValueError as exc:
            log.error("skipping a malformed live document %r: %s", doc.get("_id"), exc)
            return
        for bar in self._book.on_live(quote, closed, at):
            self._on_event(BarClosedEvent(bar))

    def _heartbeat(self, doc: desk_schema.Doc, at: float) -> None:
        try:
            self._book.on_heartbeat(desk_schema.read_heartbeat(doc), at)
        except ValueError as exc:
            log.error("skipping a malformed heartbeat: %s", exc)
