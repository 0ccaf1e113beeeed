"""Alerts in the live loop (QuoteService + AlertWatch) on the replay stream and the real
database: what fires, and what is stored, is what a pandas oracle finds in the same prices;
the alert set follows the store (added, removed) through its version number."""

from __future__ import annotations

import asyncio

import pandas as pd

from tests.replay_level import SYMBOL, replay_prices
from tui_market.commands.add_alert import AddAlert
from tui_market.commands.add_symbol import AddSymbol
from tui_market.commands.remove_alert import RemoveAlert
from tui_market.infrastructure.database import Database
from tui_market.models import Interval
from tui_market.models.alert import Alert, AlertFired, AlertKind
from tui_market.models.live import BarClosedEvent, LiveEvent
from tui_market.providers.replay import ReplayProvider, ReplayQuoteStream
from tui_market.queries.alerts_version import AlertsVersion
from tui_market.queries.list_alert_events import ListAlertEvents
from tui_market.queries.list_alerts import ListAlerts
from tui_market.services.alert_service import AlertWatch
from tui_market.services.bus import Bus
from tui_market.services.quote_service import QuoteService

BARS = 40  # 1m bars closed before the stream is stopped (6 ticks each)


def crossings(prices: list[float], alert: Alert) -> int:
    s = pd.Series(prices)
    prev = s.shift(1)
    if alert.kind is AlertKind.ABOVE:
        hit = (prev < alert.level) & (s >= alert.level)
    else:
        hit = (prev > alert.level) & (s <= alert.level)
    count = int(hit.sum())
    return count if alert.rearm else min(count, 1)


async def test_the_live_loop_fires_and_stores_what_the_oracle_finds(database: Database) -> None:
    provider = ReplayProvider()
    bus = Bus(database, provider)
    await bus.execute(AddSymbol(SYMBOL))
    prices = await replay_prices(BARS * 6 + 12)
    low, high = min(prices), max(prices)
    alerts = []
    for i, frac in enumerate((0.2, 0.4, 0.5, 0.6, 0.8)):
        level = round(low + (high - low) * frac, 3)
        for kind in (AlertKind.ABOVE, AlertKind.BELOW):
            alerts.append(await bus.execute(AddAlert(SYMBOL, kind, level, rearm=i % 2 == 0)))

    stream = ReplayQuoteStream(speed=None)
    watch = AlertWatch(bus, "watch", reload_every=0.05)
    service = QuoteService(stream, bus, provider, [Interval.M1], flush_every=0.05, alerts=watch)
    await service.set_symbols({SYMBOL})
    fired: list[AlertFired] = []
    closed = 0

    def on_event(event: LiveEvent) -> None:
        nonlocal closed
        if isinstance(event, AlertFired):
            fired.append(event)
        elif isinstance(event, BarClosedEvent):
            closed += 1
            if closed == BARS:
                asyncio.get_running_loop().create_task(stream.close())

    await asyncio.wait_for(service.run(on_event), 60)
    quote = service.quote(SYMBOL)
    assert quote is not None and quote.last_ts is not None
    played = 1 + round((quote.last_ts - float(stream.first_open)) / 10)  # a tick every 10 s
    assert BARS * 6 <= played <= len(prices)
    seen = prices[:played]
    for alert in alerts:
        assert sum(f.alert.id == alert.id for f in fired) == crossings(seen, alert), alert
    assert len(fired) >= 5
    events = await bus.execute(ListAlertEvents(limit=1000))
    assert sorted((e.alert_id, e.ts.timestamp()) for e in events) == sorted(
        (f.alert.id, f.ts) for f in fired
    )
    spent = {a.id for a in await bus.execute(ListAlerts()) if not a.active}
    assert spent == {f.alert.id for f in fired if not f.alert.rearm}


async def test_the_watched_alerts_follow_the_store(database: Database) -> None:
    bus = Bus(database, ReplayProvider())
    await bus.execute(AddSymbol(SYMBOL))
    watch = AlertWatch(bus, "tui")
    assert await watch.load() and watch.manager.alerts == ()
    before = await bus.execute(AlertsVersion())
    alert = await bus.execute(AddAlert(SYMBOL, "above", "200"))
    assert await bus.execute(AlertsVersion()) > before
    await watch.load()
    assert [a.id for a in watch.manager.alerts] == [alert.id]
    await bus.execute(RemoveAlert(alert.id))
    await watch.load()
    assert watch.manager.alerts == ()
