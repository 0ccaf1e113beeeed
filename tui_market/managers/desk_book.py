"""DeskBook: a follower's live state, built from what the ingester writes to the database.

The ingester publishes each symbol's quote with its forming bars (and the bars that just
closed) in a ``live`` document, saves closed bars in ``ohlcv``, and beats in a heartbeat
document. The follower's change stream hands every such document to this book, which keeps
the quotes, the latest closed bars per series and the ingester's state, and answers the same
``LiveSnapshot`` the ticking ``QuoteManager`` does, so the screens cannot tell them apart.
Applying the same document twice changes nothing (a resumed stream may repeat some).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from tui_market.models import Bar, Interval
from tui_market.models.desk import Heartbeat, IngesterState
from tui_market.models.feed import FeedState, FeedStatus
from tui_market.models.live import LiveSnapshot, SymbolQuote

Series = tuple[str, Interval]


class DeskBook:
    def __init__(self, *, recent: int = 300) -> None:
        self._recent_max = recent
        self._symbols: set[str] | None = None  # None: every symbol the ingester publishes
        self._quotes: dict[str, SymbolQuote] = {}
        self._references: dict[str, float | None] = {}
        self._recent: dict[Series, tuple[Bar, ...]] = {}
        self._heartbeat: Heartbeat | None = None
        self._last_write: float | None = None  # follower's monotonic time of the last write
        self._version = 0

    # ---- feeding ----------------------------------------------------------------------------
    def set_symbols(self, symbols: Iterable[str]) -> None:
        self._symbols = set(symbols)
        for gone in [s for s in self._quotes if s not in self._symbols]:
            del self._quotes[gone]
        for key in [k for k in self._recent if k[0] not in self._symbols]:
            del self._recent[key]
        self._version += 1

    def wanted(self, symbol: str) -> bool:
        return self._symbols is None or symbol in self._symbols

    def set_reference(self, symbol: str, price: float | None) -> None:
        """The stored previous close, used until the ingester's quote brings the feed's."""
        self._references[symbol] = price
        quote = self._quotes.get(symbol)
        if quote is not None and quote.reference is None and price is not None:
            self._quotes[symbol] = replace(quote, reference=price)
            self._version += 1

    def on_live(self, quote: SymbolQuote, closed: Iterable[Bar], now: float) -> list[Bar]:
        """A ``live`` document written at ``now``: the symbol's quote and forming bars, and its
        just-closed bars; returns the closed bars this book did not hold yet."""
        self.heard(now)
        if not self.wanted(quote.symbol):
            return []
        if quote.reference is None:
            quote = replace(quote, reference=self._references.get(quote.symbol))
        if self._quotes.get(quote.symbol) != quote:
            self._quotes[quote.symbol] = quote
            self._version += 1
        return [bar for bar in closed if self.on_bar(bar)]

    def on_bar(self, bar: Bar) -> bool:
        """A closed bar (stored in ``ohlcv``, or named in a live document); True when it is new
        or its values changed. Kept in time order, the newest ``recent`` per series."""
        if not self.wanted(bar.symbol):
            return False
        key = (bar.symbol, bar.interval)
        bars = self._recent.get(key, ())
        if bars and bar.time > bars[-1].time:
            self._recent[key] = (*bars[-(self._recent_max - 1) :], bar)
        else:
            by_time = {b.time: b for b in bars}
            if by_time.get(bar.time) == bar:
                return False
            if bars and len(bars) >= self._recent_max and bar.time < bars[0].time:
                return False  # older than the window kept
            by_time[bar.time] = bar
            self._recent[key] = tuple(by_time[t] for t in sorted(by_time))[-self._recent_max :]
        self._version += 1
        return True

    def on_heartbeat(self, beat: Heartbeat, now: float) -> None:
        self.heard(now)
        if beat != self._heartbeat:
            self._heartbeat = beat
            self._version += 1

    def heard(self, at: float) -> None:
        """The ingester wrote at ``at`` (follower's clock); the newest write counts."""
        if self._last_write is None or at > self._last_write:
            self._last_write = at

    # ---- reading ----------------------------------------------------------------------------
    def newest(self, symbol: str, interval: Interval) -> Bar | None:
        bars = self._recent.get((symbol, interval))
        return bars[-1] if bars else None

    @property
    def heartbeat(self) -> Heartbeat | None:
        return self._heartbeat

    def ingester(self, now: float) -> IngesterState:
        age = None if self._last_write is None else max(0.0, now - self._last_write)
        return IngesterState(self._heartbeat, age)

    def feed(self, now: float) -> FeedState:
        """The ingester's feed as this follower's feed state (for ``watch --follow``, the
        Ticker's title): live only while the ingester is live and heard from."""
        state = self.ingester(now)
        beat = state.heartbeat
        if beat is None or beat.stopped or state.silent:
            return FeedState(FeedStatus.STOPPED, detail=state.text)
        return FeedState(beat.feed or FeedStatus.CONNECTING, detail=beat.detail)

    def snapshot(self, clock: float, feed: FeedState | None) -> LiveSnapshot:
        quotes: Mapping[str, SymbolQuote] = dict(self._quotes)
        return LiveSnapshot(
            version=self._version,
            clock=clock,
            feed=feed,
            quotes=quotes,
            recent=dict(self._recent),
        )
