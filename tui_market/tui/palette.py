"""Command palette: the main actions, posting the same messages / running the same actions
as their keys (sync, sync all, add symbol, change interval, change theme, pause jobs, modes).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Protocol, runtime_checkable

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.message import Message

from tui_market.models import Interval
from tui_market.tui.messages import IntervalChosen, SyncAllRequested, SyncRequested

Command = tuple[str, str, Callable[[], object]]


@runtime_checkable
class Working(Protocol):
    """What the commands read of the app: the working interval and symbol."""

    interval: Interval
    current_symbol: str | None


class MarketCommands(Provider):
    """tui-market's own commands."""

    def _post(self, message: Message) -> None:
        self.app.post_message(message)

    def _run(self, action: str) -> None:
        self.app.call_later(self.app.run_action, action)

    def _commands(self) -> Iterator[Command]:
        app = self.app
        interval = app.interval if isinstance(app, Working) else Interval.D1
        symbol = app.current_symbol if isinstance(app, Working) else None
        if symbol:
            yield (
                f"Sync {symbol}",
                f"Fetch {symbol} {interval.value} history and store it",
                partial(self._post, SyncRequested(symbol, interval)),
            )
        yield (
            "Sync all",
            f"Sync every watchlist symbol ({interval.value}), one after another",
            partial(self._post, SyncAllRequested(interval)),
        )
        yield (
            "Add symbol",
            "Add EXCHANGE:TICKER to the watchlist",
            partial(self._run, "app.add_symbol"),
        )
        for choice in Interval:
            yield (
                f"Interval {choice.value}",
                f"Work with {choice.value} bars",
                partial(self._post, IntervalChosen(choice)),
            )
        yield (
            "Change theme",
            "Pick a colour theme (saved for next time)",
            partial(self._run, "app.change_theme"),
        )
        for chart in ("history", "ticker"):
            yield (
                f"Indicators on {chart.title()}",
                f"Choose the {chart} chart's indicators: EMA 21, RSI 14, BB, MACD... (saved)",
                partial(self._run, f"app.indicators({chart!r})"),
            )
        yield (
            "Pause/resume scheduled sync",
            "Stop or restart the periodic re-syncs",
            partial(self._run, "app.toggle_schedule"),
        )
        for mode, key in (("symbols", "1"), ("history", "2"), ("ticker", "3")):
            yield (
                f"Show {mode.title()}",
                f"Switch to the {mode} screen (key {key})",
                partial(self._run, f"app.mode({mode!r})"),
            )
        yield ("Keys", "Show every key binding", partial(self._run, "app.help"))

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            if not name.startswith("Interval"):
                yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
