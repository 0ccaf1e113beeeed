"""Build ``tui_market/data/replay.json.gz``, the offline demo data, from real TradingView captures.

Source: ``tests/data/tradingview/socket_messages.txt``, websocket frames recorded by the
authors of ``bitbytelabio/tradingview-rs`` (their ``tests/data``, MIT licence, copied beside
the data file as ``LICENSE.tradingview-rs``). See ``tools/README-data.md``.

What ships (per symbol: description, the real ``qsd`` quote snapshot where captured, and bar
series keyed by interval, each with ``status`` real | likely | synthetic and a ``note``):

* real 1m bars: NASDAQ:NDX (matched by its exact last price), TVC:RUT (``symbol_resolved``);
* 1m bars labelled ``likely``: DJ:DJI, TVC:VIX, TVC:DXY (matched by price level only);
* real daily bars of SP:SPX (matched by its exact last price);
* synthetic (seeded, deterministic): 1m bars of SP:SPX that aggregate exactly to its real
  daily bars; daily and 1m bars of BITSTAMP:BTCUSD, NASDAQ:AAPL, NASDAQ:TSLA from a random walk
  that ends at the real last price (and at the real previous close, ``lp - ch``).

Run: ``python tools/build_replay_data.py [SRC_DIR] [OUT_FILE]``. Output is byte-for-byte
reproducible (fixed seeds, gzip mtime 0).
"""

from __future__ import annotations

import gzip
import itertools
import json
import math
import random
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "tests" / "data" / "tradingview"  # the captures, copied into the repo
OUT = ROOT / "tui_market" / "data" / "replay.json.gz"
DAY = 86_400
SOURCE = (
    "bitbytelabio/tradingview-rs tests/data/socket_messages.txt (MIT), "
    "recorded from TradingView's public websocket feed, June 2023"
)

# chart session -> (symbol, status, note, fallback description)
SERIES = {
    "sds_2": ("NASDAQ:NDX", "real", "real 1m bars; matched by its exact last price in qsd", ""),
    "sds_6": ("TVC:RUT", "real", "real 1m bars; symbol_resolved in the same capture", ""),
    "sds_5": (
        "DJ:DJI",
        "likely",
        "real 1m bars, likely DJ:DJI (price level ~33,000, volume); "
        "the capture does not name the symbol",
        "Dow Jones Industrial Average",
    ),
    "sds_3": (
        "TVC:VIX",
        "likely",
        "real 1m bars, likely TVC:VIX (price level ~14); the capture does not name the symbol",
        "CBOE Volatility Index",
    ),
    "sds_4": (
        "TVC:DXY",
        "likely",
        "real 1m bars, likely TVC:DXY (price level ~104); the capture does not name the symbol",
        "U.S. Dollar Index",
    ),
    "sds_7": ("SP:SPX", "real", "real daily bars; matched by its exact last price in qsd", ""),
}
# synthetic symbol -> (seed, daily vol, 1m wick vol, tick size, trades weekends)
SYNTHETIC = {
    "BITSTAMP:BTCUSD": (101, 0.030, 0.0004, 1.0, True),
    "NASDAQ:AAPL": (102, 0.016, 0.0003, 0.01, False),
    "NASDAQ:TSLA": (103, 0.035, 0.0006, 0.01, False),
}
QUOTE_KEYS = (
    "lp",
    "lp_time",
    "ch",
    "chp",
    "volume",
    "description",
    "type",
    "currency_code",
    "update_mode",
    "pricescale",
)
INTRADAY_DAYS = [datetime(2023, 6, d, tzinfo=UTC) for d in (1, 2, 5, 6, 7, 8, 9)]
CRYPTO_DAYS = [datetime(2023, 6, d, tzinfo=UTC) for d in range(5, 10)]
STOCK_OPEN = timedelta(hours=13, minutes=30)  # 09:30 New York in June (EDT)


def frames(text: str) -> list[dict]:
    out, i = [], 0
    while i < len(text):
        m = re.compile(r"~m~(\d+)~m~").match(text, i)
        if not m:
            raise ValueError(f"bad frame header at {i}")
        payload = text[m.end() : m.end() + int(m.group(1))]
        i = m.end() + int(m.group(1))
        if not payload.startswith("~h~"):
            out.append(json.loads(payload))
    return out


def rnd(x: float, tick: float) -> float:
    return round(round(x / tick) * tick, 8)


def decimals(xs: list[float]) -> int:
    for k in range(9):
        if all(abs(round(x * 10**k) - x * 10**k) < 1e-6 for x in xs):
            return k
    raise ValueError("more than 8 decimals")


