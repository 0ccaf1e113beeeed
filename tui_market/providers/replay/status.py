"""The demo feed's quote facts, as TradingView's ``qsd`` gives them: the previous session's
close, the market's state at the replay clock (from the symbol's session) and the delay."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from tui_market.managers.session_clock import SessionClock, clock_for
from tui_market.models import Interval
from tui_market.models.feed import QuoteInfo
from tui_market.models.symbol_info import InvalidSymbolInfo, SymbolInfo
from tui_market.providers.replay.data import ReplayData
from tui_market.providers.replay.metadata import demo_metadata

log = logging.getLogger(__name__)


class ReplayStatus:
    def __init__(self, data: ReplayData) -> None:
        self._data = data
        self._sent: dict[str, QuoteInfo] = {}
        self._infos: dict[str, SymbolInfo | None] = {}

    def _info(self, symbol: str) -> SymbolInfo | None:
        if symbol not in self._infos:
            raw = demo_metadata().get(symbol)
            try:
                info = SymbolInfo.from_provider({**raw, "session_holidays": ""}) if raw else None
            except InvalidSymbolInfo as exc:
                log.warning("demo metadata of %s unusable: %s", symbol, exc)
                info = None
            self._infos[symbol] = info
        return self._infos[symbol]

    def prev_close(self, symbol: str) -> float | None:
        """Close of the last recorded day before the final one: the replay continues the
        final day, so that day's previous session is the one before it."""
        series = self._data.get(symbol).series.get(Interval.M1)
        if series is None or not series.rows:
            return None
        last_day = datetime.fromtimestamp(series.rows[-1][0], UTC).date()
        for row in reversed(series.rows):
            if datetime.fromtimestamp(row[0], UTC).date() < last_day:
                return row[4]
        return None

    def delay(self, symbol: str) -> int:
        """Seconds the symbol's anonymous TradingView feed is late (its ``update_mode``)."""
        info = self._info(symbol)
        return info.delay_seconds if info is not None else 0

    def changed(self, symbol: str, ts: float) -> QuoteInfo | None:
        """The symbol's facts at replay time ``ts`` when they differ from the last sent."""
        info = self._info(symbol)
        clock = clock_for(info)
        open_now = not isinstance(clock, SessionClock) or clock.market_status(ts) == "open"
        sent = self._sent.get(symbol)
        fact = QuoteInfo(
            symbol,
            sent.prev_close if sent is not None else self.prev_close(symbol),
            "market" if open_now else "out_of_session",
            self.delay(symbol),
        )
        if fact == sent:
            return None
        self._sent[symbol] = fact
        return fact
