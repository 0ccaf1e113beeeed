"""Garbage collection for a long-running TUI: the start-up heap frozen out of the collector,
and fewer young collections.

CPython's full (generation 2) collection scans every tracked object. After start-up that is
~90-110k objects, nearly all of them modules, classes, functions and Textual's styles, which
live until exit; under the live load (50 symbols, 2,000 ticks/s) scanning them took 60-200 ms
every ~2 s, the event loop's longest stalls (``benchmarks/stall_watch.py``). ``freeze_heap``
collects once, then moves the survivors to the permanent generation (``gc.freeze``): a full
collection then scans only what was created since (~15-25k objects, 5-20 ms).

The young generation's threshold goes from 700 to ``YOUNG`` allocations: most of the frame's
objects die by reference count within a frame, so a collection every 700 net allocations
(~50 a second under the live load, each promoting the frame's live objects) became a few a
minute, and a full collection every few minutes instead of every ~2 s.

Done once per process: objects frozen here are never collected if they later become cyclic
garbage, so nothing short-lived may be frozen again and again.
"""

from __future__ import annotations

import gc
import logging
import time

log = logging.getLogger(__name__)
YOUNG = 10_000  # allocations (net of frees) between young collections; CPython's default 700
_frozen = False


def freeze_heap() -> int:
    """Once per process: collect, freeze every surviving object, raise the young threshold.
    Returns how many objects are frozen (0: already done)."""
    global _frozen
    if _frozen:
        return 0
    _frozen = True
    started = time.perf_counter()
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG, middle, old)
    frozen = gc.get_freeze_count()
    log.info("heap frozen: %d objects out of the collector's scans (%.0f ms)",
             frozen, (time.perf_counter() - started) * 1000)
    return frozen
