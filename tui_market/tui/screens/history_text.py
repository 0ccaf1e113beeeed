"""Plain texts of the History screen: the title line and the sync summaries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from tui_market.models import Bar

if TYPE_CHECKING:
    from tui_market.services.data_sync_service import SyncOutcome

Severity = Literal["information", "warning", "error"]


def window_text(
    title: str, bars: Sequence[Bar], start: int, end: int, loaded: bool, cols_per_bar: int
) -> str:
    if not loaded:
        return f"{title}  loading…"
    if not bars:
        return f"{title}  0 bars"
    first, last = bars[start].time, bars[end - 1].time
    span = f"{first:%Y-%m-%d %H:%M} → {last:%Y-%m-%d %H:%M}"
    return f"{title}  {end - start}/{len(bars)} bars  {span}  zoom {cols_per_bar}"


def finished_text(outcomes: Sequence[SyncOutcome], total: int) -> tuple[str, Severity]:
    """One notification for a finished sync (one symbol, or a whole run, maybe cancelled)."""
    failed = [o for o in outcomes if o.error is not None]
    done = [o.result for o in outcomes if o.result is not None]
    new = sum(r.new for r in done)
    updated = sum(r.updated for r in done)
    if len(outcomes) == 1 and total <= 1:
        outcome = outcomes[0]
        if outcome.result is None:
            return f"{outcome.symbol}: {outcome.error}", "error"
        r = outcome.result
        return (
            f"{r.symbol} {r.interval.value}: {r.new} new, {r.updated} updated, "
            f"{r.unchanged} unchanged",
            "information",
        )
    count = max(total, len(outcomes))
    text = f"synced {len(done)} of {count} symbols: {new} new, {updated} updated"
    if len(outcomes) < total:
        text += f"; cancelled after {len(outcomes)}"
    if failed:
        reasons = "; ".join(f"{o.symbol}: {o.error}" for o in failed[:3])
        return f"{text}; {len(failed)} failed ({reasons})", "warning"
    return text, "information"
