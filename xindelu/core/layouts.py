"""Where templates and styles come from: a site's own ``layouts/<kind>/`` over the default."""

from __future__ import annotations

from pathlib import Path

DEFAULT_LAYOUTS = Path(__file__).resolve().parent.parent.parent / "layouts"


def layout_dirs(root: Path, kind: str) -> list[Path]:
    """A site's own ``layouts/<kind>/`` first (file-by-file override), then the default one."""
    own = (root / "layouts" / kind).resolve()
    default = DEFAULT_LAYOUTS / kind
    return [own, default] if own.is_dir() and own != default else [default]


def shown_template(filename: str | None, name: str, dirs: list[Path], kind: str) -> str:
    """Where a template error is, as an editor knows the file: ``layouts/<kind>/…`` for a
    site's own template (``dirs`` from layout_dirs), the full path of a default one; ``name``
    when the error names no file."""
    if not filename:
        return f"layouts/{kind}/{name}"
    path = Path(filename).resolve()
    if len(dirs) > 1 and path.is_relative_to(dirs[0]):
        return f"layouts/{kind}/{path.relative_to(dirs[0]).as_posix()}"
    return filename
