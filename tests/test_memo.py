"""The build memo: returned by the build, committed by the write, untouched by failures;
page keys follow what templates read; a PDF is made again only when its inputs changed."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import TODAY, article
from test_incremental import ARTICLES, clean_build, edit, tree

from xindelu.build import pipeline, writer
from xindelu.build.memo import Memo
from xindelu.build.publish import build_and_write
from xindelu.core import layouts
from xindelu.site import pages, theme

OPTIONS = pipeline.BuildOptions


@pytest.fixture
def site(make_site) -> Path:
    long_body = "学习讲话精神，要联系实际。" * 12 + "\n\n第二段，学用结合。"
    files = {
        f"{ARTICLES}/zz-extra-{i}.md": article(f"补充心得第{i}篇", long_body, date=f"2026-0{i}-15") for i in (1, 2, 3)
    }
    return make_site(files, example=True)


def cache_files(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (root / ".cache").glob("*.pickle")}


def test_a_failed_build_or_write_leaves_the_memo_as_it_was(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    options = OPTIONS(site, TODAY, pdf=False)
    first = build_and_write(options, Memo.open(site))
    assert not first.errors and first.memo.outputs
    memo, saved, output = first.memo, cache_files(site), tree(site / "output")
    # A content error: nothing is written, the same memo comes back, .cache/ is as it was.
    edit(site, f"{ARTICLES}/zz-extra-2.md", "unit: 长沙市", "unit: 不存在的市")
    failed = build_and_write(options, memo)
    assert failed.errors and failed.memo is memo and failed.stats is None
    assert cache_files(site) == saved and tree(site / "output") == output
    # A disk that refuses the write: output/ and the memo stay as they were, the error is Chinese.
    edit(site, f"{ARTICLES}/zz-extra-2.md", "unit: 不存在的市", "unit: 长沙市")
    edit(site, f"{ARTICLES}/zz-extra-2.md", "第二段", "第二段改过")

    def full_disk(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writer, "_move_in", full_disk)
    refused = build_and_write(options, memo)
    assert refused.write_errors and "磁盘空间不足" in refused.write_errors[0].message
    assert refused.memo is memo and cache_files(site) == saved and tree(site / "output") == output
    monkeypatch.undo()
    # The memo kept is still good: the next build equals a clean one.
    assert not build_and_write(options, memo).errors
    scratch = site.parent / "scratch"
    scratch.mkdir()
    assert tree(site / "output") == tree(clean_build(site, scratch, {"pdf": False}))


def test_a_body_edit_from_the_command_line_reuses_the_saved_choice_of_related_pieces(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xindelu.site import model

    options = OPTIONS(site, TODAY, pdf=False)
    first = build_and_write(options, Memo.open(site))
    saved = Memo.open(site).related
    assert saved is not None and saved.slugs == first.memo.related.slugs

    def chosen_again(*args: object) -> None:
        raise AssertionError("related pieces chosen again after a body edit")

    monkeypatch.setattr(model, "_related", chosen_again)
    edit(site, f"{ARTICLES}/zz-extra-2.md", "第二段", "第二段改过")
    assert not build_and_write(options, Memo.open(site)).errors
    # The unit is an input of the choice: it is made again, and the result equals a clean build's.
    monkeypatch.undo()
    edit(site, f"{ARTICLES}/zz-extra-2.md", "unit: 长沙市", "unit: 岳阳市")
    again = build_and_write(options, Memo.open(site))
    assert not again.errors and again.memo.related.key != saved.key
    scratch = site.parent / "scratch"
    scratch.mkdir()
    assert tree(site / "output") == tree(clean_build(site, scratch, {"pdf": False}))


def test_a_no_change_build_after_a_checkout_takes_the_stamp_afresh_once(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xindelu.build import memo as memo_module

    options = OPTIONS(site, TODAY, pdf=False)
    for path in site.rglob("*"):  # a fresh checkout: every input younger than the stamp trusts
        os.utime(path)
    first = build_and_write(options, Memo.open(site))
    since = int(first.memo.stamp.partition(":")[0])
    assert first.memo._stamps(options, (since,))[0][1]  # it had to read their bytes
    monkeypatch.setattr(memo_module, "RACY_NS", 0)  # as if they had all grown old enough
    second = build_and_write(options, Memo.open(site))
    assert not second.errors and second.stats is not None and second.stats.written == 0
    assert second.memo.stamp != first.memo.stamp and Memo.open(site).stamp == second.memo.stamp
    since = int(second.memo.stamp.partition(":")[0])
    assert not second.memo._stamps(options, (since,))[0][1]  # the next no-change build stats only
    third = build_and_write(options, Memo.open(site))
    assert third.memo.stamp == second.memo.stamp and third.stats is not None and third.stats.written == 0
    # An edit is still seen.
    edit(site, f"{ARTICLES}/zz-extra-2.md", "第二段", "第二段改过")
    assert build_and_write(options, Memo.open(site)).stats.written > 0


@pytest.fixture
def own_default_theme(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the default theme standing in for it, so that a test may edit its templates."""
    copy = tmp_path / "layouts"
    shutil.copytree(layouts.DEFAULT_LAYOUTS, copy)
    monkeypatch.setattr(layouts, "DEFAULT_LAYOUTS", copy)
    for module in (theme, pages):
        monkeypatch.setattr(module, "DEFAULT_THEME", copy / "site")
    return copy / "site"


