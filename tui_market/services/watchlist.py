"""Adding a symbol to the watchlist, as the TUI and ``tui-market symbols add`` both do it.

The symbol is stored first (``AddSymbol``: a bad symbol text is refused, nothing stored), then
its metadata is resolved (``RefreshSymbolInfo``: session, time zone, price scale, delay), so
the live service aligns its very first bars to the exchange's session and the screens format
its prices before any sync has run. A provider that cannot answer (offline, unknown symbol,
garbage metadata) does not undo the add: the outcome says why, and the next sync resolves it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from pymongo.errors import PyMongoError

from tui_market.commands.add_symbol import AddSymbol
from tui_market.commands.symbol_info import RefreshSymbolInfo
from tui_market.errors import ProviderError
from tui_market.models.symbol_info import InvalidSymbolInfo, SymbolInfo
from tui_market.services.bus import Bus

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AddOutcome:
    symbol: str
    created: bool
    info: SymbolInfo | None = None
    problem: str = ""  # why the metadata is not resolved ("" when it is, or none exists)

    @property
    def summary(self) -> str:
        """What the metadata says, in a few words ("America/New_York 0930-1600, delayed 15m")."""
        info = self.info
        if info is None:
            return f"metadata not resolved: {self.problem}" if self.problem else "no metadata"
        delay = info.delay_seconds
        late = f", delayed {delay // 60}m" if delay >= 60 else ""
        return f"{info.timezone} {info.session}{late}"


async def add_symbol(bus: Bus, text: str, description: str = "") -> AddOutcome:
    """Add ``text`` to the watchlist and resolve its metadata. Raises ``InvalidSymbol`` for a
    bad symbol text (nothing stored)."""
    result = await bus.execute(AddSymbol(text, description))
    try:
        info = await bus.execute(RefreshSymbolInfo(result.symbol))
    except (ProviderError, InvalidSymbolInfo, PyMongoError) as exc:
        log.warning("%s added; its metadata is not resolved: %s", result.symbol, exc)
        return AddOutcome(result.symbol, result.created, problem=_reason(result.symbol, exc))
    return AddOutcome(result.symbol, result.created, info)


def _reason(symbol: str, exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text.removeprefix(f"{symbol}: ")
