"""QuoteManager: BarManager plus the per-symbol quote state the screens paint from.

It guarantees each closed bar leaves exactly once (a per-series high-water mark), keeps the
latest closed bars per series for the live chart, and builds cheap snapshots: a snapshot
re-freezes only the symbols that ticked since the previous one, and a quote's forming bars
become ``Bar`` objects only when a screen reads them (the Ticker reads one interval of 13).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tui_market.managers.bar_manager import BarManager, ClosedBar
from tui_market.managers.forming_view import FormingEnds, LazyForming
from tui_market.managers.session_clock import BarClock
from tui_market.models import Bar, Interval, Tick
from tui_market.models.feed import FeedState, QuoteInfo
from tui_market.models.live import LiveSnapshot, SymbolQuote

Series = tuple[str, Interval]


@dataclass(slots=True)
class _Quote:
    last: float | None = None
    prev: float | None = None
    reference: float | None = None
    last_ts: float | None = None
    volume: float | None = None  # cumulative session volume of the latest tick
    from_feed: bool = False  # the reference is the feed's previous close (it wins)
    session: str | None = None
    delay: int = 0


class QuoteManager:
    def __init__(self, intervals: Sequence[Interval], *, recent: int = 300) -> None:
        self.intervals = tuple(intervals)
        self.manager = BarManager(self.intervals)
        self._recent_max = recent
        self._quotes: dict[str, _Quote] = {}
        self._recent: dict[Series, tuple[Bar, ...]] = {}
        self._high_water: dict[Series, int] = {}  # open epoch of the newest bar let out
        self._version = 0
        self._cached: tuple[int, dict[str, SymbolQuote]] | None = None
        self._dirty: set[str] = set()  # symbols that ticked since the cached snapshot
        self._tick_bumps = 0  # version bumps by ticks since then (others refreeze everything)
        self.last_tick_ts: float | None = None
        self.duplicates_dropped = 0

    # ---- feeding ----------------------------------------------------------------------------
    def on_tick(self, tick: Tick) -> list[Bar]:
        self.note(tick)
        closed = self.manager.on_tick(tick)
        return self._release(closed) if closed else []

    def note(self, tick: Tick) -> None:
        """The quote's last price and time from ``tick``, bars untouched (a tick a backfill
        already holds still is the latest price the screens show)."""
        quote = self._quotes.get(tick.symbol)
        if quote is None:
            quote = self._quotes[tick.symbol] = _Quote()
        if quote.last != tick.price:
            quote.prev = quote.last
        quote.last = tick.price
        quote.last_ts = tick.ts
        quote.volume = tick.volume
        if self.last_tick_ts is None or tick.ts > self.last_tick_ts:
            self.last_tick_ts = tick.ts
        self._version += 1
        self._dirty.add(tick.symbol)
        self._tick_bumps += 1

    def on_clock(self, now: float) -> list[Bar]:
        delays = {s: float(q.delay) for s, q in self._quotes.items() if q.delay}
        closed = self._release(self.manager.on_clock(now, delays))
        if closed:
            self._version += 1
        return closed

    def merge(self, bars: list[Bar], now: float) -> list[Bar]:
        """Merge backfilled history into the forming bars; returns newly closed bars."""
        self._version += 1
        return self._release(self.manager.merge_history(bars, now))

    def set_reference(self, symbol: str, price: float | None) -> None:
        """The previous session's daily close from the store: the change is measured from it
        until the feed sends its own previous close."""
        quote = self._quotes.setdefault(symbol, _Quote())
        if not quote.from_feed and quote.reference != price:
            quote.reference = price
            self._touch(symbol)

    def set_info(self, info: QuoteInfo) -> None:
        """The feed's previous close, market session and delay for a symbol."""
        quote = self._quotes.setdefault(info.symbol, _Quote())
        if info.prev_close is not None:
            quote.reference, quote.from_feed = info.prev_close, True
        quote.session = info.session
        self.set_delay(info.symbol, info.delay)

    def set_delay(self, symbol: str, seconds: int) -> None:
        """How late the symbol's feed is (``delayed_streaming_900``: 900 s). Its ticks carry
        their trade times, so its bars close that much later by the stream's clock."""
        self._quotes.setdefault(symbol, _Quote()).delay = seconds
        self._touch(symbol)

    def delay(self, symbol: str) -> float:
        quote = self._quotes.get(symbol)
        return float(quote.delay) if quote is not None else 0.0

    def set_clock(self, symbol: str, clock: BarClock) -> None:
        """Align ``symbol``'s bars with its exchange session (see ``BarManager.set_clock``)."""
        self.manager.set_clock(symbol, clock)

    def _touch(self, symbol: str) -> None:
        self._version += 1
        self._dirty.add(symbol)
        self._tick_bumps += 1  # only this symbol changed: refreeze it alone

    def retain(self, symbols: Iterable[str]) -> None:
        keep = set(symbols)
        for symbol in [s for s in self._quotes if s not in keep]:
            del self._quotes[symbol]
        for symbol in [s for s in self.manager.symbols() if s not in keep]:
            self.manager.forget(symbol)
        self._version += 1

    def touch(self) -> None:
        self._version += 1

    def _release(self, closed: Iterable[ClosedBar]) -> list[Bar]:
        """Validated bars for storage; a bar at or before the series' newest is dropped."""
        out: list[Bar] = []
        for item in closed:
            key = (item.symbol, item.interval)
            if item.time <= self._high_water.get(key, -1):
                self.duplicates_dropped += 1
                continue
            self._high_water[key] = item.time
            bar = item.to_bar()
            recent = self._recent.get(key, ())
            self._recent[key] = (*recent[-(self._recent_max - 1) :], bar)
            out.append(bar)
        return out

    # ---- reading ----------------------------------------------------------------------------
    def last_tick(self, symbol: str) -> Tick | None:
        quote = self._quotes.get(symbol)
        if quote is None or quote.last is None or quote.last_ts is None:
            return None
        return Tick(symbol, quote.last_ts, quote.last, quote.volume)

    def reference(self, symbol: str) -> float | None:
        """The close the change is measured from (cheap: no snapshot)."""
        quote = self._quotes.get(symbol)
        return None if quote is None else quote.reference

    def quote(self, symbol: str) -> SymbolQuote | None:
        quote = self._quotes.get(symbol)
        return None if quote is None else self._freeze(symbol, quote)

    def _freeze(self, symbol: str, q: _Quote) -> SymbolQuote:
        forming = {}
        for interval in self.intervals:
            bar = self.manager.forming(symbol, interval)
            if bar is not None:
                forming[interval] = bar
        return SymbolQuote(
            symbol,
            q.last,
            q.prev,
            q.reference,
            q.last_ts,
            LazyForming(forming),
            q.session,
            q.delay,
            FormingEnds(forming),
        )

    def _refreeze(self) -> dict[str, SymbolQuote]:
        """Every quote: the cached ones again unless only ticks changed them since."""
        cached, dirty, ticks_only = self._cached, self._dirty, self._tick_bumps
        self._dirty, self._tick_bumps = set(), 0
        if cached is None or self._version - cached[0] != ticks_only:
            return {s: self._freeze(s, q) for s, q in self._quotes.items()}
        quotes = dict(cached[1])
        for symbol in dirty:
            quotes[symbol] = self._freeze(symbol, self._quotes[symbol])
        return quotes

    def snapshot(
        self, clock: float, feed: FeedState | None, saved: int, pending: int
    ) -> LiveSnapshot:
        if self._cached is None or self._cached[0] != self._version:
            self._cached = (self._version, self._refreeze())
        return LiveSnapshot(
            version=self._version,
            clock=clock,
            feed=feed,
            quotes=self._cached[1],
            recent=dict(self._recent),
            saved=saved,
            pending=pending,
        )
