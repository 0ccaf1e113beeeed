"""Chart indicators stored with the user's settings in MongoDB (``settings``), through the
SaveIndicators command and the GetIndicators query, on the real embedded server."""

from __future__ import annotations

import pytest

from tests.dbdump import dump
from tui_market.commands.save_indicators import SaveIndicators, SaveIndicatorsHandler
from tui_market.infrastructure import schema
from tui_market.infrastructure.database import Database
from tui_market.models.indicator import InvalidIndicator, parse_specs
from tui_market.queries.get_indicators import GetIndicators, GetIndicatorsHandler


async def test_saved_choices_are_read_back_per_chart(database: Database) -> None:
    save, get = SaveIndicatorsHandler(database), GetIndicatorsHandler(database)
    assert await get(GetIndicators()) == {"history": (), "ticker": ()}
    assert await save(SaveIndicators("history", "EMA 21, rsi:14")) == parse_specs("ema:21,rsi:14")
    await save(SaveIndicators("ticker", "macd"))
    doc = await database.get_collection(schema.SETTINGS).find_one({"_id": "indicators:history"})
    assert doc is not None and doc["specs"] == ["ema:21", "rsi:14"]
    assert await get(GetIndicators()) == {
        "history": parse_specs("ema:21, rsi:14"),
        "ticker": parse_specs("macd:12,26,9"),
    }
    await save(SaveIndicators("history", ""))
    assert (await get(GetIndicators()))["history"] == ()


@pytest.mark.parametrize(("chart", "text"), [("history", "ema:0"), ("nowhere", "ema:21")])
async def test_bad_choice_changes_nothing_stored(database: Database, chart: str, text: str) -> None:
    save = SaveIndicatorsHandler(database)
    await save(SaveIndicators("history", "sma:50"))
    before = await dump(database)
    with pytest.raises(InvalidIndicator):
        await save(SaveIndicators(chart, text))
    assert await dump(database) == before


async def test_a_stored_choice_that_no_longer_parses_reads_as_none(database: Database) -> None:
    settings = database.get_collection(schema.SETTINGS)
    await settings.insert_one({"_id": "indicators:ticker", "chart": "ticker", "specs": ["zz:1"]})
    await settings.insert_one({"_id": "indicators:history", "chart": "history", "specs": 3})
    assert await GetIndicatorsHandler(database)(GetIndicators()) == {"history": (), "ticker": ()}
