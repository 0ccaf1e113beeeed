"""What the data-health line says: feed state, age of the last tick, database, provider,
schedule. The app holds one ``HealthState`` (a reactive) and binds it down to every mode
screen's ``HealthLine``; its text takes its colours from the theme variables.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.content import Content

from tui_market.infrastructure.interfaces import FeedState, FeedStatus


def format_age(seconds: float) -> str:
    if seconds < 60:
        return f"{int(seconds)}s"
    if seconds < 3600:
        return f"{int(seconds // 60)}m"
    return f"{int(seconds // 3600)}h{int(seconds % 3600 // 60):02d}m"


@dataclass(frozen=True, slots=True)
class HealthState:
    feed: FeedState | None = None
    retry_left: int | None = None  # whole seconds until the next reconnect, when backing off
    tick_age: int | None = None  # whole seconds since the last tick
    database: str = ""
    database_up: bool | None = None
    database_detail: str = ""  # while down: "restarting", "waiting for host:port", …
    pending: int = 0  # closed bars waiting in memory while the database is down
    provider: str = ""
    schedule: str = ""  # scheduled sync state; "" when scheduling is off
    delayed: str = ""  # e.g. "3 delayed 15m": symbols whose feed is late (anonymous data)
    ingester: str = ""  # desk follower: "ingester live, wrote 0 s ago" / "ingester silent 12 s"
    ingester_ok: bool = True  # False while the ingester is silent, stopped or not seen


def feed_text(state: HealthState) -> Content:
    feed = state.feed
    if feed is None:
        return Content.from_markup("feed [$warning]connecting[/]")
    if feed.status is FeedStatus.LIVE:
        return Content.from_markup("feed [$success]● live[/]")
    if feed.status is FeedStatus.BACKING_OFF:
        retry = f", retry in {state.retry_left} s" if state.retry_left is not None else ""
        return Content.from_markup("feed [$error]backing off$r[/]", r=retry)
    if feed.status is FeedStatus.CONNECTING:
        attempt = f" (attempt {feed.attempt})" if feed.attempt > 1 else ""
        return Content.from_markup("feed [$warning]connecting$a[/]", a=attempt)
    detail = f" ({feed.detail})" if feed.detail else ""
    return Content.from_markup("feed [$error]stopped$d[/]", d=detail)


def database_text(state: HealthState) -> Content:
    if state.database_up is None:
        return Content.from_markup("DB $db [$warning]…[/]", db=state.database)
    if state.database_up:
        return Content.from_markup("DB $db [$success]up[/]", db=state.database)
    detail = f" — {state.database_detail}" if state.database_detail else ""
    waiting = f" — {state.pending:,} bars waiting" if state.pending else ""
    return Content.from_markup("DB $db [$error]down$d$w[/]", db=state.database, d=detail, w=waiting)


def health_content(state: HealthState) -> Content:
    age = "no ticks yet" if state.tick_age is None else f"{format_age(state.tick_age)} ago"
    if state.ingester:  # a desk follower's feed is the ingester
        colour = "$success" if state.ingester_ok else "$error"
        feed = Content.from_markup(f"[{colour}]$i[/]", i=state.ingester)
    else:
        feed = feed_text(state)
    parts = [
        feed,
        Content(f"last tick {age}"),
        database_text(state),
        Content(state.provider),
    ]
    if state.delayed:
        parts.append(Content.from_markup("[$warning]$d[/]", d=state.delayed))
    if state.schedule:
        parts.append(Content(state.schedule))
    return Content(" │ ").join(parts)
