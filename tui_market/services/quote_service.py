"""The live loop: quote stream -> BarManager -> SaveBars, shared by ``watch`` and the TUI.

After an outage (the feed was live, dropped, and is live again) the missed period is
backfilled from the history provider and merged with the forming bars (``merge_history``)
before any new tick is taken, so the store holds no gap and no duplicate: every closed bar is
queued exactly once. While the feed is down the clock closes no bar and ticks are held; after
the merge, ticks the backfill already covered are skipped (see ``ReconnectManager``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from tui_market.infrastructure.interfaces import (
    FeedState,
    FeedStatus,
    IDataProvider,
    IQuoteStream,
    SymbolError,
)
from tui_market.managers.quote_manager import QuoteManager
from tui_market.managers.reconnect_manager import ReconnectManager, backfill_window
from tui_market.managers.session_clock import clock_for
from tui_market.managers.watch_starts import WatchStarts
from tui_market.models import Bar, Interval, Tick
from tui_market.models.feed import QuoteInfo
from tui_market.models.live import (
    BarClosedEvent,
    LiveEvent,
    LiveSnapshot,
    SymbolQuote,
)
from tui_market.models.symbol_info import SymbolInfo
from tui_market.services.alert_service import AlertWatch
from tui_market.services.backfill import backfill_symbol
from tui_market.services.bar_saver import MAX_PENDING, BarSaver
from tui_market.services.clock_rounds import clock_rounds

log = logging.getLogger(__name__)
# Seconds the clock waits past a bar's end before closing a quiet bar: a trade stamped just
# before the end is still on the network then, and once the bar is closed it would be late.
CLOCK_GRACE = 2.0
OnEvent = Callable[[LiveEvent], None]


class QuoteService:
    """Runs one quote stream into bars for ``intervals`` and saves closed bars in batches."""

    def __init__(
        self,
        stream: IQuoteStream,
        bus: Any,
        provider: IDataProvider,
        intervals: Sequence[Interval],
        *,
        flush_every: float = 1.0,
        clock_every: float | None = 0.2,
        recent: int = 300,
        persist: Sequence[Interval] | None = None,
        backfill_on_start: bool = False,
        max_pending: int = MAX_PENDING,
        alerts: AlertWatch | None = None,
        clock_grace: float = CLOCK_GRACE,
    ) -> None:
        self._stream = stream
        self._bus = bus
        self._provider = provider
        self.intervals = tuple(dict.fromkeys(intervals))
        # Bars of these intervals are saved and backfilled; the others are shown only.
        self.persist = tuple(dict.fromkeys(persist)) if persist is not None else self.intervals
        self._backfill_on_start = backfill_on_start
        self._longest = max((interval.seconds for interval in self.persist), default=0)
        self._flush_every = flush_every
        self._clock_every = clock_every
        self._grace = clock_grace
        self._book = QuoteManager(self.intervals, recent=recent)
        self._gate = ReconnectManager()
        self._symbols: set[str] = set()
        self._saver = BarSaver(bus, lambda event: self._on_event(event), max_pending=max_pending)
        self._feed: FeedState | None = None
        self._live = False  # ticks and the clock may close bars
        self._outage_since: float | None = None
        self._was_live = False
        self._starts = WatchStarts(backfill=backfill_on_start)
        self._on_event: OnEvent = _ignore
        self.backfills = 0  # backfills completed
        self.alerts = alerts  # judged on every tick and live-closed bar

    # ---- public API -------------------------------------------------------------------------
    async def set_symbols(self, symbols: set[str]) -> None:
        """Watch ``symbols``. One added after the feed went live gets the start-up backfill
        too (before any tick of it counts), as if it had been there at the first LIVE."""
        added = set(symbols) - self._symbols
        self._symbols = set(symbols)
        self._book.retain(self._symbols)
        self._starts.watch(self._symbols, added, self._stream.clock())
        await self._stream.set_symbols(set(symbols))

    def set_metadata(self, infos: Mapping[str, SymbolInfo | None]) -> None:
        """Each symbol's stored metadata: its bars follow its exchange session (UTC for 24x7
        or unknown), and its delay is known before the feed says it."""
        for symbol, info in infos.items():
            self._book.set_clock(symbol, clock_for(info))
            self._book.set_delay(symbol, info.delay_seconds if info is not None else 0)

    def set_references(self, closes: Mapping[str, float | None]) -> None:
        """The previous session's daily close per symbol, from the store: the change is
        measured from it until the feed sends its own previous close."""
        for symbol, close in closes.items():
            self._book.set_reference(symbol, close)

    def snapshot(self) -> LiveSnapshot:
        return self._book.snapshot(self._stream.clock(), self._feed, self.saved, len(self._saver))

    def quote(self, symbol: str) -> SymbolQuote | None:
        return self._book.quote(symbol)

    async def run(self, on_event: OnEvent) -> None:
        """Consume the stream until it stops; then flush what is queued."""
        self._on_event = on_event
        timers = [asyncio.create_task(self._saver.every(self._flush_every), name="quote-flush")]
        if self._clock_every is not None:
            clock = clock_rounds(self._clock_every, self._close_quiet)
            timers.append(asyncio.create_task(clock, name="quote-clock"))
        if self.alerts is not None:
            await self.alerts.load()
            timers.append(asyncio.create_task(self.alerts.run(), name="alert-reload"))
        try:
            async for event in self._stream.events():
                if self._starts.unfilled and self._live:  # added since: their start-up backfill
                    added, since = self._starts.take_unfilled(self._stream.clock())
                    await self._backfill(since, added)
                if isinstance(event, Tick):
                    if event.symbol in self._symbols:
                        self._on_tick(event)
                elif isinstance(event, FeedState):
                    await self._on_feed(event)
                elif isinstance(event, QuoteInfo):
                    if event.symbol in self._symbols:
                        self._book.set_info(event)
                        on_event(event)
                elif isinstance(event, SymbolError):
                    on_event(event)
        finally:
            for task in timers:
                task.cancel()
            for task in timers:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await self.flush()
            if self.alerts is not None:
                await self.alerts.flush()

    async def flush(self) -> int:
        """Save every queued closed bar through SaveBars; returns how many were saved."""
        return await self._saver.flush()

    @property
    def saved(self) -> int:
        return self._saver.saved

    # ---- internals --------------------------------------------------------------------------
    def _on_tick(self, tick: Tick) -> None:
        if self.alerts is not None:  # every print counts, held back by the gate or not
            self.alerts.on_tick(tick, self._book.reference(tick.symbol), self._on_event)
        if not self._gate.active:
            self._closed(self._book.on_tick(tick))
            return
        admitted = self._gate.admit(tick)
        if not admitted and not self._gate.holding:  # covered by a backfill: price only
            self._book.note(tick)
        for each in admitted:
            self._closed(self._book.on_tick(each))

    def _closed(self, bars: Sequence[Bar], *, backfilled: bool = False) -> None:
        for bar in bars:
            clock = self._book.manager.clock(bar.symbol)
            lag = self._book.delay(bar.symbol)
            complete = self._starts.complete(bar, clock, lag)
            if bar.interval in self.persist and (backfilled or complete):
                self._saver.add(bar)
            self._on_event(BarClosedEvent(bar, backfilled=backfilled))
            if self.alerts is not None and not backfilled:
                self.alerts.on_bar(bar, self._on_event)

    async def _on_feed(self, state: FeedState) -> None:
        self._feed = state
        self._book.touch()
        if state.status is FeedStatus.LIVE:
            self._on_event(state)
            if self._was_live and self._outage_since is not None:
                await self._backfill(self._outage_since, self._symbols)
            elif not self._was_live:
                now = self._stream.clock()
                self._starts.went_live(self._symbols, now)
                if self._backfill_on_start:
                    # the first bar starts mid-period: merge the provider's forming bar into
                    # it so a saved bar never replaces good history with a partial one
                    await self._backfill(now, self._symbols)
            self._outage_since = None
            self._was_live = True
            self._live = True
            for tick in self._gate.release():
                self._closed(self._book.on_tick(tick))
            return
        if self._live:
            self._outage_since = self._stream.clock()
            self._gate.hold()
        self._live = False
        self._on_event(state)

    async def _backfill(self, since: float, symbols: set[str]) -> None:
        """Fetch what was missed since ``since`` (stream time) for ``symbols`` and every saved
        interval. A late feed's symbol (``delay``) is fetched and covered in its trade time:
        its history ends that much before the stream's clock."""
        now = self._stream.clock()
        self._starts.filled(symbols)
        for symbol in sorted(symbols):
            clock, last = self._book.manager.clock(symbol), self._book.last_tick(symbol)
            start, upto = backfill_window(since, now, self._book.delay(symbol), last, self._longest)
            bars, failures = await backfill_symbol(
                self._provider, symbol, self.persist, start, upto, clock
            )
            if symbol not in self._symbols:  # removed while its history was fetched
                continue
            for failure in failures:
                self._on_event(SymbolError(symbol, failure))
            self._closed(self._book.merge(bars, upto), backfilled=True)
            if bars and not failures:  # nothing fetched covers no tick
                self._gate.covered(symbol, upto, self._book.last_tick(symbol))
        self.backfills += 1  # done: counted once its bars are merged

    def _close_quiet(self) -> None:
        if self._live:  # a bar ends ``grace`` late: its last trades may be on their way
            self._closed(self._book.on_clock(self._stream.settled() - self._grace))

    @property
    def covered_ticks(self) -> int:
        """Ticks skipped after a backfill because the merged history already held them."""
        return self._gate.covered_ticks


def _ignore(event: LiveEvent) -> None:
    del event
