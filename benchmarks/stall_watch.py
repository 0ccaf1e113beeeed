"""Attribute event-loop stalls: a heartbeat on the loop and a watchdog thread that samples the
loop thread's stack (``sys._current_frames``) while the heartbeat is late; garbage collections
timed with ``gc.callbacks``.

    watch = StallWatch(threshold=0.05); watch.start()   # inside the running loop
    ...; watch.stop(); watch.report()
"""

from __future__ import annotations

import asyncio
import gc
import sys
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from types import FrameType

BEAT = 0.005  # heartbeat period on the loop
SAMPLE = 0.002  # watchdog sampling period while the loop is late


def _frames(frame: FrameType | None, depth: int = 60) -> list[str]:
    out: list[str] = []
    while frame is not None and len(out) < depth:
        code = frame.f_code
        name = code.co_filename.rsplit("site-packages/", 1)[-1].rsplit("/main/", 1)[-1]
        out.append(f"{name}:{code.co_name}")
        frame = frame.f_back
    return out  # innermost first


@dataclass
class Stall:
    start: float
    length: float = 0.0
    samples: list[list[str]] = field(default_factory=list)
    gc_ms: float = 0.0


class StallWatch:
    def __init__(self, threshold: float = 0.05) -> None:
        self.threshold = threshold
        self.stalls: list[Stall] = []
        self.gc_times: list[tuple[int, float, int]] = []  # (generation, seconds, collected)
        self._beat = time.perf_counter()
        self._stop = threading.Event()
        self._loop_thread = threading.get_ident()
        self._gc_started = 0.0
        self._task: asyncio.Task[None] | None = None
        self._thread: threading.Thread | None = None
        self.recording = True

    def start(self) -> None:
        self._loop_thread = threading.get_ident()
        self._task = asyncio.get_running_loop().create_task(self._heartbeat())
        self._thread = threading.Thread(target=self._watch, daemon=True, name="stall-watch")
        self._thread.start()
        gc.callbacks.append(self._gc)

    def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            self._task.cancel()
        if self._gc in gc.callbacks:
            gc.callbacks.remove(self._gc)

    async def _heartbeat(self) -> None:
        while True:
            self._beat = time.perf_counter()
            await asyncio.sleep(BEAT)

    def _gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
        elif self.recording:
            took = time.perf_counter() - self._gc_started
            self.gc_times.append((info["generation"], took, info["collected"]))
            if self.stalls and self.stalls[-1].length == 0.0:
                self.stalls[-1].gc_ms += took * 1000

    def _watch(self) -> None:
        """Sample the loop thread all the time (kept ~0.5 s); a stall takes the samples taken
        while it lasted, so its start is seen too (a GC pass holds the GIL: no samples)."""
        recent: deque[tuple[float, list[str]]] = deque()
        current: Stall | None = None
        while not self._stop.wait(SAMPLE):
            now = time.perf_counter()
            frame = sys._current_frames().get(self._loop_thread)
            recent.append((now, _frames(frame)))
            while recent and recent[0][0] < now - 0.5:
                recent.popleft()
            beat = self._beat
            if now - beat > self.threshold and self.recording:
                if current is None:
                    current = Stall(beat)
                    self.stalls.append(current)
            elif current is not None:
                current.length = beat - current.start
                current.samples = [s for t, s in recent if current.start <= t <= beat]
                current = None

    def report(self, top: int = 25) -> None:
        done = [s for s in self.stalls if s.length > 0]
        lengths = sorted(s.length * 1000 for s in done)
        print(
            f"stalls > {self.threshold * 1000:.0f} ms: {len(done)}; "
            f"lengths ms: {[round(x) for x in lengths]}"
        )
        by_gen = Counter[int]()
        worst: dict[int, float] = {}
        for gen, took, _ in self.gc_times:
            by_gen[gen] += 1
            worst[gen] = max(worst.get(gen, 0.0), took)
        print(
            "gc: "
            + ", ".join(
                f"gen{g} x{n} max {worst[g] * 1000:.1f} ms" for g, n in sorted(by_gen.items())
            )
        )
        slow = sorted(self.gc_times, key=lambda g: -g[1])[:6]
        print(
            "  slowest: "
            + ", ".join(f"gen{g} {t * 1000:.0f} ms ({c} collected)" for g, t, c in slow)
        )
        inclusive = Counter[str]()
        leaf = Counter[str]()
        roots = Counter[str]()
        total = 0
        for stall in done:
            for sample in stall.samples:
                total += 1
                for name in set(sample):
                    inclusive[name] += 1
                if sample:
                    leaf[sample[0]] += 1
                roots[_root(sample)] += 1
        print(f"{total} samples in stalls; callbacks at the root of the loop:")
        for name, n in roots.most_common(12):
            print(f"  {n:5d} {100 * n / max(1, total):5.1f}%  {name}")
        print("inclusive (a frame anywhere on the stack):")
        for name, n in inclusive.most_common(top):
            print(f"  {n:5d} {100 * n / max(1, total):5.1f}%  {name}")
        print("innermost:")
        for name, n in leaf.most_common(12):
            print(f"  {n:5d} {100 * n / max(1, total):5.1f}%  {name}")
        for stall in sorted(done, key=lambda s: -s.length)[:8]:
            stall_roots = Counter(_root(s) for s in stall.samples)
            print(
                f"  stall {stall.length * 1000:.0f} ms (gc {stall.gc_ms:.0f} ms): "
                + "; ".join(f"{r} x{n}" for r, n in stall_roots.most_common(3))
            )


def _root(sample: list[str]) -> str:
    """The frames just above asyncio's ``Handle._run`` (the callback the loop was running)."""
    for i, name in enumerate(sample):
        if name.endswith("events.py:_run"):
            return " < ".join(reversed(sample[max(0, i - 4) : i]))
    return " < ".join(reversed(sample[-4:]))
