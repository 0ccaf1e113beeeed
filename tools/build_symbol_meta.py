"""Build ``tui_market/data/symbols.json``: the demo symbols' metadata, from the real captures.

Per symbol, the ``symbol_resolved`` fields (session, timezone, session_holidays, pricescale,
minmov, type, description, currency_code) and ``update_mode`` as TradingView sent them where the
capture holds them (``tests/data/tradingview/socket_messages.txt``: SP:SPX, TVC:RUT resolved;
NDX, SPX, BTCUSD, AAPL, TSLA quoted). What the capture lacks is filled from the nearest
captured symbol of the same market and listed in ``assumed`` (e.g. NASDAQ:AAPL's session is
SP:SPX's US regular hours; BITSTAMP:BTCUSD trades 24x7 in UTC).

Run: ``python tools/build_symbol_meta.py``; the output is deterministic.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "tests" / "data" / "tradingview" / "socket_messages.txt"
OUT = ROOT / "tui_market" / "data" / "symbols.json"
RESOLVED = ("description", "type", "timezone", "session", "session_holidays", "pricescale",
            "minmov", "currency_code")  # fmt: skip
QUOTED = ("description", "type", "pricescale", "minmov", "currency_code", "update_mode")
US = "SP:SPX"  # the captured US regular session and holidays, lent to US symbols
LENT = {
    "NASDAQ:NDX": (US, {"session": "0930-1600"}),
    "NASDAQ:AAPL": (US, {"session": "0930-1600"}),
    "NASDAQ:TSLA": (US, {"session": "0930-1600"}),
    "DJ:DJI": (US, {"description": "Dow Jones Industrial Average", "type": "index",
                    "session": "0930-1600", "update_mode": "delayed_streaming_900"}),
    "TVC:VIX": (US, {"description": "CBOE Volatility Index", "type": "index",
                     "session": "0930-1615", "update_mode": "delayed_streaming_900"}),
    "TVC:DXY": (US, {"description": "U.S. Dollar Index", "type": "index", "pricescale": 1000,
                     "session": "2000-1800", "update_mode": "delayed_streaming_900"}),
    "BITSTAMP:BTCUSD": (None, {"timezone": "Etc/UTC", "session": "24x7"}),
}  # fmt: skip


def frames(text: str) -> list[dict]:
    out, i = [], 0
    while i < len(text):
        m = re.match(r"~m~(\d+)~m~", text[i:])
        assert m is not None, f"bad frame at {i}"
        start = i + m.end()
        payload = text[start : start + int(m.group(1))]
        i = start + int(m.group(1))
        if payload.startswith("{"):
            out.append(json.loads(payload))
    return out


def main() -> None:
    meta: dict[str, dict] = {}
    for msg in frames(SRC.read_text()):
        if msg["m"] == "symbol_resolved":
            raw = msg["p"][2]
            entry = meta.setdefault(raw["pro_name"], {"assumed": []})
            entry.update({k: raw[k] for k in RESOLVED if k in raw})
        elif msg["m"] == "qsd":
            body = msg["p"][1]
            entry = meta.setdefault(body["n"], {"assumed": []})
            entry.update({k: body["v"][k] for k in QUOTED if k in body["v"]})
    for symbol, (lender, fields) in LENT.items():
        entry = meta.setdefault(symbol, {"assumed": []})
        if lender is not None:
            for key in ("timezone", "session_holidays", "currency_code"):
                if key not in entry:
                    entry[key] = meta[lender][key]
                    entry["assumed"].append(key)
        for key, value in fields.items():
            if key not in entry:
                entry[key] = value
                entry["assumed"].append(key)
    for entry in meta.values():
        entry["update_mode"] = entry.get("update_mode", "streaming")
        entry["assumed"] = sorted(set(entry["assumed"]))
    OUT.write_text(json.dumps(dict(sorted(meta.items())), indent=1, sort_keys=True) + "\n")
    print(f"wrote {OUT} ({len(meta)} symbols)")


if __name__ == "__main__":
    main()
