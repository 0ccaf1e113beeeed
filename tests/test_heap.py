"""ui/heap.py: the start-up heap leaves the collector's scans once, and young collections are
rarer (the event loop's longest stalls under live load were full collections)."""

from __future__ import annotations

import gc

from tui_market.tui.heap import MIDDLE, OLD, YOUNG, freeze_heap


def test_freeze_heap_takes_the_heap_out_of_the_scans_once() -> None:
    freeze_heap()
    assert gc.get_freeze_count() > 10_000
    assert gc.get_threshold() == (YOUNG, MIDDLE, OLD)
    assert freeze_heap() == 0  # once per process
