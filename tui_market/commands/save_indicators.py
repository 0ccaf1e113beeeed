"""SaveIndicators: remember the indicators chosen for one chart (``settings`` collection).

One document per chart, ``_id`` ``indicators:<chart>``, holding the canonical texts
(``["ema:21", "rsi:14"]``). The text is parsed before anything is written: bad text raises
``InvalidIndicator`` and the stored choice stays as it was.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from tui_market.infrastructure import schema
from tui_market.infrastructure.database import Database
from tui_market.models.indicator import CHARTS, IndicatorSpec, InvalidIndicator, parse_specs

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SaveIndicators:
    chart: str  # one of CHARTS
    text: str  # as typed: "EMA 21, rsi:14"; empty: no indicators


class SaveIndicatorsHandler:
    def __init__(self, db: Database) -> None:
        self._settings = db.get_collection(schema.SETTINGS)

    async def __call__(self, msg: SaveIndicators) -> tuple[IndicatorSpec, ...]:
        if msg.chart not in CHARTS:
            raise InvalidIndicator(f"no chart {msg.chart!r} (charts: {', '.join(CHARTS)})")
        specs = parse_specs(msg.text)
        await self._settings.update_one(
            {"_id": schema.indicators_id(msg.chart)},
            {
                "$set": {
                    "chart": msg.chart,
                    "specs": [spec.text for spec in specs],
                    "updated_at": datetime.now(UTC),
                }
            },
            upsert=True,
        )
        log.info("indicators of the %s chart: %s", msg.chart, [s.text for s in specs] or "none")
        return specs
