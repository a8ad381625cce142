"""Map a function over a list in this process and forked copies of it (Linux), in order.

Forked after the inputs are built, the other processes share them without pickling. Each
process takes the list in chunks, the next free one from a shared counter, so that none
waits at the end for another's leftover share (this one also receives the others' results,
and with every n-th item each it finished a tenth of the time after them). Results go back
in pickled batches as they are done, so no side holds a second copy of its part. This
process works on its own chunks and takes the batches in between items: a receiving thread
would fight it for the GIL while the others waited on a full pipe (at 10,000 pages both
processes sat idle 40% of the time that way).
"""

from __future__ import annotations

import contextlib
import fcntl
import multiprocessing
import os
import pickle
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection, wait
from typing import Any, TypeVar

from xindelu.core.errors import ContentErrors

T = TypeVar("T")
R = TypeVar("R")

CHUNK = 16  # items per claim and per message: one message per result cost a quarter of the receiver's time
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
    size = max(1, min(CHUNK, len(items) // (4 * workers)))
    chunks = [(start, min(start + size, len(items))) for start in range(0, len(items), size)]
    # Process k starts on chunk k (each does some of the work, whatever the timing), then claims.
    claims = _Claims(context, first_free=workers)
    children, pipes = [], []
    for number in range(1, workers):
        receive, send = context.Pipe(duplex=False)
        with contextlib.suppress(OSError):
            fcntl.fcntl(send.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
        child = context.Process(target=_share, args=(send, func, items, chunks, number, claims), daemon=True)
        child.start()
        send.close()
        children.append(child)
        pipes.append(receive)
    results: list[Any] = [None] * len(items)
    done: set[int] = set()
    outcome: dict[int, tuple[bytes, bytes]] = {}
    try:
        chunk = 0
        while chunk < len(chunks):
            start, stop = chunks[chunk]
            for i in range(start, stop):
                results[i] = func(items[i])
                _take(pipes, chunks, results, done, outcome, timeout=0)
            done.add(chunk)
            chunk = claims.next()
        while len(outcome) < len(pipes):
            _take(pipes, chunks, results, done, outcome, timeout=None)
    except BaseException:  # an error here, Ctrl-C: the other shares are not needed
        for child in children:
            child.kill()
        raise
    finally:
        for child, pipe in zip(children, pipes, strict=True):
            child.join(5)
            pipe.close()
    for number, child in enumerate(children):
        kind, payload = outcome[number]
        if kind != b"D":
            raise _failure(kind, payload, child.exitcode)
    if len(done) != len(chunks):
        raise RuntimeError(f"子进程少交回 {len(chunks) - len(done)} 批结果")
    return results


class _Claims:
    """The next chunk nobody has taken, counted in memory the forked processes share."""

    def __init__(self, context: Any, first_free: int) -> None:
        self._next = context.RawValue("q", first_free)
        self._lock = context.Lock()

    def next(self) -> int:
        with self._lock:
            taken = self._next.value
            self._next.value = taken + 1
        return taken


def _take(
    pipes: list[Connection],
    chunks: list[tuple[int, int]],
    results: list,
    done: set[int],
    outcome: dict[int, tuple[bytes, bytes]],
    timeout: float | None,
) -> None:
    """Whatever the other processes have sent: a chunk's results ("P"), their end ("D"), an
    error ("E", "C"), or a closed pipe ("X"); ``timeout=None`` waits for at least one message."""
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
                chunk, batch = pickle.loads(payload)
                start, stop = chunks[chunk]
                results[start:stop] = batch
                done.add(chunk)
                if not pipe.poll():
                    break
        except (EOFError, OSError):
            outcome[number] = (b"X", b"")


def _share(
    send: Connection, func: Callable, items: Sequence, chunks: list[tuple[int, int]], chunk: int, claims: _Claims
) -> None:
    """In a forked process: func over chunk after chunk, each sent back as it is done."""

    def work(chunk: int) -> None:
        while chunk < len(chunks):
            start, stop = chunks[chunk]
            batch = [func(items[i]) for i in range(start, stop)]
            send.send_bytes(b"P" + pickle.dumps((chunk, batch), protocol=pickle.HIGHEST_PROTOCOL))
            chunk = claims.next()
        send.send_bytes(b"D")

    _answer(send, lambda: work(chunk))


def _answer(send: Connection, work: Callable[[], None]) -> None:
    """In a forked process: ``work()``, which sends its results; an error is sent instead
    ("E": the ContentErrors' errors, "C": any other failure's traceback), see _failure."""
    try:
        work()
    except ContentErrors as exc:
        send.send_bytes(b"E" + pickle.dumps(list(exc.errors), protocol=pickle.HIGHEST_PROTOCOL))
    except KeyboardInterrupt:
        return  # the parent is interrupted too and says so
    except BaseException:
        send.send_bytes(b"C" + traceback.format_exc().encode("utf-8"))
    finally:
        send.close()


def _failure(kind: bytes, payload: bytes, exitcode: int | None) -> Exception:
    """What a forked process's last message says went wrong, to raise here (see _answer)."""
    if kind == b"E":
        return ContentErrors(pickle.loads(payload))
    if kind == b"C":
        return RuntimeError(f"子进程出错：\n{payload.decode('utf-8', 'replace')}")
    return RuntimeError(f"子进程意外退出（退出码 {exitcode}）")


@contextlib.contextmanager
def beside(func: Callable[[], R], wanted: bool = True) -> Iterator[Callable[[], R]]:
    """Within the block, ``func()`` runs in a forked copy of this process (Linux, when
    ``wanted``; otherwise here, when asked); the function yielded waits for its result.

    As in split_map, a ContentErrors raised there is raised here with the same errors, and any
    other failure becomes a RuntimeError carrying its traceback. A block left without asking
    (an error here) stops the copy.
    """
    if not wanted or sys.platform != "linux":
        yield func
        return
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    # Not a daemon: the copy may fork processes of its own (the book's chunk workers beside
    # the pages). The block's end reaps or stops it either way.
    child = context.Process(target=_run_beside, args=(send, func), daemon=False)
    child.start()
    send.close()
    answer: list[bytes] = []

    def result() -> R:
        if not answer:
            try:
                answer.append(receive.recv_bytes())
            except (EOFError, OSError):
                answer.append(b"X")
        kind, payload = answer[0][:1], answer[0][1:]
        if kind == b"R":
            return pickle.loads(payload)
        child.join(5)
        raise _failure(kind, payload, child.exitcode)

    try:
        yield result
    finally:
        if not answer:
            child.kill()
        child.join(5)
        receive.close()


def _run_beside(send: Connection, func: Callable[[], Any]) -> None:
    _answer(send, lambda: send.send_bytes(b"R" + pickle.dumps(func(), protocol=pickle.HIGHEST_PROTOCOL)))
