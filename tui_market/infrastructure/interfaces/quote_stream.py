"""Live quote interface: an async stream of ticks for a changing set of symbols."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator

from tui_market.models.feed import FeedState, FeedStatus, QuoteEvent, SymbolError

__all__ = ["FeedState", "FeedStatus", "IQuoteStream", "QuoteEvent", "SymbolError"]


class IQuoteStream(ABC):
    """Live quotes. ``events()`` yields ticks, feed-state changes and per-symbol errors.

    ``set_symbols`` may be called at any time while ``events()`` is being consumed; the stream
    subscribes and unsubscribes on the fly. After a reconnect it resubscribes everything.
    """

    name: str = "stream"

    @abstractmethod
    async def set_symbols(self, symbols: set[str]) -> None:
        """Replace the subscribed set (``EXCHANGE:TICKER`` strings)."""

    @abstractmethod
    def events(self) -> AsyncIterator[QuoteEvent]:
        """Run the connection and yield events until ``close()``."""

    @abstractmethod
    async def close(self) -> None:
        """Stop the stream; ``events()`` ends after yielding a STOPPED state."""

    def clock(self) -> float:
        """Current time (epoch seconds) in the stream's time base.

        Wall-clock time for a real feed; the replay's accelerated clock for the demo. The live
        service's countdown and start-up backfills go by it.
        """
        return time.time()

    def settled(self) -> float:
        """Stream time before which every event has been yielded: the live service closes
        quiet bars by it, so a bar is never closed while its ticks are still owed.

        By default the clock (trades still on the network are the service's grace). The
        TradingView client holds it at the oldest trade it has queued and not handed over yet;
        a replay that fell behind its clock, at its oldest overdue slot.
        """
        return self.clock()
