"""How fast this machine is right now: the same benchmark differs by 1.5x between hosts of
the same 2-core kind here (and on one host from hour to hour), so every table says what two
fixed pure-Python workloads took, before and after its measurements: an integer loop (the
CPU) and building and dropping a million small objects (memory, which the PDF layout leans
on and which varied more than the loop here)."""

from __future__ import annotations

import compileall
import statistics
import time
from pathlib import Path


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


def allocation_s(repeats: int = 3) -> float:
    """Median seconds to build, read and drop 400,000 small dicts with strings and tuples."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        items = [{"a": i, "b": str(i), "c": (i, i + 1)} for i in range(400_000)]
        sum(len(item["b"]) for item in items)
        del items
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def machine_speed() -> tuple[float, float]:
    return python_loop_s(), allocation_s()


def line(before: tuple[float, float], after: tuple[float, float]) -> str:
    return (
        "machine reference (lower is faster): a pure-Python loop of 10⁷ additions took "
        f"{before[0]:.2f} s before these measurements and {after[0]:.2f} s after; 400,000 small "
        f"objects built and dropped, {before[1]:.2f} s and {after[1]:.2f} s"
    )


def compile_package() -> None:
    """Write xindelu's bytecode before anything is measured.

    Python writes a module's bytecode the first time it imports it, so an editor's builds
    after the first load it instead of compiling the source. Not when PYTHONDONTWRITEBYTECODE
    is set, as it is on the machines this bench runs on: every measured process compiled the
    package again (0.03-0.07 s of CPU per process), which no user's second build pays.
    """
    compileall.compile_dir(str(Path(__file__).resolve().parent.parent / "xindelu"), quiet=1)
