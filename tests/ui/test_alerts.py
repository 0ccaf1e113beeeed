"""Alerts in the TUI: the dialog (prefilled with the last price, validated as you type, refusals
that store nothing), their levels drawn on the History and Ticker charts, firing in the app's
live worker on the demo replay (exactly once, stored, not again after a restart, its line gone),
and alerts fired while the TUI was closed listed at start."""

from __future__ import annotations

from textual.color import Color
from textual.message import Message
from textual.notifications import Notify
from textual.widgets import Checkbox, Input, Label, Select

from tests.replay_level import crossing_level, replay_prices
from tests.ui.conftest import NOW, app_for, runtime_for, seed, settle, until
from tui_market.commands.add_alert import AddAlert
from tui_market.commands.record_alert import RecordAlertFired
from tui_market.infrastructure.database import Database
from tui_market.models import Interval
from tui_market.models.alert import AlertFired, AlertKind
from tui_market.providers.replay import ReplayQuoteStream
from tui_market.queries.get_bars import GetBars
from tui_market.queries.list_alert_events import ListAlertEvents
from tui_market.queries.list_alerts import ListAlerts
from tui_market.runtime import Runtime
from tui_market.settings import load_settings
from tui_market.tui.messages import AlertsChanged, AlertTriggered
from tui_market.tui.screens.alert_dialog import AlertScreen
from tui_market.tui.widgets.candles import CandleChart
from tui_market.tui.widgets.chart_window import Y_LABEL_WIDTH
from tui_market.tui.widgets.live_chart import LiveChart

AAPL = "NASDAQ:AAPL"
SIZE = (120, 36)


def notices(seen: list[Message]) -> list[tuple[str, str]]:
    return [(m.notification.title, m.notification.message) for m in seen if isinstance(m, Notify)]


async def test_the_dialog_validates_as_you_type_and_stores_the_alert(
    runtime: Runtime, database: Database
) -> None:
    await seed(database, [AAPL])
    seen: list[Message] = []
    app = app_for(runtime, live=False)
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(pilot)
        last = app.watchlist[0].last_close
        assert last is not None
        await pilot.press("A")
        screen = app.screen
        assert isinstance(screen, AlertScreen)
        level = screen.query_one("#alert-level", Input)
        reason = screen.query_one("#alert-reason", Label)
        assert level.value == f"{last:.10g}"  # prefilled with the last price
        assert str(reason.content) == f"enter: alert when {AAPL} crosses above {last:g}"
        for typed, says in (("", "type a level"), ("abc", "not a number"), ("-5", "positive")):
            level.value = typed
            await pilot.pause()
            assert says in str(reason.content) and reason.has_class("-invalid")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AlertScreen)  # still open: nothing submitted
        assert await runtime.bus.execute(ListAlerts()) == []

        screen.query_one(Select).value = AlertKind.BELOW
        level.value = "150"
        screen.query_one(Checkbox).value = True
        await pilot.pause()
        assert str(reason.content) == f"enter: alert when {AAPL} crosses below 150"
        await pilot.press("enter")
        await until(
            pilot,
            lambda: ("Alert added", f"Alert 1: {AAPL} crosses below 150") in notices(seen),
            what="the added notice",
        )
        (stored,) = await runtime.bus.execute(ListAlerts())
        assert (stored.kind, stored.level, stored.rearm) == (AlertKind.BELOW, 150.0, True)

        # the same rule again: one clear message, nothing stored
        await pilot.press("A")
        assert isinstance(app.screen, AlertScreen)
        app.screen.query_one(Select).value = AlertKind.BELOW
        app.screen.query_one("#alert-level", Input).value = "150"
        await pilot.press("enter")
        refused = f"No alert added: alert 1 already watches {AAPL} crosses below 150"
        await until(pilot, lambda: ("Alert", refused) in notices(seen), what="the refusal")
        assert len(await runtime.bus.execute(ListAlerts())) == 1
        await pilot.press("q")


async def test_change_kind_prefills_a_percentage_and_escape_stores_nothing(
    runtime: Runtime, database: Database
) -> None:
    await seed(database, [AAPL])
    app = app_for(runtime, live=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("A")
        screen = app.screen
        assert isinstance(screen, AlertScreen)
        screen.query_one(Select).value = AlertKind.CHANGE
        await pilot.pause()
        assert screen.query_one("#alert-level", Input).value == "2"
        reason = str(screen.query_one("#alert-reason", Label).content)
        assert reason == f"enter: alert when {AAPL} changes beyond ±2%"
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, AlertScreen)
    assert await runtime.bus.execute(ListAlerts()) == []


