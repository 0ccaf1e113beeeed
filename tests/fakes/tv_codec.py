"""The fake TradingView server's own wire codec, written from docs/TRADINGVIEW_PROTOCOL.md and
deliberately sharing no code with the app's ``tui_market.providers.tradingview.protocol``:
the fakes must not inherit a bug from the code they test.

A websocket text message holds frames ``~m~<LEN>~m~<PAYLOAD>`` back to back. ``LEN`` is the
payload's length in characters (``len`` of the ``str``), never UTF-8 bytes. A payload is compact
JSON ``{"m": ..., "p": [...]}``, the hello (JSON without ``m``) or a heartbeat ``~h~<n>``.

This decoder is strict, as the real server is: a frame whose length does not line up with the
next ``~m~`` (or the end of the message) is counted as bad and skipped to the next marker.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

FRAME_MARK = "~m~"
BEAT_MARK = "~h~"


class FrameError(ValueError):
    """A client message or payload the fake cannot read."""


@dataclass
class Frames:
    """The payloads of one message, in order, and how many bad runs were skipped."""

    payloads: list[str] = field(default_factory=list)
    bad: int = 0


def frame(payload: str) -> str:
    """One frame; the length is counted in characters."""
    return FRAME_MARK + str(len(payload)) + FRAME_MARK + payload


def frames(payloads: list[str]) -> str:
    """Several frames in one message."""
    return "".join(frame(p) for p in payloads)


def to_json(obj: Any) -> str:
    """Compact JSON; non-ASCII text goes raw (as TradingView sends it), not ``\\u``-escaped."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def beat(n: int) -> str:
    """A heartbeat payload ``~h~<n>`` (frame it with ``frame``)."""
    return f"{BEAT_MARK}{n}"


def beat_number(payload: str) -> int | None:
    """``n`` when ``payload`` is a heartbeat ``~h~<n>``, else None."""
    if not payload.startswith(BEAT_MARK):
        return None
    digits = payload[len(BEAT_MARK) :]
    if not digits or len(digits) > 18 or not all("0" <= c <= "9" for c in digits):
        raise FrameError(f"bad heartbeat {payload[:40]!r}")
    return int(digits)


def split(message: str) -> Frames:
    """Cut a message into its payloads. Raises ``FrameError`` if a non-empty message holds no
    good frame at all."""
    out = Frames()
    i, end = 0, len(message)
    skipping = False
    while i < end:
        payload, after = _one(message, i)
        if payload is not None:
            out.payloads.append(payload)
            i, skipping = after, False
            continue
        if not skipping:
            out.bad += 1
            skipping = True
        nxt = message.find(FRAME_MARK, i + 1)
        i = end if nxt < 0 else nxt
    if message and not out.payloads:
        raise FrameError(f"no good frame in {message[:60]!r}")
    return out


def _one(message: str, i: int) -> tuple[str | None, int]:
    """The frame at ``i``: (payload, index after it), or (None, i) when it is not one."""
    if not message.startswith(FRAME_MARK, i):
        return None, i
    head = i + len(FRAME_MARK)
    close = message.find(FRAME_MARK, head)
    size = message[head:close] if close > head else ""
    if not size or len(size) > 9 or not all("0" <= c <= "9" for c in size):
        return None, i
    body = close + len(FRAME_MARK)
    stop = body + int(size)
    if stop > len(message):
        return None, i
    if stop < len(message) and not message.startswith(FRAME_MARK, stop):
        return None, i
    return message[body:stop], stop


def read_payload(payload: str) -> dict[str, Any] | int:
    """A heartbeat's number, or the payload's JSON object."""
    n = beat_number(payload)
    if n is not None:
        return n
    try:
        obj = json.loads(payload)
    except (ValueError, RecursionError) as exc:
        raise FrameError(f"not JSON: {payload[:60]!r}") from exc
    if not isinstance(obj, dict):
        raise FrameError(f"not a JSON object: {payload[:60]!r}")
    return obj


def method(msg: dict[str, Any]) -> str:
    m = msg.get("m")
    return m if isinstance(m, str) else ""


def params(msg: dict[str, Any]) -> list[Any]:
    p = msg.get("p")
    return p if isinstance(p, list) else []
