"""GetIndicators: the indicators each chart shows, as last saved (``SaveIndicators``).

A chart never saved has none. A stored choice that no longer parses (edited by hand, or
written by a later version) is logged and read as none, rather than failing the start.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from tui_market.infrastructure import schema
from tui_market.infrastructure.database import Database
from tui_market.models.indicator import CHARTS, IndicatorSpec, InvalidIndicator, parse_specs

log = logging.getLogger(__name__)
ChartIndicators = dict[str, tuple[IndicatorSpec, ...]]


@dataclass(frozen=True, slots=True)
class GetIndicators:
    pass


class GetIndicatorsHandler:
    def __init__(self, db: Database) -> None:
        self._settings = db.get_collection(schema.SETTINGS)

    async def __call__(self, msg: GetIndicators) -> ChartIndicators:
        del msg
        found: ChartIndicators = {chart: () for chart in CHARTS}
        ids = [schema.indicators_id(chart) for chart in CHARTS]
        async for doc in self._settings.find({"_id": {"$in": ids}}):
            chart, texts = doc.get("chart"), doc.get("specs")
            if chart not in found or not isinstance(texts, list):
                log.warning("settings %s: unreadable indicator choice, ignored", doc["_id"])
                continue
            try:
                found[chart] = parse_specs(", ".join(str(text) for text in texts))
            except InvalidIndicator as exc:
                log.warning("settings %s: stored indicators refused (%s)", doc["_id"], exc)
        return found