def columns(rows: list[list[float]], with_volume: bool) -> dict:
    """Compact columns: ``t`` first epoch then deltas; prices as integers in units of
    ``10**-pd``: ``c`` first close then deltas, ``o``/``h``/``l`` relative to the bar's close;
    ``v`` integers in units of ``10**-vd``."""
    t = [int(r[0]) for r in rows]
    pd = decimals([x for r in rows for x in r[1:5]])
    c = [round(r[4] * 10**pd) for r in rows]
    cols: dict = {
        "t": [t[0]] + [b - a for a, b in itertools.pairwise(t)],
        "pd": pd,
        "c": [c[0]] + [b - a for a, b in itertools.pairwise(c)],
    }
    for k, name in enumerate("ohl", start=1):
        cols[name] = [round(r[k] * 10**pd) - ci for r, ci in zip(rows, c, strict=True)]
    if with_volume:
        vd = decimals([r[5] for r in rows])
        cols["vd"], cols["v"] = vd, [round(r[5] * 10**vd) for r in rows]
    return cols


def uncolumns(cols: dict) -> list[list[float]]:
    """Inverse of ``columns`` (the package's loader does the same)."""
    t, c, rows = 0, 0, []
    scale, vscale = 10 ** cols["pd"], 10 ** cols.get("vd", 0)
    for i in range(len(cols["t"])):
        t, c = t + cols["t"][i], c + cols["c"][i]
        row = [t] + [(c + cols[k][i]) / scale for k in "ohl"] + [c / scale]
        rows.append(row + ([cols["v"][i] / vscale] if "v" in cols else []))
    return rows


def intraday(
    o: float,
    h: float,
    lo: float,
    c: float,
    start: int,
    n: int,
    vol: float,
    tick: float,
    wick: float,
    rng: random.Random,
) -> list[list[float]]:
    """``n`` 1m bars from ``start`` whose aggregate is exactly (o, h, lo, c, vol)."""
    w = [0.0]
    for _ in range(n):
        w.append(w[-1] + rng.gauss(0.0, 1.0))
    p = [
        o + (c - o) * i / n + (w[i] - w[-1] * i / n) * (h - lo) / math.sqrt(n) / 2
        for i in range(n + 1)
    ]
    p[0], p[n] = o, c
    hi0, lo0 = max(o, c), min(o, c)
    imax = max(range(1, n), key=lambda i: p[i])
    imin = min((i for i in range(1, n) if i != imax), key=lambda i: p[i])
    top, bot = max(p[imax], hi0 + 1e-9), min(p[imin], lo0 - 1e-9)
    for i in range(1, n):
        if p[i] > hi0:
            p[i] = hi0 + (p[i] - hi0) * (h - hi0) / (top - hi0)
        elif p[i] < lo0:
            p[i] = lo0 - (lo0 - p[i]) * (lo0 - lo) / (lo0 - bot)
        p[i] = min(h, max(lo, rnd(p[i], tick)))
    p[imax], p[imin] = h, lo
    weights = [(1.0 + 3.0 * ((i / n - 0.5) * 2) ** 4) * rng.uniform(0.5, 1.5) for i in range(n)]
    total = sum(weights)
    digits = 0 if vol >= 1e5 else 4  # whole shares; fractional coins
    vols = [round(vol * x / total, digits) for x in weights]
    vols[-1] = round(max(0.0, vol - sum(vols[:-1])), digits)
    rows = []
    for i in range(n):
        a, b = p[i], p[i + 1]
        bh = min(h, rnd(max(a, b) * (1 + abs(rng.gauss(0, wick))), tick))
        bl = max(lo, rnd(min(a, b) * (1 - abs(rng.gauss(0, wick))), tick))
        rows.append([start + 60 * i, a, max(bh, a, b), min(bl, a, b), b, vols[i]])
    return rows


def synthetic_daily(
    quote: dict,
    seed: int,
    dvol: float,
    tick: float,
    weekends: bool,
    first: datetime,
    last: datetime,
) -> list[list[float]]:
    """Random walk of daily bars; last close = real ``lp``, previous close = ``lp - ch``."""
    rng = random.Random(seed)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    days = [d for d in days if weekends or d.weekday() < 5]
    x = [0.0]
    for _ in days[:-1]:
        x.append(x[-1] + rng.gauss(0.0, dvol))
    lp, prev = quote["lp"], quote["lp"] - quote["ch"]
    ratio = math.log(prev) - x[-2]  # anchor the previous close exactly, then the last one
    closes = [math.exp(v + ratio) for v in x[:-1]] + [lp]
    rows, prev_close = [], closes[0] * (1 - rng.gauss(0, dvol))
    for d, c in zip(days, closes, strict=True):
        o = prev_close * (1 + rng.gauss(0, dvol / 4))
        h = max(o, c) * (1 + abs(rng.gauss(0, dvol / 2)))
        lo = min(o, c) * (1 - abs(rng.gauss(0, dvol / 2)))
        o, c, h, lo = (rnd(v, tick) for v in (o, c, h, lo))
        vol = quote["volume"] * rng.uniform(0.6, 1.4)
        vol = round(vol, 0 if vol >= 1e5 else 4)
        rows.append([int(d.timestamp()), o, max(h, o, c), min(lo, o, c), c, vol])
        prev_close = c
    rows[-1][4] = lp
    rows[-1][2], rows[-1][3] = max(rows[-1][1:5]), min(rows[-1][1:5])
    return rows


