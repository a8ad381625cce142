"""Map a function over a list in this process and forked copies of it (Linux), in order.

Forked after the inputs are built, the other processes share them without pickling; each
takes every n-th item and sends its results back in pickled batches as it goes, so no side
holds a second copy of its part. This process works on its own share and takes the batches
in between items: a receiving thread would fight it for the GIL while the others waited on
a full pipe (at 10,000 pages both processes sat idle 40% of the time that way).
"""

from __future__ import annotations

import contextlib
import fcntl
import multiprocessing
import os
import pickle
import sys
import traceback
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection, wait
from typing import TypeVar

from .errors import ContentErrors

T = TypeVar("T")
R = TypeVar("R")

BATCH = 16  # results per message: one message per result cost a quarter of the receiver's time
_PIPE_BYTES = 1 << 20  # lets a sender run ahead while this process is busy


def cores(at_most: int) -> int:
    """How many processes a split_map may use here: every core, up to ``at_most``."""
    return min(os.cpu_count() or 1, at_most)


def split_map(func: Callable[[T], R], items: Sequence[T], workers: int) -> list[R]:
    """``[func(x) for x in items]``, with ``workers`` processes in all when that is possible.

    A ContentErrors raised in another process is raised here with the same errors; any other
    failure there becomes a RuntimeError carrying its traceback.
    """
    if workers < 2 or len(items) < 2 * workers or sys.platform != "linux":
        return [func(item) for item in items]
    context = multiprocessing.get_context("fork")
    children, pipes = [], []
    for start in range(1, workers):
        receive, send = context.Pipe(duplex=False)
        with contextlib.suppress(OSError):
            fcntl.fcntl(send.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
        child = context.Process(target=_share, args=(send, func, items, start, workers), daemon=True)
        child.start()
        send.close()
        children.append(child)
        pipes.append(receive)
    parts: list[list[R]] = [[] for _ in range(workers)]
    outcome: dict[int, tuple[bytes, bytes]] = {}
    try:
        mine = parts[0]
        for i in range(0, len(items), workers):
            mine.append(func(items[i]))
            _take(pipes, parts, outcome, timeout=0)
        while len(outcome) < len(pipes):
            _take(pipes, parts, outcome, timeout=None)
    except BaseException:  # an error here, Ctrl-C: the other shares are not needed
        for child in children:
            child.kill()
        raise
    finally:
        for child, pipe in zip(children, pipes, strict=True):
            child.join(5)
            pipe.close()
    for number, child in enumerate(children, 1):
        kind, payload = outcome[number - 1]
        if kind == b"E":
            raise ContentErrors(pickle.loads(payload))
        if kind == b"C":
            raise RuntimeError(f"子进程出错：\n{payload.decode('utf-8', 'replace')}")
        if kind != b"D" or len(parts[number]) != len(range(number, len(items), workers)):
            raise RuntimeError(f"子进程意外退出（退出码 {child.exitcode}）")
    return [parts[i % workers][i // workers] for i in range(len(items))]


def _take(
    pipes: list[Connection], parts: list[list], outcome: dict[int, tuple[bytes, bytes]], timeout: float | None
) -> None:
    """Whatever the other processes have sent: batches ("P"), their end ("D"), an error ("E",
    "C"), or a closed pipe ("X"); ``timeout=None`` waits for at least one message."""
    open_pipes = [pipe for number, pipe in enumerate(pipes) if number not in outcome]
    for pipe in wait(open_pipes, timeout):
        number = pipes.index(pipe)  # type: ignore[arg-type]
        try:
            while True:
                message = pipe.recv_bytes()
                kind, payload = message[:1], message[1:]
                if kind != b"P":
                    outcome[number] = (kind, payload)
                    break
                parts[number + 1].extend(pickle.loads(payload))
                if not pipe.poll():
                    break
        except (EOFError, OSError):
            outcome[number] = (b"X", b"")


def _share(send: Connection, func: Callable, items: Sequence, start: int, step: int) -> None:
    """In a forked process: func over items[start::step], sent in batches as they are done."""
    try:
        batch = []
        for i in range(start, len(items), step):
            batch.append(func(items[i]))
            if len(batch) >= BATCH:
                send.send_bytes(b"P" + pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL))
                batch = []
        if batch:
            send.send_bytes(b"P" + pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL))
        send.send_bytes(b"D")
    except ContentErrors as exc:
        send.send_bytes(b"E" + pickle.dumps(list(exc.errors), protocol=pickle.HIGHEST_PROTOCOL))
    except KeyboardInterrupt:
        return  # the parent is interrupted too and says so
    except BaseException:
        send.send_bytes(b"C" + traceback.format_exc().encode("utf-8"))
    finally:
        send.close()
