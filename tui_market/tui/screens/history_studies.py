"""The History chart's indicators, computed in a thread worker once per load of the series.

Computing them over a whole stored series (5,000 bars) costs tens of milliseconds in talipp
(``benchmarks/bench_chart.py --history``): done in the paint, it would hold the candles back.
So the paint asks ``HistoryStudies.get``: the set when it is ready for this series, load and
choice, else None (the candles are drawn without lines), and a worker computes it and posts
``StudiesComputed``, after which the screen paints again with them.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from functools import partial

from textual.message import Message
from textual.screen import Screen

from tui_market.managers.indicators import IndicatorSet, session_anchor
from tui_market.models import Bar
from tui_market.models.indicator import IndicatorSpec
from tui_market.models.symbol_info import SymbolInfo


@dataclass
class StudiesComputed(Message, bubble=False):
    key: Hashable
    studies: IndicatorSet


class HistoryStudies:
    def __init__(self) -> None:
        self.ready: tuple[Hashable, IndicatorSet] | None = None
        self.pending: Hashable = None

    def get(
        self,
        screen: Screen[None],
        key: Hashable,
        specs: Sequence[IndicatorSpec],
        info: SymbolInfo | None,
        bars: Sequence[Bar],
    ) -> IndicatorSet | None:
        """The set for ``key`` if computed; else None, and its computation is started."""
        if not specs:
            self.pending = None
            return None
        if self.ready is not None and self.ready[0] == key:
            return self.ready[1]
        if key != self.pending:
            self.pending = key
            screen.run_worker(
                partial(_compute, screen, key, tuple(specs), info, tuple(bars)),
                thread=True,
                exclusive=True,
                group="history-studies",
                description="compute indicators",
                exit_on_error=False,
            )
        return None

    def computed(self, fact: StudiesComputed) -> bool:
        """Take a worker's result; True when it is the one the screen waits for."""
        if fact.key != self.pending:
            return False
        self.ready = (fact.key, fact.studies)
        return True


def _compute(
    screen: Screen[None],
    key: Hashable,
    specs: tuple[IndicatorSpec, ...],
    info: SymbolInfo | None,
    bars: tuple[Bar, ...],
) -> None:
    """In the worker's thread: touches no widget, posts the result (thread-safe)."""
    screen.post_message(
        StudiesComputed(key, IndicatorSet(specs, session_anchor(info)).extend(bars))
    )
