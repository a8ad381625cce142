"""How fast this machine is right now: the same benchmark differs by 1.5x between hosts of
the same 2-core kind here (and on one host from hour to hour), so every table says what a
fixed pure-Python workload took, before and after its measurements."""

from __future__ import annotations

import statistics
import time


def python_loop_s(repeats: int = 5) -> float:
    """Median seconds of a loop of 10^7 integer additions (CPython 3.11, one core)."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        total = 0
        for i in range(10_000_000):
            total += i
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def line(before: float, after: float) -> str:
    return (
        f"machine reference: a pure-Python loop of 10⁷ additions took {before:.2f} s before these "
        f"measurements and {after:.2f} s after (lower is faster)"
    )
