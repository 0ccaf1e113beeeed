"""What every ``tui-market`` subcommand shares: global options, settings, one-line failures.

Subcommands use ``settings_for(ctx, ...)`` to get their Settings and ``run_async(coro)`` to run
their work: every expected failure becomes one line on stderr and an exit code (2: bad config
or usage; 1: runtime failure), never a traceback.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from pymongo.errors import PyMongoError
from rich.console import Console

from tui_market.errors import (
    ConfigError,
    DatabaseUnavailable,
    MarketError,
    ProviderError,
)
from tui_market.models import InvalidSymbol, SymbolRef
from tui_market.settings import Settings, load_settings

log = logging.getLogger(__name__)
T = TypeVar("T")
EXIT_RUNTIME = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
IntervalOpt = Annotated[
    str | None, typer.Option("--interval", "-i", help="Bar interval: 1m 5m 15m 1h 4h 1D 1W 1M ...")
]


def num(value: float | None, places: int = 2) -> str:
    """A figure for a table cell: thousands separated, empty when missing."""
    return "" if value is None else f"{value:,.{places}f}"


def err_console() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


@dataclass
class CliState:
    """The global options, kept on the typer context for the subcommands."""

    config: Path | None = None
    overrides: dict[str, Any] = field(default_factory=dict)
    verbose: bool = False


def fail(message: str, code: int = EXIT_RUNTIME) -> NoReturn:
    """One plain line on stderr, then exit with ``code``."""
    line = " ".join(message.split())  # one line, whatever the message held
    typer.echo(f"tui-market: {line}", err=True)
    raise typer.Exit(code)


def say_old_layout(old_bars: int) -> None:
    """One line on stderr when the store still holds bars of an earlier version's layout."""
    if old_bars:
        from tui_market.queries.old_layout import OLD_LAYOUT

        typer.echo(f"tui-market: {OLD_LAYOUT.format(old_bars)}", err=True)


def state_of(ctx: typer.Context) -> CliState:
    root = ctx.find_root()
    if not isinstance(root.obj, CliState):
        root.obj = CliState()
    return root.obj


def settings_for(ctx: typer.Context, **more: Any) -> Settings:
    """Settings from the global options plus this subcommand's own (None = not given)."""
    state = state_of(ctx)
    overrides = {**state.overrides, **{k: v for k, v in more.items() if v is not None}}
    try:
        return load_settings(state.config, **overrides)
    except ConfigError as exc:
        log.error("configuration error: %s", exc)
        fail(str(exc), EXIT_USAGE)


def parse_symbols(texts: list[str]) -> list[str]:
    """Normalised ``EXCHANGE:TICKER`` strings, or exit 2 naming the first bad one."""
    out: list[str] = []
    for text in texts:
        try:
            full = SymbolRef.parse(text).full
        except InvalidSymbol as exc:
            log.error("bad symbol on the command line: %s", exc)
            fail(str(exc), EXIT_USAGE)
        if full not in out:
            out.append(full)
    return out


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro``; turn our expected errors into one line and an exit code."""
    try:
        return asyncio.run(coro)
    except (ConfigError, InvalidSymbol) as exc:
        log.error("usage error: %s", exc)
        fail(str(exc), EXIT_USAGE)
    except DatabaseUnavailable as exc:
        log.error("database unavailable: %s", exc)
        fail(str(exc))
    except ProviderError as exc:
        log.error("provider error: %s", exc)
        fail(str(exc))
    except MarketError as exc:
        log.error("failed: %s", exc)
        fail(str(exc))
    except PyMongoError as exc:
        log.error("database error", exc_info=True)
        fail(f"database error: {exc.__class__.__name__}: {str(exc)[:160]}")
    except KeyboardInterrupt:
        log.warning("interrupted by the user")
        fail("interrupted", EXIT_INTERRUPTED)
