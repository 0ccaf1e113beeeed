"""When each live symbol began to be watched, and which still wait for their start-up backfill.

A bar that opened before its symbol was watched holds only part of its trades (a closed
market's snapshot replays its last trade): it is never saved over real history, unless a
backfill merged the provider's bar into it. The symbols of the first LIVE start then; a symbol
added later starts when it is added, and (with the start-up backfill on) is backfilled before
any of its ticks counts, as if it had been there at the first LIVE.
"""

from __future__ import annotations

from collections.abc import Set

from tui_market.managers.session_clock import BarClock
from tui_market.models import Bar


class WatchStarts:
    def __init__(self, *, backfill: bool) -> None:
        self._backfill = backfill
        self._since: dict[str, float] = {}  # symbol -> stream time its watching began
        self._live_once = False
        self.unfilled: set[str] = set()  # added after the first LIVE, not backfilled yet

    def went_live(self, symbols: Set[str], now: float) -> None:
        """The feed's first LIVE: every symbol known now starts watching."""
        self._since = dict.fromkeys(symbols, now)
        self._live_once = True

    def watch(self, symbols: Set[str], added: Set[str], now: float) -> None:
        """The watched set became ``symbols`` (``added`` are new) at stream time ``now``."""
        self._since = {s: t for s, t in self._since.items() if s in symbols}
        self.unfilled &= symbols
        if not self._live_once:
            return  # the first LIVE starts them
        self._since.update(dict.fromkeys(added, now))
        if self._backfill:
            self.unfilled |= added

    def take_unfilled(self, now: float) -> tuple[set[str], float]:
        """The symbols to backfill now, and since when (the earliest of their starts)."""
        symbols, self.unfilled = self.unfilled, set()
        return symbols, min((self._since.get(s, now) for s in symbols), default=now)

    def filled(self, symbols: Set[str]) -> None:
        self.unfilled -= symbols

    def complete(self, bar: Bar, clock: BarClock, lag: float = 0.0) -> bool:
        """Whether ``bar`` opened at or after its symbol began to be watched (in trade time:
        ``lag`` seconds before the stream's clock for a late feed)."""
        since = self._since.get(bar.symbol)
        return since is None or bar.epoch >= clock.floor(bar.interval, since - lag)
