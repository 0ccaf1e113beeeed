"""TradingView websocket framing: ``~m~<len>~m~<payload>``, several frames per message.

Encoding always writes compact, ASCII-only JSON, so the length is the same whether it is
counted in characters, UTF-8 bytes or UTF-16 units. Decoding walks by the declared length and
checks that the next frame starts at a ``~m~`` marker; a length that does not line up is also
tried as UTF-8 bytes / UTF-16 units (clients and servers disagree on the unit). A malformed
frame is skipped: the decoder resyncs at the next ``~m~`` marker, counts it and logs it. It
never raises anything but ``ProtocolError`` and always terminates.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from typing import Any

from tui_market.errors import ProtocolError

log = logging.getLogger(__name__)

MARKER = "~m~"
HEARTBEAT_PREFIX = "~h~"
_MAX_LEN_DIGITS = 9
_MAX_HEARTBEAT_DIGITS = 18  # a counter; a longer run would not even convert to int (4300 max)
_HEADER = re.compile(r"~m~(\d{1,9})~m~", re.ASCII)


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """A server heartbeat ``~h~N``. Echo it back unchanged: ``encode_frame(hb.payload)``."""

    n: int

    @property
    def payload(self) -> str:
        return f"{HEARTBEAT_PREFIX}{self.n}"


class DecodeResult(list[str]):
    """The payloads of one websocket message, in order (a list), plus ``malformed``:
    how many malformed frames or garbage runs were skipped."""

    malformed: int = 0


def encode_frame(payload: str) -> str:
    """Wrap one payload: ``~m~<len>~m~<payload>``."""
    return f"{MARKER}{len(payload)}{MARKER}{payload}"


def dumps(obj: Any) -> str:
    """Compact, ASCII-only JSON (the form TradingView and tvDatafeed's parser expect)."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=True)


def encode_message(method: str, params: list[Any]) -> str:
    """One framed ``{"m":method,"p":params}`` message."""
    return encode_frame(dumps({"m": method, "p": params}))


def heartbeat(n: int) -> str:
    """The framed heartbeat ``~m~<len>~m~~h~<n>``."""
    return encode_frame(f"{HEARTBEAT_PREFIX}{n}")


def is_heartbeat(payload: str) -> bool:
    return payload.startswith(HEARTBEAT_PREFIX)


def _lengths_match(declared: int, text: str) -> bool:
    """Does ``declared`` count ``text`` in UTF-8 bytes or UTF-16 units (non-ASCII text)?"""
    if text.isascii():
        return False
    utf8 = len(text.encode("utf-8", "surrogatepass"))
    utf16 = len(text.encode("utf-16-le", "surrogatepass")) // 2
    return declared in (utf8, utf16)


def decode_frames(data: str) -> DecodeResult:
    """Split one websocket message into payloads (heartbeats kept as ``~h~N`` strings).

    Raises ``ProtocolError`` when ``data`` is not text, or is non-empty and holds no
    valid frame at all. Otherwise returns the valid payloads; ``result.malformed`` counts
    what was skipped.
    """
    if not isinstance(data, str):
        raise ProtocolError(f"expected a text message, got {type(data).__name__}")
    out = DecodeResult()
    bad = 0  # runs of skipped text: consecutive bad steps count once
    in_bad = False
    first_bad = -1
    pos, n = 0, len(data)
    while pos < n:
        nxt = -1  # where to resync after a bad step
        if data.startswith(MARKER, pos):
            digits_end = data.find(MARKER, pos + 3, pos + 6 + _MAX_LEN_DIGITS)
            digits = data[pos + 3 : digits_end] if digits_end >= 0 else ""
            if digits.isascii() and digits.isdigit():
                start = digits_end + 3
                stop = start + int(digits)
                tail_ok = n - stop < 3 and MARKER.startswith(data[stop:])  # next header cut
                if stop <= n and (tail_ok or data.startswith(MARKER, stop)):
                    out.append(data[start:stop])
                    pos, in_bad = stop, False
                    continue
                # The length does not line up: another unit of length, or a broken frame.
                header = _HEADER.search(data, pos + 1)
                end = header.start() if header else n
                if end >= start and _lengths_match(int(digits), data[start:end]):
                    out.append(data[start:end])
                    pos, in_bad = end, False
                    continue
                nxt = end if end < n else -1
            else:
                nxt = data.find(MARKER, pos + 1)
        else:
            nxt = data.find(MARKER, pos + 1)
        if not in_bad:
            bad, in_bad = bad + 1, True
            first_bad = first_bad if first_bad >= 0 else pos
        if nxt < 0:
            break
        pos = nxt
    out.malformed = bad
    if bad:
        log.warning(
            "skipped %d malformed TradingView frame(s); first at offset %d: %r",
            bad,
            first_bad,
            data[first_bad : first_bad + 60],
        )
        if not out:
            raise ProtocolError(f"no valid frame in a {n}-character message")
    return out


def parse_payload(payload: str) -> dict[str, Any] | Heartbeat:
    """A heartbeat, or the JSON object (a message with ``m``/``p``, or the hello)."""
    if payload.startswith(HEARTBEAT_PREFIX):
        body = payload[len(HEARTBEAT_PREFIX) :]
        if not (body.isascii() and body.isdigit()) or len(body) > _MAX_HEARTBEAT_DIGITS:
            raise ProtocolError(f"bad heartbeat {payload[:40]!r}")
        return Heartbeat(int(body))
    try:
        obj = json.loads(payload)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError(f"payload is not JSON: {payload[:60]!r}") from exc
    if not isinstance(obj, dict):
        raise ProtocolError(f"payload is not a JSON object: {payload[:60]!r}")
    return obj


def is_hello(msg: dict[str, Any]) -> bool:
    """The server hello: the first frame, an object with ``session_id`` and no ``m``."""
    return "m" not in msg and ("session_id" in msg or "javastudies" in msg)


def method_of(msg: dict[str, Any]) -> str | None:
    """The ``m`` of a message (None for the hello)."""
    m = msg.get("m")
    return m if isinstance(m, str) else None


def params_of(msg: dict[str, Any]) -> list[Any]:
    """The ``p`` list of a message (empty when missing or not a list)."""
    p = msg.get("p")
    return p if isinstance(p, list) else []
