"""What the fake TradingView server answers to each client message (chart and quote sessions).

``SessionLogic.handle`` is pure over the connection's state: it returns the websocket
messages to send (each a list of payloads) and whether to close the connection afterwards.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from tests.fakes.tv_bars import resolution_seconds
from tests.fakes.tv_codec import to_json
from tests.fakes.tv_conn import ClientConn, QuoteSession, SessionState
from tests.fakes.tv_data import MarketData, Symbol

__all__ = ["ClientConn", "QuoteSession", "SessionLogic", "SessionState", "symbol_of"]
NODE = "fake-charts-free-1-series-runner-1"
Reply = tuple[list[list[str]], bool]


def symbol_of(spec: str) -> str:
    """``EXCH:TICKER`` from ``EXCH:TICKER`` or a ``={"symbol":...}`` resolve string."""
    if spec.startswith("="):
        try:
            obj = json.loads(spec[1:])
        except ValueError:
            return spec
        return str(obj.get("symbol", spec)) if isinstance(obj, dict) else spec
    return spec


class SessionLogic:
    def __init__(
        self, market: MarketData, bad_tokens: frozenset[str], clock: Callable[[], float] = time.time
    ) -> None:
        self.market = market
        self.bad_tokens = bad_tokens
        self.clock = clock

    def msg(self, method: str, params: list[Any], stamp: bool = True) -> str:
        obj: dict[str, Any] = {"m": method, "p": params}
        if stamp:
            now = self.clock()
            obj["t"], obj["t_ms"] = int(now), int(now * 1000)
        return to_json(obj)

    def hello(self, index: int) -> str:
        now = self.clock()
        return to_json(
            {
                "session_id": f"0.{index}.fake_dal-charts-free-1-fake-{index}",
                "timestamp": int(now),
                "timestampMs": int(now * 1000),
                "release": "release_fake-1",
                "studies_metadata_hash": "0" * 40,
                "auth_scheme_vsn": 2,
                "protocol": "json",
                "via": "127.0.0.1:0",
                "javastudies": ["3.66"],
            }
        )

    @staticmethod
    def quote_delta(
        sym: Symbol, lp: float, lp_time: int, volume: float | None, extra: dict[str, Any]
    ) -> dict[str, Any]:
        """The fields that changed (``ch``/``chp`` against the previous close); like the real
        server, a delta carries only those (a bid-only update has no ``lp``)."""
        q = sym.quote
        base = q.setdefault("prev_close_price", float(q.get("lp", lp)) - float(q.get("ch", 0)))
        delta: dict[str, Any] = {"lp": lp, "lp_time": lp_time, **extra}
        if volume is not None:
            delta["volume"] = volume
        if base:
            delta["ch"] = round(lp - base, 6)
            delta["chp"] = round((lp - base) / base * 100, 2)
        changed = {k: v for k, v in delta.items() if q.get(k) != v}
        q.update(changed)
        return changed

    def handle(self, st: SessionState, method: str, p: list[Any]) -> Reply:
        head = p[0] if p and isinstance(p[0], str) else ""
        if method == "set_auth_token":
            st.token = head
            if not head or head in self.bad_tokens:
                return [[self.msg("protocol_error", ["bad auth token"], stamp=False)]], True
        elif method == "chart_create_session":
            st.charts[head] = {}
        elif method == "chart_delete_session":
            st.charts.pop(head, None)
        elif method == "resolve_symbol" and len(p) >= 3:
            name = symbol_of(str(p[2]))
            st.charts.setdefault(head, {})[str(p[1])] = name
            sym = self.market.get(name)
            if sym is not None and sym.rows:
                return [[self.msg("symbol_resolved", [head, p[1], sym.info], stamp=False)]], False
        elif method == "create_series" and len(p) >= 6:
            return self._series(st, head, p), False
        elif method == "quote_create_session":
            st.quotes[head] = QuoteSession()
        elif method == "quote_delete_session":
            st.quotes.pop(head, None)
        elif method == "quote_set_fields":
            st.quotes.setdefault(head, QuoteSession()).fields = [str(f) for f in p[1:]]
        elif method == "quote_add_symbols":
            return self._add_quotes(st.quotes.setdefault(head, QuoteSession()), head, p[1:]), False
        elif method == "quote_remove_symbols":
            sess = st.quotes.get(head)
            if sess is not None:
                sess.symbols = [s for s in sess.symbols if s not in p[1:]]
        return [], False

    def _series(self, st: SessionState, cs: str, p: list[Any]) -> list[list[str]]:
        sid, turn, ref, resolution, count = p[1], p[2], p[3], str(p[4]), p[5]
        out = [[self.msg("series_loading", [cs, sid, turn])]]
        sym = self.market.get(st.charts.get(cs, {}).get(str(ref), ""))
        if sym is None or not sym.rows:
            out.append(
                [
                    self.msg("symbol_error", [cs, ref, "invalid symbol"]),
                    self.msg("series_error", [cs, sid, turn, "resolve error", NODE]),
                ]
            )
            return out
        rows = sym.bars(resolution, count) if isinstance(count, int) and count > 0 else None
        if rows is None:
            args = f'method: create_series. args: "[{", ".join(str(x) for x in p[1:])}]"'
            return [[self.msg("critical_error", [cs, "invalid parameters", args])]]
        bars = [{"i": i, "v": row} for i, row in enumerate(rows)]
        step = resolution_seconds(resolution) or 0
        last_t = rows[-1][0] if isinstance(rows[-1][0], int | float) else 0
        series = {
            "node": NODE,
            "s": bars,
            "ns": {"d": "", "indexes": []},
            "t": turn,
            "lbs": {"bar_close_time": int(last_t) + step},
        }
        index = {
            "index": len(rows) - 1,
            "zoffset": 0,
            "changes": [r[0] for r in rows],
            "marks": [],
            "index_diff": [],
        }
        out.append([self.msg("timescale_update", [cs, {sid: series}, index])])
        out.append(
            [
                self.msg(
                    "series_timeframe",
                    [cs, sid, turn, 0, len(rows) - 1, "LASTSESSION", True],
                    stamp=False,
                ),
                self.msg(
                    "series_completed",
                    [cs, sid, sym.update_mode, turn, {"rt_update_period": 5}],
                ),
            ]
        )
        return out

    def _add_quotes(self, sess: QuoteSession, qs: str, specs: list[Any]) -> list[list[str]]:
        if not all(isinstance(s, str) for s in specs):  # the old {"flags":[...]} argument
            return [
                [
                    self.msg(
                        "critical_error",
                        [qs, "invalid_parameters", "quote_add_symbols"],
                        stamp=False,
                    )
                ]
            ]
        out = []
        for spec in specs:
            sym = self.market.get(symbol_of(spec))
            if sym is None or not sym.quote:
                err = {"n": spec, "s": "error", "errmsg": "invalid symbol", "v": {}}
                out.append([self.msg("qsd", [qs, err], stamp=False)])
                continue
            if spec not in sess.symbols:
                sess.symbols.append(spec)
            snap = {"n": spec, "s": "ok", "v": sess.view(sym.quote)}
            out.append(
                [
                    self.msg("qsd", [qs, snap], stamp=False),
                    self.msg("quote_completed", [qs, spec], stamp=False),
                ]
            )
        return out