def test_a_list_template_that_starts_showing_a_field_is_rerendered_when_it_changes(
    site: Path, own_default_theme: Path
) -> None:
    options = OPTIONS(site, TODAY, pdf=False)
    memo = build_and_write(options, Memo.open(site)).memo
    listing = "site/category/xue-er-si/index.html"
    # An edit past the summary: the lists it is on do not show it, so they are not rendered.
    edit(site, f"{ARTICLES}/zz-extra-3.md", "第二段，学用结合。", "第二段，学用结合，知行合一。")
    memo = build_and_write(options, memo).memo
    assert listing not in memo.rendered and "site/articles/zz-extra-3/index.html" in memo.rendered
    # The list template now shows each piece's 字数 (the article's own-page-only field zi).
    macros = own_default_theme / "_macros.html"
    text = macros.read_text("utf-8")
    shown = "{{ entry.date_zh }}</time>"
    assert shown in text
    macros.write_text(text.replace(shown, shown + "<span class='zi'>{{ a.zi }} 字</span>"), "utf-8")
    memo = build_and_write(options, memo).memo
    assert listing in memo.rendered  # the template changed: every page that uses it
    assert "zi" in memo.reads["listing.html"]
    # Now an edit that changes only 字数 re-renders the lists that show it, and they are right.
    edit(site, f"{ARTICLES}/zz-extra-3.md", "知行合一。", "知行合一，久久为功。")
    memo = build_and_write(options, memo).memo
    assert listing in memo.rendered
    assert not any(name.startswith("site/category/xue-er-xin/") for name in memo.rendered)
    scratch = site.parent / "scratch"
    scratch.mkdir()
    assert tree(site / "output") == tree(clean_build(site, scratch, {"pdf": False}))


def test_a_changed_bulletin_article_remakes_that_bulletin_only(site: Path) -> None:
    shutil.rmtree(site / "content/anthology")  # the book holds most pieces; this is about bulletins
    options = OPTIONS(site, TODAY, pdf=True)
    memo = build_and_write(options, Memo.open(site)).memo
    pdfs = sorted(name for name in memo.outputs if name.endswith(".pdf"))
    assert pdfs == [
        "print/bulletin-1.pdf",
        "print/bulletin-2.pdf",
        "site/bulletins/1/bulletin-1.pdf",
        "site/bulletins/2/bulletin-2.pdf",
    ]
    first = os.stat(site / "output/print/bulletin-1.pdf")
    # An article of issue 2 only.
    edit(site, f"{ARTICLES}/gan-shi-yao-you-yi-gu-ren-jin.md", "。", "，久久为功。")
    memo = build_and_write(options, Memo.open(site)).memo
    assert sorted(n for n in memo.rendered if n.endswith(".pdf")) == [
        "print/bulletin-2.pdf",
        "site/bulletins/2/bulletin-2.pdf",
    ]
    again = os.stat(site / "output/print/bulletin-1.pdf")
    assert (again.st_ino, again.st_mtime_ns) == (first.st_ino, first.st_mtime_ns)
    # Nothing changed: no PDF is made again.
    memo = build_and_write(options, Memo.open(site)).memo
    assert not [n for n in memo.rendered if n.endswith(".pdf")]
    scratch = site.parent / "scratch"
    scratch.mkdir()
    clean = clean_build(site, scratch, {"pdf": True})
    assert (site / "output/print/bulletin-2.pdf").read_bytes() == (clean / "print/bulletin-2.pdf").read_bytes()


def test_the_saved_output_entries_read_back_as_written_and_still_check_the_files(site: Path) -> None:
    options = OPTIONS(site, TODAY, pdf=False)
    written = build_and_write(options, Memo.open(site)).memo
    reopened = Memo.open(site)
    assert dict(reopened.outputs) == dict(written.outputs) and len(reopened.outputs) > 20
    name, entry = next(iter(written.outputs.items()))
    assert reopened.outputs[name].sha == entry.sha and name in reopened.outputs and "nope" not in reopened.outputs
    assert reopened.all_intact() and written.all_intact()
    # A file changed behind the build's back is seen through the saved entries as through the written ones.
    path = site / "output" / name
    path.write_bytes(path.read_bytes() + b" ")
    assert not reopened.all_intact() and not written.all_intact()
    assert not build_and_write(options, reopened).errors and Memo.open(site).all_intact()


def test_a_kept_file_given_a_key_keeps_its_entry_and_takes_the_key(tmp_path: Path) -> None:
    from xindelu.build.memo import MemoDelta, OutputEntry

    (tmp_path / "output" / "site").mkdir(parents=True)
    page = tmp_path / "output" / "site" / "a.html"
    page.write_bytes(b"<p>a</p>")
    stat = page.stat()
    memo = Memo(tmp_path, outputs={"site/a.html": OutputEntry("", stat.st_size, stat.st_mtime_ns, "sha-a")})
    stats, new = writer.write_build({}, frozenset({"site/a.html"}), MemoDelta(keys={"site/a.html": "key-1"}), memo)
    assert new.outputs["site/a.html"] == OutputEntry("key-1", stat.st_size, stat.st_mtime_ns, "sha-a")
    assert (stats.written, stats.unchanged, stats.removed) == (0, 1, 0) and page.read_bytes() == b"<p>a</p>"
