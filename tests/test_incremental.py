"""Incremental builds: after every kind of change the output tree equals a clean build's, byte for byte.

A clean build runs in a fresh directory with no cache; the incremental one reuses the site's
`.cache/` (as `python build.py` does, reopened from disk) or one Memo kept in memory
(as `serve` does). Then: how much a one-article edit re-renders.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import TODAY, article

from xindelu.build import pipeline
from xindelu.build.memo import Memo
from xindelu.build.publish import build_and_write
from xindelu.build.writer import write_outputs

ARTICLES = "content/articles/2026"
# zz-extra-3: 学而思, 微心得, 长沙市, 2026-03
LISTS_OF_EXTRA_3 = ("site/category/xue-er-si/", "site/form/wei-xin-de/", "site/unit/changsha/", "site/archive/2026/03/")


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def folders(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_dir()}


def clean_build(root: Path, scratch: Path, options: dict) -> Path:
    """The same inputs built from scratch in a fresh directory, without any cache."""
    fresh = scratch / f"clean-{len(list(scratch.iterdir()))}"
    fresh.mkdir()
    for name in ("content", "layouts"):
        if (root / name).is_dir():
            shutil.copytree(root / name, fresh / name)
    shutil.copy(root / "site_config.yaml", fresh / "site_config.yaml")
    result = pipeline.build(pipeline.BuildOptions(fresh, TODAY, **options))
    assert not result.errors, result.errors
    write_outputs(result.outputs, fresh / "output")
    return fresh / "output"


class Incremental:
    def __init__(self, root: Path, mode: str, options: dict) -> None:
        self.root, self.mode, self.options = root, mode, options
        self.memo = Memo.open(root)

    @property
    def cache(self) -> Memo:
        return self.memo

    def build(self, changed: frozenset[str] | None = None, save: bool = True) -> pipeline.BuildResult:
        if self.mode == "disk":  # a new process each time: the memo comes from .cache/
            self.memo = Memo.open(self.root)
        options = pipeline.BuildOptions(self.root, TODAY, **self.options)
        published = build_and_write(options, self.memo, changed, save=save)
        self.memo = published.memo
        return published.result


def append(root: Path, name: str, text: str) -> None:
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    with open(root / name, "a", encoding="utf-8") as handle:
        handle.write(text)


def edit(root: Path, name: str, old: str, new: str) -> None:
    path = root / name
    path.write_text(path.read_text("utf-8").replace(old, new, 1), "utf-8")


@pytest.fixture
def site(make_site: Callable[..., Path]) -> Path:
    return make_site(
        {
            f"{ARTICLES}/zz-extra-{i}.md": article(f"补充心得第{i}篇", f"第{i}篇正文，学用结合。", date=f"2026-0{i}-15")
            for i in range(1, 6)
        },
        example=True,
    )


STEPS: list[tuple[str, Callable[[Path], None]]] = [
    ("nothing", lambda root: None),
    ("body edit", lambda root: edit(root, f"{ARTICLES}/zz-extra-3.md", "学用结合", "知行合一，学用结合")),
    # Same size, same second: the stamp alone cannot see it, the hash must.
    ("same-size edit", lambda root: edit(root, f"{ARTICLES}/zz-extra-3.md", "第3篇", "第叁篇")),
    ("title edit", lambda root: edit(root, f"{ARTICLES}/zz-extra-2.md", "补充心得第2篇", "改过标题的心得")),
    ("category", lambda root: edit(root, f"{ARTICLES}/zz-extra-4.md", "学而思", "学而行")),
    ("date", lambda root: edit(root, f"{ARTICLES}/zz-extra-1.md", "2026-01-15", "2026-10-30")),
    (
        "add",
        lambda root: (root / ARTICLES / "zz-new.md").write_text(article("新来的一篇", date="2026-06-01"), "utf-8"),
    ),
    ("delete", lambda root: (root / ARTICLES / "zz-extra-5.md").unlink()),
    ("rename", lambda root: (root / ARTICLES / "zz-new.md").rename(root / ARTICLES / "zz-renamed.md")),
    ("to submitted", lambda root: edit(root, f"{ARTICLES}/zz-extra-2.md", "approved", "submitted")),
    (
        "template override",
        lambda root: (
            (root / "layouts/site").mkdir(parents=True)
            or (root / "layouts/site/article.html").write_text(
                (Path(pipeline.__file__).parent.parent.parent / "layouts/site/article.html")
                .read_text("utf-8")
                .replace("上一篇", "前一篇"),
                "utf-8",
            )
        ),
    ),
    ("body edit under override", lambda root: edit(root, f"{ARTICLES}/zz-extra-3.md", "知行合一", "知信行统一")),
    ("template edit", lambda root: edit(root, "layouts/site/article.html", "前一篇", "上一篇（改）")),
    ("template removed", lambda root: shutil.rmtree(root / "layouts")),
    ("config", lambda root: edit(root, "site_config.yaml", "全省党员干部学习心得交流专栏", "全省学习心得专栏")),
    ("page edit", lambda root: append(root, "content/pages/about.md", "\n补充一段说明。\n")),
    ("bulletin edit", lambda root: edit(root, "content/bulletins/2026-002.yaml", "微心得6篇", "微心得六篇")),
    (
        "bulletin section",
        lambda root: edit(root, "content/bulletins/2026-002.yaml", "xin-yang-shi-zui-ying-de-gu-tou]", "zz-extra-3]"),
    ),
    # zz-extra-3 is now in issue 2: a body edit must reach the 公众号版 as well.
    ("body edit of an issue's piece", lambda root: edit(root, f"{ARTICLES}/zz-extra-3.md", "知信行统一", "知信行合一")),
    ("today's article back", lambda root: edit(root, f"{ARTICLES}/zz-extra-2.md", "submitted", "approved")),
    ("static asset", lambda root: append(root, "layouts/site/static/site.css", "\n/* 改 */\n")),
]


@pytest.mark.parametrize("mode", ["disk", "memory"])
def test_incremental_equals_clean_after_every_change(site: Path, tmp_path: Path, mode: str) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    options = {"pdf": False}
    builder = Incremental(site, mode, options)
    assert not builder.build().errors
    for label, change in STEPS:
        change(site)
        result = builder.build()
        assert not result.errors, (label, result.errors)
        expected = clean_build(site, scratch, options)
        got = tree(site / "output")
        want = tree(expected)
        assert sorted(got) == sorted(want), label
        assert [name for name in want if got[name] != want[name]] == [], label
        assert folders(site / "output") == folders(expected), label


def test_failed_build_leaves_output_and_cache_usable(site: Path, tmp_path: Path) -> None:
    builder = Incremental(site, "disk", {"pdf": False})
    builder.build()
    before = tree(site / "output")
    edit(site, f"{ARTICLES}/zz-extra-3.md", "unit: 长沙市", "unit: 不存在的市")
    assert builder.build().errors
    assert tree(site / "output") == before
    edit(site, f"{ARTICLES}/zz-extra-3.md", "unit: 不存在的市", "unit: 长沙市")
    assert not builder.build().errors
    assert tree(site / "output") == tree(clean_build(site, tmp_path, {"pdf": False}))


def test_output_touched_by_hand_is_repaired(site: Path, tmp_path: Path) -> None:
    builder = Incremental(site, "disk", {"pdf": False})
    builder.build()
    page = site / "output/site/articles/zz-extra-1/index.html"
    page.write_text("被手工改坏了", "utf-8")
    (site / "output/site/index.html").unlink()
    assert not builder.build().errors
    assert tree(site / "output") == tree(clean_build(site, tmp_path, {"pdf": False}))


def test_one_body_edit_renders_its_page_and_lists_not_unrelated_articles(site: Path) -> None:
    builder = Incremental(site, "memory", {"pdf": False})
    builder.build()
    total = len([n for n in builder.cache.outputs if n.endswith(".html")])
    edit(site, f"{ARTICLES}/zz-extra-3.md", "学用结合", "知行合一，学用结合")
    result = builder.build()
    rendered = set(builder.cache.rendered)
    assert "site/articles/zz-extra-3/index.html" in rendered
    # Its neighbours' prev/next and related lists show only titles: unchanged, not rendered.
    # Its 公众号版 carries the body: rendered with it.
    articles = {n for n in rendered if n.startswith("site/articles/")}
    assert articles == {"site/articles/zz-extra-3/index.html", "site/articles/zz-extra-3/wechat/index.html"}
    # Lists it appears in show its summary (the body's first words): re-rendered.
    for listing in LISTS_OF_EXTRA_3:  # on whichever page of the list it is
        assert any(n.startswith(listing) for n in rendered), (listing, rendered)
    assert not any(n.startswith(("site/category/xue-er-xin/", "site/unit/hengyang/")) for n in rendered)
    assert len(rendered) < total // 3, (len(rendered), total)
    assert "site/articles/zz-extra-1/index.html" not in result.outputs


def test_no_change_rebuild_loads_nothing(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("xindelu.build.memo.RACY_NS", 0)  # trust stamps at once (the files were just written)
    builder = Incremental(site, "disk", {"pdf": False})
    builder.build()
    calls = []
    monkeypatch.setattr(pipeline, "check", lambda *a, **k: calls.append(1))
    result = builder.build()
    assert calls == [] and result.outputs == {} and result.kept
    again = builder.build()  # a no-change build must leave the cache able to skip the next one too
    assert calls == [] and again.outputs == {} and again.kept


def test_pdfs_built_then_not_are_removed_like_a_clean_build(site: Path, tmp_path: Path) -> None:
    builder = Incremental(site, "disk", {"pdf": True})
    assert not builder.build().errors
    assert any(n.endswith(".pdf") for n in tree(site / "output"))
    builder.options = {"pdf": False}
    assert not builder.build().errors
    assert tree(site / "output") == tree(clean_build(site, tmp_path, {"pdf": False}))


def test_serve_quick_pass_keeps_index_then_full_pass_equals_clean(site: Path, tmp_path: Path) -> None:
    builder = Incremental(site, "memory", {"pdf": False})
    builder.build()
    index = {n: b for n, b in tree(site / "output").items() if n.startswith("site/search/s/")}
    edit(site, f"{ARTICLES}/zz-extra-3.md", "学用结合", "知行合一，学用结合")
    builder.options = {"pdf": False, "quick": True}
    result = builder.build()
    assert not any(n.startswith("site/search/s/") for n in result.outputs)
    assert {n: b for n, b in tree(site / "output").items() if n.startswith("site/search/s/")} == index
    builder.options = {"pdf": False}
    assert any(n.startswith("site/search/s/") for n in builder.build().outputs)
    assert tree(site / "output") == tree(clean_build(site, tmp_path, {"pdf": False}))
