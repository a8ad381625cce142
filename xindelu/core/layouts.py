"""Where templates and styles come from: a site's own ``layouts/<kind>/`` over the default."""

from __future__ import annotations

from pathlib import Path

DEFAULT_LAYOUTS = Path(__file__).resolve().parent.parent.parent / "layouts"


def layout_dirs(root: Path, kind: str) -> list[Path]:
    """A site's own ``layouts/<kind>/`` first (file-by-file override), then the default one."""
    own = (root / "layouts" / kind).resolve()
    default = DEFAULT_LAYOUTS / kind
    return [own, default] if own.is_dir() and own != default else [default]
