"""Garbage collection for a long-running TUI: the start-up heap frozen out of the collector,
young collections rarer, the older ones more frequent.

CPython's full (generation 2) collection scans every tracked object. After start-up that is
nearly all modules, classes, functions and Textual's styles, which live until exit; under the
live load scanning them was the event loop's longest stall (``benchmarks/stall_watch.py``).
``freeze_heap`` collects once, then moves the survivors to the permanent generation
(``gc.freeze``): a full collection then scans only what was created since.

The young generation's threshold goes from 700 to ``YOUNG`` allocations: most of the frame's
objects die by reference count within a frame, so a collection every 700 net allocations (each
promoting the frame's live objects) ran dozens of times a second. The older generations are
collected more often instead (``MIDDLE``, ``OLD``): a full collection now scans only what was
created since start-up, and Textual's render caches leave cyclic garbage (a ``Strip`` and its
caches) that must not wait minutes for one. Figures (stalls, memory growth with each choice):
benchmarks/RESULTS.md.

Done once per process: objects frozen here are never collected if they later become cyclic
garbage, so nothing short-lived may be frozen again and again.
"""

from __future__ import annotations

import gc
import logging
import time

log = logging.getLogger(__name__)
YOUNG = 10_000  # allocations (net of frees) between young collections; CPython's default 700
MIDDLE = 5  # young collections between middle ones (CPython: 10)
OLD = 1  # middle collections before a full one is considered (CPython: 10)
_frozen = False


def freeze_heap() -> int:
    """Once per process: collect, freeze every surviving object, set the thresholds.
    Returns how many objects are frozen (0: already done)."""
    global _frozen
    if _frozen:
        return 0
    _frozen = True
    started = time.perf_counter()
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG, MIDDLE, OLD)
    frozen = gc.get_freeze_count()
    log.info(
        "heap frozen: %d objects out of the collector's scans (%.0f ms)",
        frozen,
        (time.perf_counter() - started) * 1000,
    )
    return frozen