def minute_from_daily(
    daily: list[list[float]],
    days: list[datetime],
    session: timedelta,
    n: int,
    tick: float,
    wick: float,
    seed: int,
) -> list[list[float]]:
    rng, by_day, rows = random.Random(seed), {int(r[0]) // DAY * DAY: r for r in daily}, []
    for d in days:
        o, h, lo, c, v = by_day[int(d.timestamp())][1:6]
        rows += intraday(o, h, lo, c, int((d + session).timestamp()), n, v, tick, wick, rng)
    return rows


def build(src: Path) -> dict:
    msgs = frames((src / "socket_messages.txt").read_text(encoding="ascii"))
    quotes, resolved, raw = {}, {}, {}
    for m in msgs:
        p = m.get("p", [])
        if m.get("m") == "qsd":
            quotes[p[1]["n"]] = {k: p[1]["v"][k] for k in QUOTE_KEYS if k in p[1]["v"]}
        elif m.get("m") == "symbol_resolved":
            resolved[p[2]["pro_name"]] = p[2]["description"]
        elif m.get("m") == "timescale_update":
            raw.update({k: [b["v"] for b in v["s"]] for k, v in p[1].items() if k in SERIES})
    for q in quotes.values():
        if q.get("volume", 0) >= 1e99:  # TradingView's "no volume" marker
            del q["volume"]
    symbols: dict = {}
    for key, (sym, status, note, fallback) in SERIES.items():
        bars = raw[key]
        desc = quotes.get(sym, {}).get("description") or resolved.get(sym) or fallback
        entry = symbols.setdefault(sym, {"description": desc, "series": {}})
        entry["description_source"] = "captured" if desc != fallback else "assumed"
        interval = "1D" if key == "sds_7" else "1m"
        if interval == "1D":  # align to UTC midnight, the project's daily bucket
            bars = [[b[0] // DAY * DAY, *b[1:]] for b in bars]
        cols = columns(bars, with_volume=len(bars[0]) > 5)
        entry["series"][interval] = {"status": status, "synthetic": False, "note": note, **cols}
    spx = symbols["SP:SPX"]
    spx_daily = uncolumns(spx["series"]["1D"])
    spx["series"]["1m"] = {
        "status": "synthetic",
        "synthetic": True,
        "note": (
            "synthetic 1m bars (seeded Brownian bridge) that aggregate exactly to the real daily "
            "OHLCV of SP:SPX, June 1-9 2023"
        ),
        **columns(
            minute_from_daily(spx_daily, INTRADAY_DAYS, STOCK_OPEN, 390, 0.01, 0.0002, 100), True
        ),
    }
    for sym, (seed, dvol, wick, tick, weekends) in SYNTHETIC.items():
        q = quotes[sym]
        daily = synthetic_daily(
            q,
            seed,
            dvol,
            tick,
            weekends,
            datetime(2022, 6, 1, tzinfo=UTC),
            datetime(2023, 6, 9, tzinfo=UTC),
        )
        days = CRYPTO_DAYS if weekends else INTRADAY_DAYS
        minutes = minute_from_daily(
            daily,
            days,
            timedelta(0) if weekends else STOCK_OPEN,
            1440 if weekends else 390,
            tick,
            wick,
            seed + 1000,
        )
        note = (
            f"synthetic: seeded random walk (seed {seed}) ending at the real last price "
            f"{q['lp']} (and previous close lp - ch); not market data"
        )
        symbols[sym] = {
            "description": q["description"],
            "description_source": "captured",
            "series": {
                "1D": {
                    "status": "synthetic",
                    "synthetic": True,
                    "note": note,
                    **columns(daily, True),
                },
                "1m": {
                    "status": "synthetic",
                    "synthetic": True,
                    "note": note + "; 1m bars aggregate exactly to the daily bars",
                    **columns(minutes, True),
                },
            },
        }
    for sym, q in quotes.items():
        symbols[sym]["quote"] = q
    return {
        "format": 1,
        "source": SOURCE,
        "licence": "MIT, see LICENSE.tradingview-rs",
        "symbols": symbols,
    }


def main(argv: list[str]) -> None:
    src = Path(argv[1]) if len(argv) > 1 else SRC
    out = Path(argv[2]) if len(argv) > 2 else OUT
    blob = json.dumps(build(src), separators=(",", ":"), sort_keys=True).encode()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(gzip.compress(blob, compresslevel=9, mtime=0))
    print(f"wrote {out} ({out.stat().st_size} bytes, {len(blob)} raw)")


if __name__ == "__main__":
    main(sys.argv)
