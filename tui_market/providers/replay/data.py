"""The offline demo data shipped in ``tui_market/data/replay.json.gz``, and pure helpers on it.

The file is built by ``tools/build_replay_data.py`` from real TradingView websocket captures
recorded by the authors of ``bitbytelabio/tradingview-rs`` (their ``tests/data``, MIT licence,
copied as ``tui_market/data/LICENSE.tradingview-rs``). Each series says whether it is
``real``, ``likely`` (real bars, symbol matched by price level only) or ``synthetic`` (seeded,
deterministic, made to end at the real last price); see ``tools/README-data.md``.

Rows are plain tuples ``(epoch, open, high, low, close, volume)`` so aggregation stays cheap;
providers turn them into validated ``Bar``s at the boundary.
"""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from tui_market.errors import ProviderError, SymbolNotFound
from tui_market.models import Interval

log = logging.getLogger(__name__)

Row = tuple[int, float, float, float, float, float]
WEEK = 604_800


@dataclass(frozen=True, slots=True)
class Series:
    """One stored bar series (``1m`` or ``1D``), oldest first, times in recorded (2023) UTC."""

    interval: Interval
    status: str  # "real" | "likely" | "synthetic"
    note: str
    rows: tuple[Row, ...]
    price_decimals: int
    has_volume: bool

    @property
    def synthetic(self) -> bool:
        return self.status == "synthetic"

    @property
    def end(self) -> int:
        """Epoch at which the last bar closes."""
        last = self.rows[-1][0]
        return self.interval.next_open(self.interval.floor(last))


@dataclass(frozen=True, slots=True)
class DemoSymbol:
    symbol: str
    description: str
    quote: Mapping[str, Any]  # the captured qsd snapshot (lp, ch, chp, volume, ...), or {}
    series: Mapping[Interval, Series]


@dataclass(frozen=True, slots=True)
class ReplayData:
    symbols: Mapping[str, DemoSymbol]
    source: str
    end: int = field(default=0)  # epoch when the last recorded bar of any series closes

    @classmethod
    def load(cls, path: Path | None = None) -> ReplayData:
        """Load the shipped file (cached) or ``path``; ``ProviderError`` if unreadable."""
        return _load_default() if path is None else _load(path)

    @property
    def names(self) -> list[str]:
        return sorted(self.symbols)

    def get(self, symbol: str) -> DemoSymbol:
        try:
            return self.symbols[symbol.strip().upper()]
        except KeyError:
            log.info("demo data has no symbol %r", symbol)
            raise SymbolNotFound(
                f"{symbol!r} is not in the offline demo data; demo symbols: "
                + ", ".join(self.names)
            ) from None

    def shift_for(self, now: float) -> int:
        """Whole weeks (seconds) to add so the last recorded bar closes at or before ``now``.

        Whole weeks keep weekdays, times of day and every interval's alignment.
        """
        return int((now - self.end) // WEEK) * WEEK


def aggregate(rows: Iterable[Row], interval: Interval) -> list[Row]:
    """Aggregate oldest-first rows into ``interval`` buckets (UTC alignment of ``Interval``)."""
    out: list[Row] = []
    cur: list[float] | None = None
    for t, o, h, low, c, v in rows:
        start = interval.floor(t)
        if cur is not None and cur[0] == start:
            cur[2], cur[3] = max(cur[2], h), min(cur[3], low)
            cur[4], cur[5] = c, cur[5] + v
            continue
        if cur is not None:
            out.append(_row(cur))
        cur = [start, o, h, low, c, v]
    if cur is not None:
        out.append(_row(cur))
    return out


def shifted(rows: Iterable[Row], seconds: int) -> list[Row]:
    return [(r[0] + seconds, r[1], r[2], r[3], r[4], r[5]) for r in rows]


def _row(cur: list[float]) -> Row:
    return (int(cur[0]), cur[1], cur[2], cur[3], cur[4], cur[5])


def _decode(cols: Mapping[str, Any]) -> list[Row]:
    """Inverse of the build script's ``columns``: deltas and scaled integers back to rows."""
    scale, vscale = 10 ** cols["pd"], 10 ** cols.get("vd", 0)
    vols = cols.get("v")
    t = c = 0
    out: list[Row] = []
    for i, (dt, dc) in enumerate(zip(cols["t"], cols["c"], strict=True)):
        t, c = t + dt, c + dc
        v = vols[i] / vscale if vols is not None else 0.0
        out.append(
            (
                t,
                (c + cols["o"][i]) / scale,
                (c + cols["h"][i]) / scale,
                (c + cols["l"][i]) / scale,
                c / scale,
                v,
            )
        )
    return out


def _parse(doc: Mapping[str, Any]) -> ReplayData:
    symbols: dict[str, DemoSymbol] = {}
    for name, entry in doc["symbols"].items():
        series = {
            Interval.parse(key): Series(
                interval=Interval.parse(key),
                status=s["status"],
                note=s["note"],
                rows=tuple(_decode(s)),
                price_decimals=s["pd"],
                has_volume="v" in s,
            )
            for key, s in entry["series"].items()
        }
        symbols[name] = DemoSymbol(name, entry["description"], entry.get("quote", {}), series)
    end = max(s.end for d in symbols.values() for s in d.series.values())
    return ReplayData(symbols=symbols, source=doc["source"], end=end)


def _load(path: Path) -> ReplayData:
    try:
        doc = json.loads(gzip.decompress(path.read_bytes()))
        return _parse(doc)
    except (OSError, EOFError, ValueError, KeyError, TypeError) as exc:
        log.error("cannot read demo data %s: %s", path, exc)
        raise ProviderError(f"demo data {path} is unreadable: {exc}") from exc


@cache
def _load_default() -> ReplayData:
    with resources.as_file(resources.files("tui_market") / "data" / "replay.json.gz") as path:
        return _load(path)
