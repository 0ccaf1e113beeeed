"""Bars (OHLCV): the validated model used at every boundary (providers, storage, screens)."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from tui_market.models.interval import Interval

__all__ = ["MAX_PRICE", "Bar", "Interval"]
MAX_PRICE = 1e15  # at or above: nonsense (no instrument trades there; a double loses the cents)


class Bar(BaseModel):
    """One closed or forming bar. ``time`` is the bar's open, a UTC-aware datetime."""

    model_config = ConfigDict(frozen=True)

    symbol: str
    interval: Interval
    time: datetime
    open: float
    high: float
    low: float
    close: float
    volume: float = 0.0

    @field_validator("time")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("bar time must be timezone-aware (UTC)")
        return value.astimezone(UTC)

    @field_validator("open", "high", "low", "close")
    @classmethod
    def _price(cls, value: float) -> float:
        if not 0 < value < MAX_PRICE:  # also refuses NaN
            raise ValueError(f"price must be a positive number below 1e15, got {value}")
        return value

    @field_validator("volume")
    @classmethod
    def _volume(cls, value: float) -> float:
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"volume must be a finite number >= 0, got {value}")
        return value

    @model_validator(mode="after")
    def _range(self) -> Bar:
        if self.high < self.low:
            raise ValueError(f"high {self.high} is below low {self.low}")
        if not (self.low <= self.open <= self.high and self.low <= self.close <= self.high):
            raise ValueError("open and close must lie between low and high")
        return self

    @property
    def epoch(self) -> int:
        return int(self.time.timestamp())

    @classmethod
    def from_epoch(
        cls,
        symbol: str,
        interval: Interval,
        epoch: float,
        o: float,
        h: float,
        low: float,
        c: float,
        v: float = 0.0,
    ) -> Bar:
        return cls(
            symbol=symbol,
            interval=interval,
            time=datetime.fromtimestamp(epoch, UTC),
            open=o,
            high=h,
            low=low,
            close=c,
            volume=v,
        )
