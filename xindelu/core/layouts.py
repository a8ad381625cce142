"""Where templates and styles come from: a site's own ``layouts/<kind>/`` over the default."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

DEFAULT_LAYOUTS = Path(__file__).resolve().parent.parent.parent / "layouts"


def layout_dirs(root: Path, kind: str) -> list[Path]:
    """A site's own ``layouts/<kind>/`` first (file-by-file override), then the default one."""
    own = (root / "layouts" / kind).resolve()
    default = DEFAULT_LAYOUTS / kind
    return [own, default] if own.is_dir() and own != default else [default]


def shown_template(filename: str | None, dirs: Sequence[Path], fallback: str) -> str:
    """A template file as editors know it, ``layouts/<kind>/…``, whether it is the site's own
    or the default (``dirs`` from layout_dirs); ``fallback`` when no file is named."""
    if not filename:
        return fallback
    path = Path(filename).resolve()
    for folder in dirs:
        if path.is_relative_to(folder):
            return path.relative_to(folder.parent.parent).as_posix()
    return path.as_posix()
