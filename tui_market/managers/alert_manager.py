"""AlertManager: which alerts a tick or a closed bar fires. Pure: no I/O, no clock.

Crossing semantics (the same for every kind):
- An alert fires when the value moves from one side of the level to the other between two
  observations: above fires when ``previous < level <= now`` (touching the level counts),
  below when ``previous > level >= now``. A jump over the level (a gap) is a crossing.
- The first tick of a symbol only sets the baseline: a price already beyond the level when
  watching starts is not a crossing (nobody saw it cross). A closed bar's baseline is the
  previous closed bar's close, or its own open for the first bar seen.
- ``change``: the same on the two prices N % above and below the previous close: it fires when
  the price moves from within +-N % to beyond it (or jumps from beyond -N % to beyond +N %).
- A once-only alert is spent when it fires and never fires again in this manager, even if a
  reload still lists it active (its stored state may not be written yet). A re-arming alert
  stays; it fires again on the next crossing, which needs the value back on the other side.

Trigger prices are kept sorted per symbol in two ladders (rising, falling), so a tick costs one
binary search however many alerts a symbol has.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field

from tui_market.models.alert import Alert, AlertFired, AlertKind
from tui_market.models.interval import Interval
from tui_market.models.ohlcv import Bar
from tui_market.models.tick import Tick


@dataclass(slots=True)
class _Ladder:
    """Alerts on one series sorted by the price that triggers them."""

    levels: list[float] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)

    @classmethod
    def of(cls, pairs: Iterable[tuple[float, Alert]]) -> _Ladder:
        ordered = sorted(pairs, key=lambda p: (p[0], p[1].id))
        return cls([level for level, _ in ordered], [alert for _, alert in ordered])

    def drop(self, alert: Alert) -> None:
        while alert in self.alerts:
            index = self.alerts.index(alert)
            del self.alerts[index], self.levels[index]

    def upward(self, before: float, now: float) -> list[Alert]:
        """Levels with ``before < level <= now``."""
        start = bisect_right(self.levels, before)
        if start == len(self.levels) or self.levels[start] > now:
            return []
        return self.alerts[start : bisect_right(self.levels, now, start)]

    def downward(self, before: float, now: float) -> list[Alert]:
        """Levels with ``now <= level < before``."""
        end = bisect_left(self.levels, before)
        if end == 0 or self.levels[end - 1] < now:
            return []
        return self.alerts[bisect_left(self.levels, now, 0, end) : end]


@dataclass(slots=True)
class _Book:
    """One series' alerts: ``rising`` fire when the value goes up through their trigger,
    ``falling`` when it goes down. ``change`` alerts sit in both, at the previous close +-N %
    (``reference``: the close they were placed from)."""

    alerts: list[Alert]
    rising: _Ladder = field(default_factory=_Ladder)
    falling: _Ladder = field(default_factory=_Ladder)
    reference: float | None = None

    def place(self, reference: float | None) -> None:
        self.reference = reference
        up: list[tuple[float, Alert]] = []
        down: list[tuple[float, Alert]] = []
        for alert in self.alerts:
            if alert.kind is AlertKind.CHANGE:
                if reference:
                    up.append((reference * (1 + alert.level / 100.0), alert))
                    down.append((reference * (1 - alert.level / 100.0), alert))
            elif alert.kind.upward:
                up.append((alert.level, alert))
            else:
                down.append((alert.level, alert))
        self.rising, self.falling = _Ladder.of(up), _Ladder.of(down)

    def drop(self, alert: Alert) -> None:
        if alert in self.alerts:
            self.alerts.remove(alert)
        self.rising.drop(alert)
        self.falling.drop(alert)


class AlertManager:
    def __init__(self, alerts: Iterable[Alert] = ()) -> None:
        self._alerts: tuple[Alert, ...] = ()
        self._ticks: dict[str, _Book] = {}  # symbol -> tick alerts
        self._closes: dict[tuple[str, Interval], _Book] = {}  # series -> close alerts
        self._spent: set[int] = set()  # once-only alerts fired here
        self._last: dict[str, float] = {}  # symbol -> last price seen
        self._last_close: dict[tuple[str, Interval], float] = {}
        self.set_alerts(alerts)

    @property
    def alerts(self) -> tuple[Alert, ...]:
        """The active alerts being watched."""
        return self._alerts

    def set_alerts(self, alerts: Iterable[Alert]) -> None:
        """Watch these alerts (the stored active ones); baselines are kept."""
        wanted = tuple(a for a in alerts if a.active and a.id not in self._spent)
        if wanted == self._alerts:
            return
        self._alerts = wanted
        ticks: dict[str, list[Alert]] = {}
        closes: dict[tuple[str, Interval], list[Alert]] = {}
        for alert in wanted:
            if alert.kind.on_close and alert.interval is not None:
                closes.setdefault((alert.symbol, alert.interval), []).append(alert)
            elif not alert.kind.on_close:
                ticks.setdefault(alert.symbol, []).append(alert)
        old = self._ticks
        self._ticks = {s: _placed(group, old.get(s)) for s, group in ticks.items()}
        self._closes = {k: _placed(group, None) for k, group in closes.items()}

    def on_tick(self, tick: Tick, reference: float | None = None) -> list[AlertFired]:
        """Alerts this tick fires; ``reference`` is the previous close (for ``change``)."""
        symbol, price = tick.symbol, tick.price
        before = self._last.get(symbol)
        self._last[symbol] = price
        book = self._ticks.get(symbol)
        if book is None:
            return []
        if reference != book.reference:
            book.place(reference)
        if before is None or before == price:
            return []
        if price > before:
            hits = book.rising.upward(before, price)
        else:
            hits = book.falling.downward(before, price)
        if not hits:
            return []
        fired = [AlertFired(alert, tick.ts, _value(alert, price, reference)) for alert in hits]
        self._spend(fired)
        return fired

    def on_bar(self, bar: Bar) -> list[AlertFired]:
        """Close alerts this closed bar fires."""
        key = (bar.symbol, bar.interval)
        before = self._last_close.get(key, bar.open)
        self._last_close[key] = bar.close
        book = self._closes.get(key)
        if book is None or before == bar.close:
            return []
        if bar.close > before:  # closes above: before <= level < close
            hits = book.rising.downward(bar.close, before)
        else:  # closes below: close < level <= before
            hits = book.falling.upward(bar.close, before)
        fired = [AlertFired(alert, float(bar.epoch), bar.close) for alert in hits]
        self._spend(fired)
        return fired

    def _spend(self, fired: list[AlertFired]) -> None:
        """Take fired once-only alerts out of their ladders (not a rebuild of every ladder)."""
        spent = [f.alert for f in fired if not f.alert.rearm]
        if not spent:
            return
        self._spent |= {a.id for a in spent}
        self._alerts = tuple(a for a in self._alerts if a.id not in self._spent)
        for alert in spent:
            if alert.kind.on_close and alert.interval is not None:
                book = self._closes.get((alert.symbol, alert.interval))
            else:
                book = self._ticks.get(alert.symbol)
            if book is not None:
                book.drop(alert)


def _placed(alerts: list[Alert], old: _Book | None) -> _Book:
    book = _Book(alerts)
    book.place(old.reference if old is not None else None)
    return book


def _value(alert: Alert, price: float, reference: float | None) -> float:
    """What the firing reports: the price, or the change in % for ``change``."""
    if alert.kind is AlertKind.CHANGE and reference:
        return (price - reference) / reference * 100.0
    return price
