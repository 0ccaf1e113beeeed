"""Fuzz: random symbol text into AddSymbol on the real test database, and garbage history rows
over the real socket into SyncHistory. Each is accepted as a valid value or refused with one
clear line; nothing crashes and nothing invalid is stored. (Config and theme files:
test_fuzz_config.py; the quote client: test_fuzz_frames.py.)"""

from __future__ import annotations

import math
import re
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.dbdump import BARS, dump
from tests.fakes.tv_data import load_market_data
from tests.fakes.tv_server import FakeTradingViewServer
from tui_market.commands.add_symbol import DESCRIPTION_MAX, AddSymbol, AddSymbolHandler
from tui_market.commands.sync_history import SyncHistory, SyncHistoryHandler
from tui_market.errors import ProviderError
from tui_market.infrastructure import schema
from tui_market.infrastructure.database import Database
from tui_market.models import Interval, InvalidSymbol, SymbolRef
from tui_market.providers.tradingview.history import TradingViewProvider

VALID = re.compile(r"[A-Z0-9_]{1,20}:[A-Z0-9][A-Z0-9._\-]{0,29}!?", re.ASCII)
NASTY = [
    '{"$gt": ""}',
    '{"$gt":""}',
    "$gt:x",
    "NASDAQ:$where",
    '{"$ne":null}:A',
    "A.B:C",
    "NASDAQ:AAPL\x00",
    "nasdaq:aapl\n",
    "\u202enasdaq:aapl",
    "CME:ES\u0661!",
    "nasdaq:\ufb00",
    "NASDAQ:\u0131",
    "A" * 21 + ":B",
    "A:" + "B" * 31,
    "X:" + "9" * 30 + "!",
    ":",
    "::",
    "[/]:A",
    "[b]NASDAQ:AAPL",
    "NASDAQ:AAPL[/]",
    " \t ",
    "NASDAQ :AAPL",
    "\ud800:A",
]
parts = st.text(alphabet="AZaz09_.-!$:[]/ {}\"'", max_size=25)
symbol_text = st.one_of(
    st.text(max_size=40),  # anything (unicode, control characters, ...)
    st.builds(lambda a, b: f"{a}:{b}", parts, parts),  # close to valid
    st.text(alphabet=st.characters(codec="ascii"), max_size=40),
    st.text(alphabet=st.characters(categories=["Cc", "Cs", "Zs", "Zl", "Mn", "Nd"]), max_size=8),
    st.integers(100, 20_000).map(lambda n: "NASDAQ:" + "A" * n),  # very long
    st.sampled_from(NASTY),
)
description = st.one_of(
    st.text(max_size=30),
    st.text(alphabet=st.characters(categories=["Cs"])),
    st.integers(150, 5000).map(lambda n: " d" * n),
)


def clear(message: str) -> bool:
    """One line a trader can read: not empty, no line break, not a wall of text."""
    return bool(message) and "\n" not in message and len(message) <= 240


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(symbol_text, description)
@example("nasdaq:aapl", "\ud800")  # a lone surrogate (as JSON may carry) in the description
async def test_random_symbol_text_is_added_normalised_or_refused_clearly(
    database: Database,
    text: str,
    desc: str,
) -> None:
    symbols = database.get_collection(schema.SYMBOLS)
    before = {d["_id"] async for d in symbols.find({}, {"_id": 1})}
    try:
        result = await AddSymbolHandler(database)(AddSymbol(text, desc))
    except InvalidSymbol as exc:
        assert clear(str(exc)), repr(str(exc))
        assert {d["_id"] async for d in symbols.find({}, {"_id": 1})} == before
        return
    assert VALID.fullmatch(result.symbol), result.symbol
    assert SymbolRef.parse(text).full == result.symbol == SymbolRef.parse(result.symbol).full
    after = {d["_id"] async for d in symbols.find({}, {"_id": 1})}
    assert after == before | {result.symbol}
    assert result.created == (result.symbol not in before)
    doc = await symbols.find_one({"_id": result.symbol})
    assert doc is not None and len(doc["description"]) <= DESCRIPTION_MAX
    await symbols.delete_one({"_id": result.symbol})  # keep the next example's store small


async def test_a_description_larger_than_a_document_is_cut_not_fatal(database: Database) -> None:
    huge = "x" * 17_000_000  # over MongoDB's 16 MiB document limit
    result = await AddSymbolHandler(database)(AddSymbol("NASDAQ:AAPL", huge))
    doc = await database.get_collection(schema.SYMBOLS).find_one({"_id": result.symbol})
    assert doc is not None and doc["description"] == "x" * DESCRIPTION_MAX


async def test_operator_lookalikes_never_reach_the_query(database: Database) -> None:
    """``{"$gt": ""}`` as text is refused before any query, so it cannot match every doc."""
    await AddSymbolHandler(database)(AddSymbol("NASDAQ:AAPL"))
    for text in NASTY:
        try:
            result = await AddSymbolHandler(database)(AddSymbol(text))
        except InvalidSymbol as exc:
            assert clear(str(exc)), text
            continue
        assert VALID.fullmatch(result.symbol), text
    ids = [d["_id"] async for d in database.get_collection(schema.SYMBOLS).find({})]
    assert all(VALID.fullmatch(i) for i in ids), ids


cell = st.one_of(
    st.floats(),
    st.floats(0.01, 1e6),
    st.integers(-(10**20), 10**20),
    st.booleans(),
    st.none(),
    st.text(max_size=6),
    st.sampled_from([1e300, -1.0, 0, 10**400]),
    st.lists(st.integers(), max_size=2),
)
epoch = st.integers(1_600_000_000, 1_700_000_000).map(lambda t: t // 60 * 60) | cell
garbage_rows = st.lists(
    st.builds(lambda t, rest: [t, *rest], epoch, st.lists(cell, max_size=6)),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(garbage_rows)
@example([[float("inf"), 0.0, 0.0, 0.0, 0.0]])  # a CI run's find: the fake's quote crashed
async def test_garbage_history_rows_store_only_valid_bars(
    database: Database,
    rows: list[list[Any]],
) -> None:
    """Random rows served over the real socket, synced into the real database: the fetch
    fails with a ProviderError or yields only valid bars, and only those are stored."""
    market = load_market_data()
    market.set_bars("FUZZ:ROWS", rows)
    provider_errors = 0
    async with FakeTradingViewServer(market) as server:
        provider = TradingViewProvider(ws_url=server.url, timeout=10)
        try:
            await SyncHistoryHandler(database, provider)(SyncHistory("FUZZ:ROWS", Interval.M1, 50))
        except ProviderError as exc:
            assert clear(str(exc)), str(exc)
            provider_errors += 1
    stored = (await dump(database))[BARS]
    for doc in stored:  # each one a valid Bar
        assert all(math.isfinite(doc[k]) and doc[k] > 0 for k in ("o", "h", "l", "c")), doc
        assert doc["l"] <= min(doc["o"], doc["c"]) and max(doc["o"], doc["c"]) <= doc["h"], doc
    assert len(stored) <= len(rows) and (not provider_errors or not stored)
    await database.get_collection(BARS).delete_many({})
