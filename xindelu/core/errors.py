"""Content errors: where a problem is, what it is and how to fix it, in Chinese.

Problems are collected, never raised one at a time, so an editor sees every
problem of a run at once (../shared/DESIGN.md §5).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class ContentError:
    """One problem in one file. ``line`` is 1-based; 0 when the whole file is meant."""

    path: str
    line: int
    message: str
    hint: str = ""
    warning: bool = False

    def format(self) -> str:
        place = f"{self.path}:{self.line}" if self.line else self.path
        text = f"{place}: {self.message}"
        if self.hint:
            text += f" — {self.hint}"
        return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


# Control characters quoted from a file (a NUL in a slug, an escape sequence) must not reach the terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class ContentErrors(Exception):
    """Raised by a phase that cannot go on; carries every problem it found."""

    def __init__(self, errors: list[ContentError]) -> None:
        super().__init__("\n".join(e.format() for e in errors))
        self.errors = errors
