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


@dataclass(frozen=True, slots=True)
class QuoteInfo:
    """What the feed says about a symbol besides its price: the previous session's close the
    change is measured from, the market's state and how late the data is. Sent when it changes.

    ``session``: TradingView's ``current_session`` (``market``, ``pre_market``,
    ``post_market``, ``out_of_session``); ``delay``: seconds late (``delayed_streaming_900``)."""

    symbol: str
    prev_close: float | None = None
    session: str | None = None
    delay: int = 0

    @property
    def status(self) -> str:
        return market_status(self.session)


_STATUS = {"market": "open", "pre_market": "pre-market", "post_market": "post-market"}


def market_status(session: str | None) -> str:
    """A trader's word for ``current_session``: open, pre-market, post-market, closed."""
    if session is None:
        return ""
    return _STATUS.get(session, "closed")


def delay_text(delay: int) -> str:
    return f"delayed {delay // 60}m" if delay >= 60 else (f"delayed {delay}s" if delay else "")


QuoteEvent = Tick | FeedState | SymbolError | QuoteInfo
