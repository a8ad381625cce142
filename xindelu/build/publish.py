"""Build → write → commit, once, for `python build.py`, serve's quick pass and serve's full pass.

The build makes bytes and a MemoDelta; the writer puts the bytes in output/ and only then
returns the next memo. A failed build or write leaves output/ and the memo as they were.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass

from xindelu.build import pipeline
from xindelu.build.memo import Memo
from xindelu.build.writer import WriteStats, staging, write_build
from xindelu.core.errors import ContentError, ContentErrors


@dataclass(frozen=True)
class Published:
    """One build's outcome: the memo to use next (the given one unless something was written)."""

    result: pipeline.BuildResult
    memo: Memo
    stats: WriteStats | None = None  # None: nothing was written
    write_errors: tuple[ContentError, ...] = ()  # the disk refused (full, read-only, no permission)
    dropped: bool = False  # ``still_wanted`` said no: a newer build has written meanwhile

    @property
    def errors(self) -> tuple[ContentError, ...]:
        return self.result.errors or self.write_errors


def build_and_write(
    options: pipeline.BuildOptions,
    memo: Memo,
    changed: frozenset[str] | None = None,
    *,
    save: bool = True,
    writing: Callable[[], AbstractContextManager[object]] = contextlib.nullcontext,
    still_wanted: Callable[[], bool] = lambda: True,
    on_written: Callable[[Memo], None] = lambda memo: None,
) -> Published:
    """Build with ``memo``; write and commit only when the build succeeded.

    ``writing`` is entered around the write (serve's lock); inside it ``still_wanted`` may
    drop the result (serve's full pass, when a save came in while it was building), and
    ``on_written`` receives the new memo before it is left.
    """
    # A first build writes its pages while it makes its PDFs (see writer.Staging); output/ is
    # untouched until the tree is swapped in, as ever.
    with staging(memo) as staged:
        result = pipeline.build(options, memo, changed, stage=staged.put if staged else None)
        if result.errors:
            return Published(result, memo)
        with writing():
            if not still_wanted():
                return Published(result, memo, dropped=True)
            try:
                stats, written = write_build(
                    result.outputs, result.kept, result.delta, result.memo or memo, save, staged
                )
            except ContentErrors as exc:
                return Published(result, memo, write_errors=tuple(exc.errors))
            on_written(written)
    return Published(result, written, stats)
