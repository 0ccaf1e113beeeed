"""AlertManager: which alerts a tick or a closed bar fires. Pure: no I/O, no clock.

Crossing semantics (the same for every kind):
- An alert fires when the value moves from one side of the level to the other between two
  observations: above fires when ``previous < level <= now`` (touching the level counts),
  below when ``previous > level >= now``. A jump over the level (a gap) is a crossing.
- The first tick of a symbol only sets the baseline: a price already beyond the level when
  watching starts is not a crossing (nobody saw it cross). A closed bar's baseline is the
  previous closed bar's close, or its own open for the first bar seen.
- ``change``: the same on ``|change %|`` against ``level``: it fires when the move since the
  previous close goes from within +-N % to beyond it, either way.
- A once-only alert is spent when it fires and never fires again in this manager, even if a
  reload still lists it active (its stored state may not be written yet). A re-arming alert
  stays; it fires again on the next crossing, which needs the value back on the other side.

Levels are kept sorted per symbol, so a tick costs two binary searches however many alerts
a symbol has.
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
    """Alerts of one kind on one series, sorted by level."""

    levels: list[float] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)

    @classmethod
    def of(cls, alerts: Iterable[Alert]) -> _Ladder:
        ordered = sorted(alerts, key=lambda a: (a.level, a.id))
        return cls([a.level for a in ordered], ordered)

    def upward(self, before: float, now: float) -> list[Alert]:
        """Levels with ``before < level <= now``."""
        return self.alerts[bisect_right(self.levels, before) : bisect_right(self.levels, now)]

    def downward(self, before: float, now: float) -> list[Alert]:
        """Levels with ``now <= level < before``."""
        return self.alerts[bisect_left(self.levels, now) : bisect_left(self.levels, before)]


@dataclass(slots=True)
class _Book:
    above: _Ladder = field(default_factory=_Ladder)
    below: _Ladder = field(default_factory=_Ladder)
    change: _Ladder = field(default_factory=_Ladder)


class AlertManager:
    def __init__(self, alerts: Iterable[Alert] = ()) -> None:
        self._alerts: tuple[Alert, ...] = ()
        self._ticks: dict[str, _Book] = {}  # symbol -> tick alerts
        self._closes: dict[tuple[str, Interval], _Book] = {}  # series -> close alerts
        self._spent: set[int] = set()  # once-only alerts fired here
        self._last: dict[str, float] = {}  # symbol -> last price seen
        self._last_move: dict[str, float] = {}  # symbol -> last |change %| seen
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
        self._ticks = {s: _book(group) for s, group in ticks.items()}
        self._closes = {k: _book(group) for k, group in closes.items()}

    def on_tick(self, tick: Tick, reference: float | None = None) -> list[AlertFired]:
        """Alerts this tick fires; ``reference`` is the previous close (for ``change``)."""
        book = self._ticks.get(tick.symbol)
        price = tick.price
        before = self._last.get(tick.symbol)
        self._last[tick.symbol] = price
        if book is None:
            return []
        hits: list[Alert] = []
        if before is not None and before != price:
            if price > before:
                hits += book.above.upward(before, price)
            else:
                hits += book.below.downward(before, price)
        move = None
        if book.change.alerts and reference:
            move = (price - reference) / reference * 100.0
            was = self._last_move.get(tick.symbol)
            self._last_move[tick.symbol] = abs(move)
            if was is not None and abs(move) > was:
                hits += book.change.upward(was, abs(move))
        if not hits:
            return []
        fired = []
        for alert in hits:
            value = move if alert.kind is AlertKind.CHANGE and move is not None else price
            fired.append(AlertFired(alert, tick.ts, value))
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
            hits = book.above.downward(bar.close, before)
        else:  # closes below: close < level <= before
            hits = book.below.upward(bar.close, before)
        fired = [AlertFired(alert, float(bar.epoch), bar.close) for alert in hits]
        self._spend(fired)
        return fired

    def _spend(self, fired: list[AlertFired]) -> None:
        spent = {f.alert.id for f in fired if not f.alert.rearm}
        if spent:
            self._spent |= spent
            self.set_alerts(self._alerts)


def _book(alerts: list[Alert]) -> _Book:
    return _Book(
        above=_Ladder.of(a for a in alerts if a.kind in (AlertKind.ABOVE, AlertKind.CLOSE_ABOVE)),
        below=_Ladder.of(a for a in alerts if a.kind in (AlertKind.BELOW, AlertKind.CLOSE_BELOW)),
        change=_Ladder.of(a for a in alerts if a.kind is AlertKind.CHANGE),
    )
