"""AlertManager: crossing semantics (first tick, touches, gaps), bar closes, change %, re-arm.

The property test checks the manager against an oracle written with pandas (shift and compare),
independent of the manager's sorted ladders.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui_market.managers.alert_manager import AlertManager
from tui_market.models import Bar, Interval, Tick
from tui_market.models.alert import (
    Alert,
    AlertKind,
    InvalidAlert,
    chart_levels,
    parse_kind,
    parse_level,
)

AAPL = "NASDAQ:AAPL"


def alert(
    id: int, kind: AlertKind, level: float, *, rearm: bool = False, symbol: str = AAPL
) -> Alert:
    interval = Interval.M1 if kind.on_close else None
    return Alert(id, symbol, kind, level, interval, rearm=rearm)


def run(manager: AlertManager, prices: list[float], reference: float | None = None) -> list[int]:
    """Ids fired, tick by tick, in order."""
    fired = []
    for i, price in enumerate(prices):
        fired += [f.alert.id for f in manager.on_tick(Tick(AAPL, float(i), price), reference)]
    return fired


def bar(minute: int, open_: float, close: float) -> Bar:
    return Bar(
        symbol=AAPL,
        interval=Interval.M1,
        time=datetime.fromtimestamp(1_700_000_040 + 60 * minute, UTC),
        open=open_,
        high=max(open_, close),
        low=min(open_, close),
        close=close,
        volume=1.0,
    )


def test_the_first_tick_only_sets_the_baseline() -> None:
    manager = AlertManager([alert(1, AlertKind.ABOVE, 200.0), alert(2, AlertKind.BELOW, 300.0)])
    assert run(manager, [250.0]) == []  # already beyond both levels: nobody saw a crossing
    assert run(manager, [250.0, 251.0]) == []


def test_crossing_above_fires_once_and_a_touch_counts() -> None:
    manager = AlertManager([alert(1, AlertKind.ABOVE, 200.0)])
    assert run(manager, [199.0, 199.5, 200.0, 201.0, 199.0, 202.0]) == [1]


def test_crossing_below_fires_once() -> None:
    manager = AlertManager([alert(1, AlertKind.BELOW, 200.0)])
    assert run(manager, [201.0, 200.5, 199.0, 198.0, 201.0, 197.0]) == [1]


def test_a_gap_over_the_level_is_a_crossing() -> None:
    manager = AlertManager([alert(1, AlertKind.ABOVE, 200.0), alert(2, AlertKind.BELOW, 150.0)])
    assert run(manager, [180.0, 260.0, 120.0]) == [1, 2]


def test_a_re_arming_alert_fires_again_after_going_back() -> None:
    manager = AlertManager([alert(1, AlertKind.ABOVE, 200.0, rearm=True)])
    assert run(manager, [199.0, 201.0, 202.0, 199.0, 201.0, 200.0, 200.0]) == [1, 1]


def test_a_spent_alert_stays_spent_when_reloaded_still_active() -> None:
    once = alert(1, AlertKind.ABOVE, 200.0)
    manager = AlertManager([once])
    assert run(manager, [199.0, 201.0]) == [1]
    manager.set_alerts([once])  # the store has not said it is spent yet
    assert manager.alerts == ()
    assert run(manager, [199.0, 201.0]) == []


def test_other_symbols_do_not_fire() -> None:
    manager = AlertManager([alert(1, AlertKind.ABOVE, 200.0, symbol="NASDAQ:TSLA")])
    assert run(manager, [199.0, 201.0]) == []


def test_change_beyond_n_percent_either_way() -> None:
    manager = AlertManager([alert(1, AlertKind.CHANGE, 2.0, rearm=True)])
    # reference 100: +1 %, +2.5 % (fires), +1 %, -3 % (fires again: beyond -2 %)
    assert run(manager, [101.0, 102.5, 101.0, 97.0], reference=100.0) == [1, 1]
    fired = manager.on_tick(Tick(AAPL, 9.0, 96.0), 100.0)
    assert fired == []  # still beyond: no new crossing


def test_change_jumping_from_beyond_minus_to_beyond_plus_fires() -> None:
    manager = AlertManager([alert(1, AlertKind.CHANGE, 2.0, rearm=True)])
    assert run(manager, [97.0, 103.0], reference=100.0) == [1]
    fired = manager.on_tick(Tick(AAPL, 5.0, 96.0), 100.0)
    assert [round(f.price, 6) for f in fired] == [-4.0]  # a change alert reports the move in %


def test_change_needs_a_reference() -> None:
    manager = AlertManager([alert(1, AlertKind.CHANGE, 2.0)])
    assert run(manager, [100.0, 110.0], reference=None) == []


def test_close_above_fires_on_the_closing_bar_not_on_ticks() -> None:
    manager = AlertManager([alert(1, AlertKind.CLOSE_ABOVE, 200.0)])
    assert run(manager, [190.0, 210.0]) == []  # ticks do not judge a close alert
    assert manager.on_bar(bar(0, 195.0, 199.0)) == []
    fired = manager.on_bar(bar(1, 199.0, 201.0))
    assert [(f.alert.id, f.price) for f in fired] == [(1, 201.0)]
    assert manager.on_bar(bar(2, 195.0, 205.0)) == []  # spent


def test_close_below_compares_with_the_previous_close_or_the_first_open() -> None:
    manager = AlertManager([alert(1, AlertKind.CLOSE_BELOW, 200.0, rearm=True)])
    assert [f.alert.id for f in manager.on_bar(bar(0, 205.0, 199.0))] == [1]  # its own open
    assert manager.on_bar(bar(1, 199.0, 198.0)) == []  # still below
    assert manager.on_bar(bar(2, 198.0, 201.0)) == []
    assert [f.alert.id for f in manager.on_bar(bar(3, 201.0, 200.0))] == []  # at, not below
    assert [f.alert.id for f in manager.on_bar(bar(4, 200.0, 150.0))] == [1]


def test_input_parsing_says_what_is_wrong() -> None:
    assert parse_level(" 1,234.5 ") == 1234.5
    assert parse_kind("CLOSE_ABOVE") is AlertKind.CLOSE_ABOVE
    for bad, says in (("abc", "not a number"), ("-3", "positive"), ("0", "positive")):
        with pytest.raises(InvalidAlert, match=says):
            parse_level(bad)
    with pytest.raises(InvalidAlert, match="inf"):
        parse_level("inf")
    with pytest.raises(InvalidAlert, match="not an alert kind"):
        parse_kind("sideways")


def oracle(prices: list[float], kind: AlertKind, level: float, rearm: bool) -> int:
    """How many times the alert fires, by pandas: crossings between consecutive prices."""
    s = pd.Series(prices)
    prev = s.shift(1)
    if kind is AlertKind.ABOVE:
        crossed = (prev < level) & (s >= level)
    else:
        crossed = (prev > level) & (s <= level)
    count = int(crossed.sum())
    return count if rearm else min(count, 1)


@settings(max_examples=300, deadline=None)
@given(
    prices=st.lists(st.integers(90, 110).map(float), min_size=1, max_size=40),
    levels=st.lists(st.integers(90, 110).map(float), min_size=1, max_size=6),
    rearm=st.booleans(),
)
def test_fires_as_often_as_the_pandas_oracle(
    prices: list[float], levels: list[float], rearm: bool
) -> None:
    alerts = [
        alert(i * 2 + k, kind, level, rearm=rearm)
        for i, level in enumerate(levels)
        for k, kind in enumerate((AlertKind.ABOVE, AlertKind.BELOW))
    ]
    fired = run(AlertManager(alerts), prices)
    for a in alerts:
        assert fired.count(a.id) == oracle(prices, a.kind, a.level, rearm), a


def test_chart_levels_are_the_symbols_price_levels_that_can_still_fire() -> None:
    spent = Alert(9, AAPL, AlertKind.ABOVE, 250.0, active=False)
    alerts = [
        alert(1, AlertKind.BELOW, 180.0),
        alert(2, AlertKind.CLOSE_ABOVE, 200.0),
        alert(3, AlertKind.ABOVE, 200.0),  # the same level twice: one line
        alert(4, AlertKind.CHANGE, 3.0),  # a percentage, not a price
        alert(5, AlertKind.ABOVE, 300.0, symbol="NASDAQ:TSLA"),
        spent,
    ]
    assert chart_levels(alerts, AAPL) == (180.0, 200.0)
    assert chart_levels(alerts, None) == ()
