"""What the live service shows the screens: events it reports and the snapshot it paints from.

Plain frozen dataclasses, no Textual: the CLI's ``watch`` and the TUI read the same values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from tui_market.models.alert import AlertFired
from tui_market.models.feed import FeedState, QuoteInfo, SymbolError, delay_text, market_status
from tui_market.models.interval import Interval
from tui_market.models.ohlcv import Bar


@dataclass(frozen=True, slots=True)
class BarClosedEvent:
    """A bar closed (from ticks, the clock, or a backfill after an outage); queued for saving."""

    bar: Bar
    backfilled: bool = False


@dataclass(frozen=True, slots=True)
class StorageError:
    """Saving closed bars failed; they stay queued and are retried on the next flush."""

    message: str
    pending: int


@dataclass(frozen=True, slots=True)
class StorageRecovered:
    """Saving works again after an outage: the bars kept meanwhile are stored (``saved``),
    except the oldest ``dropped`` ones the bounded queue could not keep."""

    saved: int
    dropped: int = 0

    @property
    def message(self) -> str:
        lost = f"; {self.dropped:,} oldest dropped (queue full)" if self.dropped else ""
        return f"database back: {self.saved:,} bars saved{lost}"


StorageEvent = StorageError | StorageRecovered
LiveEvent = (
    FeedState
    | SymbolError
    | QuoteInfo
    | BarClosedEvent
    | StorageError
    | StorageRecovered
    | AlertFired
)


@dataclass(frozen=True, slots=True)
class SymbolQuote:
    """One symbol's live state. ``prev`` is the last price before ``last`` (for the flash);
    ``reference`` the previous session's close the change is measured from; ``session`` the
    feed's ``current_session`` and ``delay`` how many seconds late its data is. ``ends`` holds
    each forming bar's end (epoch): on a session clock a bar may be cut at the close."""

    symbol: str
    last: float | None = None
    prev: float | None = None
    reference: float | None = None
    last_ts: float | None = None
    forming: Mapping[Interval, Bar] = field(default_factory=dict)
    session: str | None = None
    delay: int = 0
    ends: Mapping[Interval, int] = field(default_factory=dict)

    @property
    def status(self) -> str:
        """open / pre-market / post-market / closed, plus "delayed 15m" when it is late."""
        return ", ".join(t for t in (market_status(self.session), delay_text(self.delay)) if t)

    @property
    def change(self) -> float | None:
        if self.last is None or self.reference is None:
            return None
        return self.last - self.reference

    @property
    def change_pct(self) -> float | None:
        if self.last is None or not self.reference:
            return None
        return (self.last - self.reference) / self.reference * 100.0


@dataclass(frozen=True, slots=True)
class LiveSnapshot:
    """Everything a frame needs. ``version`` grows on every change: skip a repaint if equal.

    ``recent`` holds the latest closed bars per (symbol, interval), oldest first; the tuples are
    rebuilt only when a bar closes, so taking a snapshot copies no bar lists.
    """

    version: int
    clock: float
    feed: FeedState | None
    quotes: Mapping[str, SymbolQuote]
    recent: Mapping[tuple[str, Interval], tuple[Bar, ...]]
    saved: int = 0
    pending: int = 0

    def seconds_to_close(self, interval: Interval, symbol: str | None = None) -> float:
        """Seconds until the current bar of ``interval`` closes, in the stream's time base: the
        forming bar's own end (the session close cuts the last bar of a day short), else the
        end of the UTC period."""
        quote = self.quotes.get(symbol) if symbol else None
        end = quote.ends.get(interval) if quote else None
        now = self.clock - quote.delay if quote else self.clock  # a late feed's trade time
        if end is None:
            end = interval.next_open(interval.floor(now))
        return max(0.0, end - now)


EMPTY_SNAPSHOT = LiveSnapshot(version=0, clock=0.0, feed=None, quotes={}, recent={})