async def test_a_on_the_ticker_opens_the_dialog_for_the_selected_symbol(
    runtime: Runtime, database: Database
) -> None:
    await seed(database, ["NASDAQ:TSLA", AAPL])
    app = app_for(runtime, live=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3", "down", "A")
        screen = app.screen
        assert isinstance(screen, AlertScreen)
        assert screen.symbol == AAPL
        last = next(row.last_close for row in app.watchlist if row.symbol == AAPL)
        assert screen.query_one("#alert-level", Input).value == f"{last:.10g}"
        await pilot.press("escape", "q")


def drawn_level(chart: CandleChart, level: float) -> bool:
    """The chart shows ``level``: a dashed row with the price on the axis."""
    want = f"{level:,.2f}"
    return any(
        "╌" in line and line[: Y_LABEL_WIDTH - 1].strip() == want
        for line in (strip.text for strip in chart.strips())
    )


async def test_alert_levels_are_drawn_on_history_and_ticker_charts(
    runtime: Runtime, database: Database
) -> None:
    await seed(database, [AAPL])
    bars = await runtime.bus.execute(GetBars(AAPL, Interval.D1, last=20))
    middle = round((max(b.high for b in bars) + min(b.low for b in bars)) / 2, 2)
    await runtime.bus.execute(AddAlert(AAPL, "above", str(middle)))
    await runtime.bus.execute(AddAlert(AAPL, "change", "2"))  # a percentage: no line
    app = app_for(runtime, live=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        history = app.screen.query_one(CandleChart)
        await until(pilot, lambda: drawn_level(history, middle), what="the level on History")
        assert history.levels == (middle,)
        row = next(strip for strip in history.strips() if "╌" in strip.text)
        dash = next(segment for segment in row if "╌" in segment.text)
        warning = Color.parse(app.theme_variables["warning"]).rich_color
        assert dash.style is not None and dash.style.color == warning  # the theme's warning

        # one added from the dialog joins it, on the Ticker's chart too
        await pilot.press("1", "A")
        assert isinstance(app.screen, AlertScreen)
        app.screen.query_one(Select).value = AlertKind.BELOW
        below = round(middle * 0.99, 2)
        app.screen.query_one("#alert-level", Input).value = str(below)
        await pilot.press("enter")
        await pilot.press("3")
        ticker = app.screen.query_one(LiveChart)
        await until(pilot, lambda: ticker.levels == (below, middle), what="both on Ticker")
        assert drawn_level(ticker, middle) and drawn_level(ticker, below)
        await pilot.press("q")


async def test_an_alert_added_from_the_cli_reaches_the_live_apps_charts(
    database: Database,
) -> None:
    await seed(database, [AAPL])
    stream = ReplayQuoteStream(start=NOW.timestamp(), speed=60.0)
    rt = runtime_for(load_settings(demo=True, interval="1m"), database, stream)
    seen: list[Message] = []
    app = app_for(rt, live=True)
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(pilot)
        # both start-up reads done (the app's, the live worker's): only a reload can tell
        await until(
            pilot,
            lambda: sum(isinstance(m, AlertsChanged) for m in seen) == 2,
            what="the alerts read at start",
        )
        alert = await rt.bus.execute(AddAlert(AAPL, "below", "100"))  # as `alerts add` does
        await until(pilot, lambda: app.alerts == (alert,), what="the live worker's reload")
        await pilot.press("q")


async def run_live(database: Database, bars: int) -> list[Message]:
    """The app with its live worker on the demo replay, until ``bars`` 1m bars closed."""
    settings = load_settings(demo=True, interval="1m")
    stream = ReplayQuoteStream(start=NOW.timestamp(), speed=300.0)
    seen: list[Message] = []
    app = app_for(runtime_for(settings, database, stream), live=True)
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(pilot)
        await until(
            pilot,
            lambda: len(app.snapshot.recent.get((AAPL, Interval.M1), ())) >= bars,
            timeout=60.0,
            what=f"{bars} closed bars",
        )
        # a spent alert leaves the charts (re-read when it fires)
        await until(pilot, lambda: not app.alerts, what="no alert that can still fire")
        await pilot.press("q")
    return seen


async def test_a_demo_alert_fires_once_in_the_tui_and_not_again_after_a_restart(
    database: Database,
) -> None:
    await seed(database, [AAPL])
    settings = load_settings(demo=True, interval="1m")
    bus = runtime_for(settings, database).bus
    level = crossing_level(await replay_prices())
    alert = await bus.execute(AddAlert(AAPL, AlertKind.ABOVE, level))

    seen = await run_live(database, 12)  # 72 ticks: the price crosses the level twice
    fired = [m.fired for m in seen if isinstance(m, AlertTriggered)]
    assert [(f.alert.id, f.price >= level) for f in fired] == [(alert.id, True)]
    assert [t for t, _ in notices(seen) if t == f"Alert {alert.id}"] == [f"Alert {alert.id}"]
    events = await bus.execute(ListAlertEvents())
    assert [(e.alert_id, e.source) for e in events] == [(alert.id, "tui")]
    assert await bus.execute(ListAlertEvents(unseen_only=True)) == []  # shown already
    assert await bus.execute(ListAlerts(active_only=True)) == []

    again = await run_live(database, 12)
    assert not [m for m in again if isinstance(m, AlertTriggered)]
    assert len(await bus.execute(ListAlertEvents())) == 1


async def test_alerts_fired_while_the_tui_was_closed_are_listed_at_start(
    runtime: Runtime, database: Database
) -> None:
    await seed(database, [AAPL])
    alert = await runtime.bus.execute(AddAlert(AAPL, "above", "190"))
    fired = AlertFired(alert, NOW.timestamp(), 190.5)
    await runtime.bus.execute(RecordAlertFired((fired,), "watch"))
    seen: list[Message] = []
    app = app_for(runtime, live=False)
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(pilot)
        said = ("1 alert fired while you were away", f"2026-11-20 15:30 {fired.text}")
        await until(pilot, lambda: said in notices(seen), what="the missed alert listed")
        await pilot.press("q")
    assert await runtime.bus.execute(ListAlertEvents(unseen_only=True)) == []
    again: list[Message] = []
    async with app_for(runtime, live=False).run_test(size=SIZE, message_hook=again.append) as p:
        await settle(p)
        assert not [t for t, _ in notices(again) if "while you were away" in t]
        await p.press("q")
