"""Alert commands and queries on the real MongoDB-wire server: stored documents, refusals that
store nothing, once-only spending that survives a "restart" (a new handler, the same store)."""

from __future__ import annotations

import pytest

from tests.dbdump import ALERTS, dump
from tui_market.commands.add_alert import AddAlert
from tui_market.commands.add_symbol import AddSymbol
from tui_market.commands.alert_events_seen import MarkAlertEventsSeen
from tui_market.commands.record_alert import RecordAlertFired
from tui_market.commands.remove_alert import RemoveAlert
from tui_market.commands.remove_symbol import RemoveSymbol
from tui_market.infrastructure import alert_schema
from tui_market.infrastructure.database import Database
from tui_market.models import Interval, InvalidSymbol
from tui_market.models.alert import AlertFired, AlertKind, InvalidAlert
from tui_market.queries.alerts_version import AlertsVersion
from tui_market.queries.list_alert_events import ListAlertEvents
from tui_market.queries.list_alerts import ListAlerts
from tui_market.runtime import make_bus
from tui_market.services.bus import Bus


@pytest.fixture
async def bus(database: Database) -> Bus:
    from tui_market.runtime import offline_providers
    from tui_market.settings import load_settings

    provider, _ = offline_providers(load_settings(demo=True))
    bus = make_bus(database, provider)
    await bus.execute(AddSymbol("NASDAQ:AAPL"))
    return bus


async def test_add_alert_stores_it_with_a_fresh_id(bus: Bus, database: Database) -> None:
    first = await bus.execute(AddAlert("nasdaq:aapl", "above", "200"))
    second = await bus.execute(AddAlert("NASDAQ:AAPL", AlertKind.CLOSE_BELOW, 150.0, Interval.H1))
    assert (first.id, second.id) == (1, 2)
    doc = await database.get_collection(alert_schema.ALERTS).find_one({"_id": 2})
    assert doc is not None
    assert (doc["symbol"], doc["kind"], doc["level"], doc["interval"], doc["active"]) == (
        "NASDAQ:AAPL",
        "close-below",
        150.0,
        "1h",
        True,
    )
    alerts = await bus.execute(ListAlerts())
    assert [a.condition for a in alerts] == [
        "NASDAQ:AAPL crosses above 200",
        "NASDAQ:AAPL closes below 150 (1h)",
    ]
    await bus.execute(RemoveAlert(1))
    third = await bus.execute(AddAlert("NASDAQ:AAPL", "below", "100"))
    assert third.id == 3  # ids are never reused


@pytest.mark.parametrize(
    ("symbol", "kind", "level", "error", "says"),
    [
        ("NASDAQ:TSLA", "above", "200", InvalidAlert, "NASDAQ:TSLA is not on the watchlist"),
        ("NASDAQ AAPL", "above", "200", InvalidSymbol, "no spaces allowed"),
        ("NASDAQ:AAPL", "above", "abc", InvalidAlert, "'abc' is not a number"),
        ("NASDAQ:AAPL", "above", "-5", InvalidAlert, "give a positive number"),
        ("NASDAQ:AAPL", "above", "0", InvalidAlert, "give a positive number"),
        ("NASDAQ:AAPL", "sideways", "5", InvalidAlert, "not an alert kind"),
        ("NASDAQ:AAPL", "close-above", "5", InvalidAlert, "needs a bar interval"),
    ],
)
async def test_bad_input_is_refused_and_stores_nothing(
    bus: Bus, database: Database, symbol: str, kind: str, level: str, error: type, says: str
) -> None:
    before = await dump(database, ALERTS)
    with pytest.raises(error, match=says):
        await bus.execute(AddAlert(symbol, kind, level))
    assert await dump(database, ALERTS) == before


async def test_a_duplicate_is_refused_and_stores_nothing(bus: Bus, database: Database) -> None:
    await bus.execute(AddAlert("NASDAQ:AAPL", "above", "200"))
    before = await dump(database, ALERTS)
    with pytest.raises(InvalidAlert, match="alert 1 already watches NASDAQ:AAPL crosses above"):
        await bus.execute(AddAlert("NASDAQ:AAPL", "above", "200.0"))
    assert await dump(database, ALERTS) == before


async def test_a_fired_once_only_alert_is_spent_and_its_event_stored_once(
    bus: Bus, database: Database
) -> None:
    alert = await bus.execute(AddAlert("NASDAQ:AAPL", "above", "200"))
    fired = AlertFired(alert, 1_700_000_000.0, 201.5)
    assert await bus.execute(RecordAlertFired((fired,), "watch")) == 1
    # the TUI saw the same tick: nothing more is stored
    assert await bus.execute(RecordAlertFired((fired,), "tui")) == 0
    stored = await bus.execute(ListAlerts())
    assert [(a.active, a.fired_count) for a in stored] == [(False, 1)]
    assert await bus.execute(ListAlerts(active_only=True)) == []  # a restart does not watch it
    events = await bus.execute(ListAlertEvents(unseen_only=True))
    assert [(e.alert_id, e.price, e.source, e.text) for e in events] == [
        (1, 201.5, "watch", "NASDAQ:AAPL crosses above 200: now 201.5")
    ]
    assert await bus.execute(MarkAlertEventsSeen(tuple(e.id for e in events))) == 1
    assert await bus.execute(ListAlertEvents(unseen_only=True)) == []
    assert len(await bus.execute(ListAlertEvents())) == 1


async def test_a_re_arming_alert_stays_active_and_stores_each_firing(bus: Bus) -> None:
    alert = await bus.execute(AddAlert("NASDAQ:AAPL", "below", "150", rearm=True))
    first, second = AlertFired(alert, 1.0, 149.0), AlertFired(alert, 2.0, 149.0)
    assert await bus.execute(RecordAlertFired((first, second), "tui")) == 2
    assert await bus.execute(RecordAlertFired((second,), "tui")) == 0  # the same firing again
    (stored,) = await bus.execute(ListAlerts(active_only=True))
    assert stored.active and stored.fired_at is not None and stored.fired_count == 3
    events = await bus.execute(ListAlertEvents())
    assert len(events) == 2
    assert await bus.execute(ListAlertEvents(unseen_only=True)) == []  # the TUI showed them


async def test_removing_an_unknown_id_changes_nothing(bus: Bus, database: Database) -> None:
    before = await dump(database, ALERTS)
    assert await bus.execute(RemoveAlert(42)) is None
    assert await dump(database, ALERTS) == before


async def test_removing_a_symbol_removes_its_alerts_and_keeps_their_events(
    bus: Bus, database: Database
) -> None:
    await bus.execute(AddSymbol("NASDAQ:TSLA"))
    aapl = await bus.execute(AddAlert("NASDAQ:AAPL", "above", "200"))
    await bus.execute(AddAlert("NASDAQ:AAPL", "change", "3"))
    tsla = await bus.execute(AddAlert("NASDAQ:TSLA", "below", "150"))
    await bus.execute(RecordAlertFired((AlertFired(aapl, 1_700_000_000.0, 201.0),), "tui"))
    version = await bus.execute(AlertsVersion())

    result = await bus.execute(RemoveSymbol("nasdaq:aapl"))
    assert (result.removed, result.alerts_deleted) == (True, 2)
    assert [a.id for a in await bus.execute(ListAlerts())] == [tsla.id]
    assert await bus.execute(AlertsVersion()) != version  # the live workers read them again
    assert [e.alert_id for e in await bus.execute(ListAlertEvents())] == [aapl.id]

    again = await bus.execute(RemoveSymbol("NASDAQ:AAPL"))
    assert (again.removed, again.alerts_deleted) == (False, 0)
