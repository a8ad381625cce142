"""Digests and file stamps: what decides whether something must be made again."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent
# A stamp younger than this when it was recorded may hide a same-size edit in the same tick.
RACY_NS = 2_000_000_000


def digest(data: bytes) -> str:
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()


@cache
def code_version() -> str:
    """Every source file of the package and of the default theme: a new program starts cold."""
    h = hashlib.sha1(usedforsecurity=False)
    for base in (PACKAGE, PACKAGE.parent / "layouts"):
        for file in sorted(base.rglob("*")):
            if file.is_file() and "__pycache__" not in file.parts:
                h.update(file.relative_to(base).as_posix().encode() + b"\0" + file.read_bytes())
    return h.hexdigest()


def tree_digest(folders: list[Path]) -> str:
    """Names and bytes of every file under ``folders`` (a site's own templates and assets)."""
    h = hashlib.sha1(usedforsecurity=False)
    for base in folders:
        h.update(str(base).encode() + b"\0")
        if base.is_dir():
            for file in sorted(base.rglob("*")):
                if file.is_file():
                    h.update(file.relative_to(base).as_posix().encode() + b"\0" + file.read_bytes())
    return h.hexdigest()
