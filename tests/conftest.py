"""Shared test helpers: inline sites in temp dirs (../shared/STYLE.md, "Tests")."""

from __future__ import annotations

import datetime as dt
import shutil
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CONTEST_SITE = REPO / "tests" / "sites" / "contest"


def write_files(root: Path, files: Mapping[str, str | bytes]) -> None:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(textwrap.dedent(data).lstrip("\n"), encoding="utf-8")


@pytest.fixture
def make_site(tmp_path: Path) -> Callable[..., Path]:
    """make_site({"content/articles/a.md": "…"}) → a site root using the repo's site_config.yaml.

    Pass config=... to use another configuration text, example=True to start from the example content.
    """

    def make(
        files: Mapping[str, str | bytes] | None = None, *, config: str | None = None, example: bool = False
    ) -> Path:
        root = tmp_path / "site"
        root.mkdir(exist_ok=True)
        if example:
            shutil.copytree(REPO / "content", root / "content", dirs_exist_ok=True)
        if config is None:
            shutil.copy(REPO / "site_config.yaml", root / "site_config.yaml")
        else:
            (root / "site_config.yaml").write_text(textwrap.dedent(config), encoding="utf-8")
        write_files(root, files or {})
        return root

    return make


def article(
    title: str = "在读原著中悟原理",
    body: str = "学习讲话，重在联系实际。",
    **fields: object,
) -> str:
    """Markdown text of a valid approved article; keyword fields override or add front matter."""
    front = {
        "title": title,
        "author": "张三",
        "unit": "长沙市",
        "category": "学而思",
        "form": "微心得",
        "date": "2026-04-08",
        "status": "approved",
    }
    front.update({k: v for k, v in fields.items()})
    lines = ["---"]
    for key, value in front.items():
        if value is None:
            continue
        lines.append(f"{key}: {value}")
    lines.append("---")
    return "\n".join(lines) + "\n" + body + "\n"


TODAY = dt.date(2026, 11, 1)


def problems(root: Path) -> list[str]:
    """Every error `check` reports for the site at ``root``, formatted as editors see them."""
    from xindelu.build.pipeline import BuildOptions, check

    return [e.format() for e in check(BuildOptions(root=root, today=TODAY)).errors]


def only(root: Path) -> str:
    """The single error `check` reports (fails when there are none or several)."""
    found = problems(root)
    assert len(found) == 1, found
    return found[0]
