"""What a live quote stream reports besides ticks: its connection state and refused symbols."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tui_market.models.tick import Tick


class FeedStatus(StrEnum):
    CONNECTING = "connecting"
    LIVE = "live"
    BACKING_OFF = "backing off"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class FeedState:
    """Connection state for the data-health line."""

    status: FeedStatus
    attempt: int = 0
    retry_in: float | None = None  # seconds until the next attempt, when backing off
    detail: str = ""


@dataclass(frozen=True, slots=True)
class SymbolError:
    """The feed refused one symbol; the others keep flowing."""

    symbol: str
    message: str


QuoteEvent = Tick | FeedState | SymbolError
