"""``tui-market watch SYMBOL...``: the live feed, headless. Prints each closed bar and each
feed-state change, saving closed bars exactly as the TUI does (same ``QuoteService``).

A symbol the history provider does not know stops it before it starts (one line, exit 1).

Ctrl-C stops the stream; the bars already closed are saved before exit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Annotated

import typer

from tui_market.cli.common import parse_symbols, run_async, settings_for
from tui_market.errors import MarketError, SymbolNotFound
from tui_market.infrastructure.desktop_notices import DesktopNotices
from tui_market.infrastructure.interfaces import (
    FeedState,
    FeedStatus,
    IDataProvider,
    SymbolError,
)
from tui_market.models import Bar, Interval, SymbolRef
from tui_market.models.alert import AlertFired
from tui_market.models.feed import QuoteInfo, delay_text
from tui_market.models.live import (
    BarClosedEvent,
    LiveEvent,
    StorageError,
    StorageRecovered,
)
from tui_market.models.symbol_info import InvalidSymbolInfo, SymbolInfo
from tui_market.runtime import open_runtime
from tui_market.services.alert_service import AlertWatch
from tui_market.services.db_supervisor import DatabaseHealth, DatabaseSupervisor
from tui_market.services.quote_service import QuoteService
from tui_market.settings import Settings

log = logging.getLogger(__name__)


def bar_line(bar: Bar, *, backfilled: bool = False) -> str:
    mark = "  (backfilled)" if backfilled else ""
    return (
        f"{bar.time:%Y-%m-%d %H:%M} {bar.symbol} {bar.interval.value}  "
        f"O {bar.open:.4f}  H {bar.high:.4f}  L {bar.low:.4f}  C {bar.close:.4f}  "
        f"V {bar.volume:,.0f}{mark}"
    )


def feed_line(state: FeedState) -> str:
    text = f"feed: {state.status.value}"
    if state.status is FeedStatus.BACKING_OFF:
        retry = f", retry in {state.retry_in:.1f} s" if state.retry_in is not None else ""
        text += f" (attempt {state.attempt}{retry})"
    return f"{text}  {state.detail}".rstrip()


def status_line(info: QuoteInfo) -> str:
    """A symbol's market state and delay, e.g. "NASDAQ:NDX: market closed, delayed 15m"."""
    parts = [f"market {info.status}" if info.status else "", delay_text(info.delay)]
    return f"{info.symbol}: {', '.join(p for p in parts if p) or 'real time'}"


def event_line(event: LiveEvent) -> str:
    if isinstance(event, AlertFired):
        return f"alert {event.alert.id}: {event.text}"
    if isinstance(event, QuoteInfo):
        return status_line(event)
    if isinstance(event, BarClosedEvent):
        return bar_line(event.bar, backfilled=event.backfilled)
    if isinstance(event, FeedState):
        return feed_line(event)
    if isinstance(event, SymbolError):
        return f"{event.symbol}: {event.message}"
    if isinstance(event, StorageError):
        return f"storage: {event.message} ({event.pending} bars waiting)"
    if isinstance(event, StorageRecovered):
        return f"storage: {event.message}"
    return str(event)


async def check_symbols(provider: IDataProvider, symbols: list[str], interval: Interval) -> None:
    """Raise ``SymbolNotFound`` (one line, exit 1) for a symbol the provider does not know,
    before anything is watched: the feed would refuse it and wait forever. Other provider
    failures are only logged (the live feed may work while history does not)."""
    for symbol in symbols:
        ref = SymbolRef.parse(symbol)
        try:
            await provider.fetch_ohlcv(ref.ticker, ref.exchange, interval, 1)
        except SymbolNotFound:
            raise
        except MarketError as exc:
            log.warning("could not check %s with the history provider: %s", symbol, exc)


