"""Exponential backoff with jitter for reconnect loops (pure; the caller does the sleeping)."""

from __future__ import annotations

import random


class Backoff:
    """Delays ``initial * factor**(n-1)`` for attempt ``n``, capped, with +/- ``jitter`` spread.

    ``next_delay()`` counts an attempt and returns how long to wait before it; ``reset()``
    (after a connection stayed up long enough) starts again from ``initial``. The spread keeps
    many clients that lost the same server from coming back in lockstep.
    """

    def __init__(
        self,
        initial: float = 0.5,
        cap: float = 30.0,
        *,
        factor: float = 2.0,
        jitter: float = 0.2,
        rng: random.Random | None = None,
    ) -> None:
        if initial <= 0 or cap < initial or factor < 1 or not 0 <= jitter < 1:
            raise ValueError(
                f"bad backoff: initial={initial} cap={cap} factor={factor} jitter={jitter}"
            )
        self.initial = initial
        self.cap = cap
        self.factor = factor
        self.jitter = jitter
        self._rng = rng or random.Random()
        self.attempt = 0

    def next_delay(self) -> float:
        """Count one more attempt; return its delay in seconds (never above ``cap``)."""
        self.attempt += 1
        base = min(self.cap, self.initial * self.factor ** min(self.attempt - 1, 64))
        spread = base * self.jitter
        return min(self.cap, max(0.0, base + self._rng.uniform(-spread, spread)))

    def reset(self) -> None:
        self.attempt = 0
