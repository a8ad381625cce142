"""How a build treats Python's cycle collector.

A build allocates millions of objects that live until it ends (records, the model, pages).
Each full pass of the cycle collector walks all of them and frees nothing; at 10,000
articles those passes cost seconds (a third of writing output/). Reference counting still
frees everything else at once, and the collector runs again as soon as the phase is over.
Used as ``with cycle_collection_paused():`` or as a decorator, ``@cycle_collection_paused()``.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def cycle_collection_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextlib.contextmanager
def objects_frozen(when: bool = True) -> Iterator[None]:
    """Within the block (``when``), every object that exists now is left out of collections:
    with the collector paused, the first collection of the youngest generation would walk them all."""
    if not when:
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def frozen_now() -> bool:
    """Leave every object that exists now out of collections until ``gc.unfreeze()``; False,
    and nothing done, when objects are frozen already (objects_frozen around).

    For a process that built a large state with the collector paused (a library imported, its
    fonts loaded) and goes on: the first collection after the pause would walk all of it, as
    the youngest generation. Unfrozen, the objects go back to the oldest one."""
    if gc.get_freeze_count():
        return False
    gc.freeze()
    return True