async def watch_feed(settings: Settings, symbols: list[str], max_bars: int | None) -> int:
    """Run the live service until Ctrl-C (or ``max_bars`` closed bars); returns bars saved."""
    async with open_runtime(settings, seed=False) as rt:
        await check_symbols(rt.provider, symbols, settings.interval)
        service = QuoteService(
            rt.stream,
            rt.bus,
            rt.provider,
            # every interval is built, so a close alert of any interval is judged; only the
            # watched one is saved and printed
            tuple(Interval),
            persist=(settings.interval,),
            backfill_on_start=True,
            alerts=AlertWatch(rt.bus, "watch", desktop=DesktopNotices()),
        )
        service.set_metadata({s: await fetch_metadata(rt.provider, s) for s in symbols})
        await service.set_symbols(set(symbols))
        closed = 0
        shown: dict[str, tuple[str, int]] = {}  # symbol -> (status, delay) last printed
        stopping: list[asyncio.Task[None]] = []

        def stop() -> None:
            if not stopping:
                stopping.append(asyncio.create_task(rt.stream.close()))

        def on_event(event: LiveEvent) -> None:
            nonlocal closed
            if isinstance(event, BarClosedEvent) and event.bar.interval is not settings.interval:
                return
            if isinstance(event, QuoteInfo):  # printed when the state or delay changes only
                if shown.get(event.symbol) == (event.status, event.delay):
                    return
                shown[event.symbol] = (event.status, event.delay)
            typer.echo(event_line(event))
            if isinstance(event, BarClosedEvent):
                closed += 1
                if max_bars is not None and closed >= max_bars:
                    stop()

        loop = asyncio.get_running_loop()
        with contextlib.suppress(NotImplementedError):  # no signal handlers on some platforms
            loop.add_signal_handler(signal.SIGINT, stop)
            loop.add_signal_handler(signal.SIGTERM, stop)
        # The embedded server is restarted if it dies; a remote database is waited for.
        supervisor = DatabaseSupervisor(rt.db, rt.embedded, rt.bus)
        outages: list[DatabaseHealth] = []

        def on_database(health: DatabaseHealth) -> None:
            if not health.up or outages:
                text = "back up" if health.up else f"down ({health.detail})"
                typer.echo(f"database: {text}", err=True)
                outages.append(health)

        watching = asyncio.create_task(supervisor.run(on_database), name="database watch")
        try:
            await service.run(on_event)
        finally:
            watching.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watching
            for sig in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError):
                    loop.remove_signal_handler(sig)
        typer.echo(f"saved {service.saved} closed bars", err=True)
        return service.saved


async def fetch_metadata(provider: IDataProvider, symbol: str) -> SymbolInfo | None:
    """The symbol's session for its bars; None (UTC bars) when the provider cannot say."""
    try:
        raw = await provider.symbol_metadata(symbol)
        return SymbolInfo.from_provider(raw) if raw is not None else None
    except (MarketError, InvalidSymbolInfo) as exc:
        log.warning("%s: no usable metadata (%s); bars on UTC boundaries", symbol, exc)
        typer.echo(f"{symbol}: no session metadata ({exc}); bars on UTC boundaries", err=True)
        return None


def watch(
    ctx: typer.Context,
    symbols: Annotated[list[str], typer.Argument(help="EXCHANGE:TICKER ...")],
    interval: Annotated[
        str | None, typer.Option("--interval", "-i", help="Bar interval (1m, 5m, 1h, ...).")
    ] = None,
    demo: Annotated[bool, typer.Option("--demo", help="Offline replay feed.")] = False,
    provider: Annotated[str | None, typer.Option(help="tradingview or replay.")] = None,
    ws_url: Annotated[
        str | None,
        typer.Option("--ws-url", help="TradingView websocket URL (e.g. a local fake server)."),
    ] = None,
    max_bars: Annotated[
        int | None, typer.Option("--max-bars", min=1, help="Stop after this many closed bars.")
    ] = None,
    follow: Annotated[
        bool, typer.Option("--follow", help="Read the desk's ingester from the database.")
    ] = False,
) -> None:
    """Print each bar as it closes and each feed-state change; closed bars are saved."""
    wanted = parse_symbols(symbols)
    settings = settings_for(
        ctx,
        interval=interval,
        demo=demo or None,
        provider=provider,
        tv_ws_url=ws_url,
        feed="database" if follow else None,
    )
    if settings.feed == "database":
        from tui_market.cli.follow import follow_feed  # the follower's modules, when used

        run_async(follow_feed(settings, wanted, max_bars))
        return
    log.info("watch %s %s via %s", " ".join(wanted), settings.interval.value, settings.provider)
    run_async(watch_feed(settings, wanted, max_bars))
