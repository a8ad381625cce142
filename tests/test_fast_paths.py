"""The shortcuts the speed work took, each proven to give the same bytes as the plain way:
Markdown's plain-text skip and plain-body path, work shared with forked processes (pages and
article files), serve's body-edit fast path and the watcher's classification of a change."""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import nh3
import pytest
from conftest import TODAY, article
from hypothesis import given, settings
from hypothesis import strategies as st
from test_incremental import ARTICLES, Incremental, clean_build, edit, tree

from xindelu.build import pipeline
from xindelu.build.memo import digest
from xindelu.commands.watch import _Debouncer
from xindelu.content.config import load_config
from xindelu.content.load import load_content
from xindelu.core.errors import ContentError, ContentErrors
from xindelu.core.forked import beside, split_map
from xindelu.core.markdown import _TAGS, _plain_html, make_converter, render_markdown
from xindelu.site import model
from xindelu.site import pages as html
from xindelu.site.model import build_site
from xindelu.site.theme import make_env, renderer

# ---------------------------------------------------------------- Markdown's plain-text skip

FAST, PLAIN = make_converter(), make_converter(skip_plain_text=False)
# Chinese text, spaces and newlines, and every character some inline pattern starts with.
MARKDOWN_TEXT = st.text(
    alphabet=st.sampled_from(list("学习讲话精神。，") + list(" \n\t") + list("`\\[]()<>&*_!^{}:#-1.|=\"'/h")),
    max_size=120,
)


def convert(converter, source: str) -> str:
    converter.reset()
    return converter.convert(source)


def test_the_skip_is_installed() -> None:
    assert type(FAST.treeprocessors["inline"]).__name__ == "_PlainTextSkippingInlineProcessor"
    assert type(PLAIN.treeprocessors["inline"]).__name__ == "InlineProcessor"


@settings(max_examples=400, deadline=None)
@given(MARKDOWN_TEXT)
def test_skipping_plain_text_changes_nothing(source: str) -> None:
    assert convert(FAST, source) == convert(PLAIN, source)


@pytest.mark.parametrize(
    "source",
    [
        "一段 **加粗** 和 *强调* 与 `代码`。\n\n纯文字段落。",
        "行尾两个空格  \n换行。",
        "[链接](https://example.org) 与 ![图](a.png) 与 <https://example.org>",
        "脚注[^1]。\n\n[^1]: 注释。",
        "转义 \\* 与实体 &amp; 与 <b>标签</b>",
        "- 列表一\n- 列表 _二_\n\n> 引用\n\n| 表 | 头 |\n|---|---|\n| a | b |\n\n## 标题 {: #h }",
    ],
)
def test_every_inline_feature_still_converts(source: str) -> None:
    assert convert(FAST, source) == convert(PLAIN, source)


# ---------------------------------------------------------------- plain bodies without the parser

# Lines built to sit on the edge of "plain": heading marks, Unicode and ASCII spaces at either
# end, list and rule starts, numbers, and the odd character any processor reacts to.
_LINE_PARTS = st.sampled_from(
    ["学习", "讲话精神", "。", "，", "2026年", "1.", "1)", "一、", "#", "## ", "### ", "####### ", "# ", "##",
     " ", "  ", "\u3000", "\u00a0", "\t", "-", "- ", "=", "+ ", "> ", "*", "_", "|", "[", "]", "<", "&", "{", "}",
     "`", "\\", ":", "!", "---", "===", "\u2028", "\x0c", "\r"]
)  # fmt: skip
PLAIN_BODY = st.lists(st.lists(_LINE_PARTS, max_size=6).map("".join), max_size=10).map("\n".join)
CHINESE_BODY = st.lists(
    st.one_of(
        st.text(alphabet="学习讲话精神调查研究。，、；：“”《》（）！？0123456789abc", min_size=1, max_size=60),
        st.builds(
            lambda level, text: "#" * level + " " + text, st.integers(2, 6), st.text("党的创新理论　", max_size=12)
        ),
        st.just(""),
    ),
    max_size=14,
).map("\n".join)


@settings(max_examples=600, deadline=None)
@given(st.one_of(PLAIN_BODY, CHINESE_BODY))
def test_plain_bodies_get_python_markdowns_bytes(source: str) -> None:
    fast = _plain_html(source)
    if fast is not None:
        assert fast == convert(PLAIN, source)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=30), max_size=6).map("\n\n".join))
def test_the_sanitiser_would_not_change_a_plain_body(source: str) -> None:
    fast = _plain_html(source)
    if fast is not None:
        assert nh3.clean(fast, tags=_TAGS, attributes={}, strip_comments=True) == fast
        assert render_markdown(source).html == fast


def test_the_plain_path_takes_ordinary_articles() -> None:
    body = "## 一、深入学习\n\n　　党员干部深入学习，2026年开展活动120余场。\n第二行。\n\n### 小结\n结束。\n"
    assert _plain_html(body) == convert(PLAIN, body)
    assert _plain_html(body).count("<p>") == 2
    for marked in [
        "一段 **加粗**。",
        "- 列表",
        "1. 第一",
        "> 引用",
        "行尾  \n换行",
        "# 一级",
        "## 标题 {: #h }",
        "a | b",
    ]:
        assert _plain_html(marked) is None, marked


# ---------------------------------------------------------------- pages in two processes


@pytest.fixture
def example(make_site: Callable[..., Path]) -> Path:
    return make_site(example=True)


def _jobs(root: Path):
    config = load_config(root)
    site = build_site(config, load_content(root, config, proofread=False), TODAY)
    env = make_env(root)
    jobs, _, _ = html.page_jobs(site, None, root)
    return jobs, renderer(env, root)


def test_two_processes_render_the_same_bytes_in_the_same_order(example: Path) -> None:
    jobs, render = _jobs(example)
    many = (jobs * (html.PARALLEL_PAGES // len(jobs) + 1))[: html.PARALLEL_PAGES + 7]
    assert len(many) >= html.PARALLEL_PAGES
    assert html.render_jobs(many, render, workers=2) == html.render_jobs(many, render, workers=1)


def test_a_template_error_in_the_other_process_is_reported(example: Path) -> None:
    (example / "layouts/site").mkdir(parents=True)
    (example / "layouts/site/listing.html").write_text(
        '{% extends "base.html" %}{% block main %}{{ nope.x }}{% endblock %}', "utf-8"
    )
    jobs, render = _jobs(example)
    # Only odd-numbered jobs (the other process's) use the broken template.
    many = [jobs[0] if i % 2 == 0 else next(j for j in jobs if j.template == "listing.html") for i in range(700)]
    with pytest.raises(ContentErrors) as raised:
        html.render_jobs(many, render, workers=2)
    assert raised.value.errors[0].path == "layouts/site/listing.html"
    assert "不存在的变量" in raised.value.errors[0].message


def test_keys_and_digests_made_in_the_other_process_are_the_ones_a_rebuild_makes(
    example: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(html, "PARALLEL_PAGES", 2)  # the example's few dozen pages in two processes
    first = Incremental(example, "disk", {"pdf": False})
    first.build()
    written = first.cache.outputs
    pages = {name for name in written if name.endswith(".html")}
    assert len(first.cache.rendered) == len(pages) > 20
    for name in pages:  # each page's digest is that of the bytes on disk
        assert written[name].sha == digest((example / "output" / name).read_bytes()), name
    # A page-by-page rebuild (not the no-change shortcut) computes every key again here: every
    # page that has one (articles and lists) is kept; the few without (home, index pages) are not.
    memo = Incremental(example, "disk", {"pdf": False}).memo
    content = load_content(example, load_config(example), proofread=False)
    site = build_site(load_config(example), content, TODAY)
    jobs, _, run = html.page_jobs(site, memo.pages_before(content.entries), example)
    assert {job.name for job in jobs} == pages - set(run.keys)
    assert len(run.kept) == len(run.keys) > 20
    assert any(name.startswith("site/articles/") for name in run.kept)


def test_related_pieces_chosen_in_two_processes_are_the_same(example: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(example)
    content = load_content(example, config, proofread=False)
    alone = build_site(config, content, TODAY).related.slugs
    monkeypatch.setattr(model, "PARALLEL_RELATED", 2)
    assert build_site(config, content, TODAY).related.slugs == alone
    assert sum(len(found) for found in alone.values()) > len(alone)  # something to compare


def _fails_in_a_child(number: int) -> int:
    if number == 5 and os.getpid() != PARENT:
        raise ContentErrors([ContentError("content/a.md", 3, "坏了", "修好它")])
    if number == 7 and os.getpid() != PARENT:
        raise ValueError("not a content error")
    if number == 9 and os.getpid() != PARENT:
        os._exit(3)
    return number * number


PARENT = os.getpid()


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_split_map_keeps_the_order(workers: int) -> None:
    items = list(range(101))
    results = split_map(lambda n: (n, os.getpid()), items, workers)
    assert [n for n, _ in results] == items
    assert len({pid for _, pid in results}) == workers  # every process did some of the work
    assert results[0][1] == PARENT


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(), max_size=80), st.integers(1, 3))
def test_split_map_is_map_whatever_the_length(items: list[int], workers: int) -> None:
    assert split_map(lambda n: n * 3 + 1, items, workers) == [n * 3 + 1 for n in items]


def test_split_map_reports_what_went_wrong_in_another_process() -> None:
    # Every item fails in the other process (which takes the second chunk whatever the timing).
    with pytest.raises(ContentErrors) as raised:
        split_map(_fails_in_a_child, [5] * 6, 2)
    assert [(e.path, e.line, e.message) for e in raised.value.errors] == [("content/a.md", 3, "坏了")]
    with pytest.raises(RuntimeError, match="ValueError: not a content error"):
        split_map(_fails_in_a_child, [7] * 4, 2)
    with pytest.raises(RuntimeError, match="意外退出（退出码 3）"):
        split_map(_fails_in_a_child, [9] * 4, 2)


def test_beside_runs_in_another_process_and_brings_back_its_result_or_its_error() -> None:
    with beside(lambda: (os.getpid(), [1, "二"])) as result:
        pid, value = result()
    assert pid != PARENT and value == [1, "二"]
    with beside(lambda: os.getpid(), wanted=False) as result:
        assert result() == PARENT  # not wanted: here, when asked
    with pytest.raises(ContentErrors) as raised, beside(lambda: _fails_in_a_child(5)) as result:
        result()
    assert [(e.path, e.line, e.message) for e in raised.value.errors] == [("content/a.md", 3, "坏了")]
    with (
        pytest.raises(RuntimeError, match="ValueError: not a content error"),
        beside(lambda: _fails_in_a_child(7)) as result,
    ):
        result()
    with pytest.raises(RuntimeError, match="意外退出（退出码 3）"), beside(lambda: _fails_in_a_child(9)) as result:
        result()
    # Left without asking (an error on this side): the copy is stopped and reaped, not left running.
    with pytest.raises(KeyError), beside(lambda: time.sleep(30)):
        raise KeyError("here")
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def test_the_pdfs_are_made_beside_the_pages_and_the_issues_beside_the_book(
    make_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`python build.py` makes the PDFs in a forked process while the pages are made, and draws
    the bulletins in another while the book is made; every output is that of a build done one
    step after the other, and an error there is the build's."""
    from xindelu.core import forked

    site = make_site({}, example=True)
    options = pipeline.BuildOptions(site, TODAY, pdf=True)
    log = tmp_path / "beside.log"  # written to by the forked processes too
    real = forked.beside

    def logged(func: Callable, wanted: bool = True):
        with log.open("a", encoding="utf-8") as f:
            f.write(f"{func.__name__} {wanted}\n")
        return real(func, wanted)

    monkeypatch.setattr(forked, "beside", logged)
    side = pipeline.build(options)
    assert not side.errors
    assert {"pdf_outputs True", "issue_pdfs True"} <= set(log.read_text(encoding="utf-8").splitlines())
    monkeypatch.setattr(forked, "beside", lambda func, wanted=True: real(func, wanted=False))
    serial = pipeline.build(options)
    pdfs = sorted(n for n in serial.outputs if n.endswith(".pdf"))
    assert any("bulletin" in n for n in pdfs) and any("anthology" in n for n in pdfs)
    assert side.outputs == serial.outputs

    def untimed(notes: tuple[str, ...]) -> list[str]:
        return [re.sub(r"用时 [0-9.]+ 秒", "", note) for note in notes]

    assert untimed(side.notes) == untimed(serial.notes)
    assert side.delta.keys == serial.delta.keys

    # A broken book template, found in the forked process: the build's error, nothing written.
    monkeypatch.setattr(forked, "beside", real)
    (site / "layouts" / "print").mkdir(parents=True, exist_ok=True)
    (site / "layouts" / "print" / "anthology.html").write_text("{% for x in %}\n", encoding="utf-8")
    broken = pipeline.build(options)
    assert not broken.outputs
    assert [(e.path, e.line) for e in broken.errors] == [("layouts/print/anthology.html", 1)]
    assert "模板语法错误" in broken.errors[0].message
    (site / "layouts" / "print" / "anthology.html").unlink()
    (site / "layouts" / "print" / "bulletin.css").write_text("p {}\n{% if %}\n", encoding="utf-8")

    def no_book(*args: object, **kwargs: object) -> None:
        raise AssertionError("the book is not made when a bulletin template is broken")

    from xindelu.print import anthology

    monkeypatch.setattr(anthology, "anthology_outputs", no_book)  # found before the book starts
    broken = pipeline.build(options)
    assert [(e.path, e.line) for e in broken.errors] == [("layouts/print/bulletin.css", 2)] and not broken.outputs


# ---------------------------------------------------------------- what a body-only edit changes


@pytest.fixture
def site(make_site: Callable[..., Path]) -> Path:
    long_body = "学习讲话精神，要联系实际。" * 20 + "\n\n第二段，学用结合。"
    return make_site(
        {
            f"{ARTICLES}/zz-extra-{i}.md": article(f"补充心得第{i}篇", long_body, date=f"2026-0{i}-15")
            for i in range(1, 6)
        },
        example=True,
    )


def body_edit(root: Path) -> None:
    """An edit past the summary's first 120 字: only the article's own page shows it."""
    edit(root, f"{ARTICLES}/zz-extra-3.md", "第二段，学用结合。", "第二段，学用结合，知行合一。")


def test_a_body_edit_changes_only_its_page_the_feeds_and_the_index(site: Path, tmp_path: Path) -> None:
    """What other pages read of an article (site.theme records it) leaves out its body: proven on clean builds."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    before = tree(clean_build(site, tmp_path / "a", {"pdf": False}))
    body_edit(site)
    after = tree(clean_build(site, tmp_path / "b", {"pdf": False}))
    differing = {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}
    assert "site/articles/zz-extra-3/index.html" in differing
    allowed = {
        "site/articles/zz-extra-3/index.html",
        "site/articles/zz-extra-3/wechat/index.html",  # its 公众号版 carries the body too
        "site/feed.xml",
        "site/category/xue-er-si/feed.xml",
    }
    assert {n for n in differing if not n.startswith("site/search/")} <= allowed


def serve_builder(site: Path) -> Incremental:
    builder = Incremental(site, "memory", {"pdf": False, "quick": True})
    assert not builder.build().errors  # serve's first pass: records and model kept in memory
    return builder


def quick_build(builder: Incremental, changed: set[str]) -> pipeline.BuildResult:
    builder.options = {"pdf": False, "quick": True}
    result = builder.build(frozenset(changed), save=False)
    assert not result.errors, result.errors
    return result


def full_pass_equals_clean(builder: Incremental, site: Path, tmp_path: Path) -> None:
    builder.options = {"pdf": False}
    assert not builder.build().errors
    scratch = tmp_path / "scratch"
    scratch.mkdir(exist_ok=True)
    assert tree(site / "output") == tree(clean_build(site, scratch, {"pdf": False}))


def test_serve_renders_only_the_edited_page_and_the_full_pass_equals_clean(site: Path, tmp_path: Path) -> None:
    builder = serve_builder(site)
    body_edit(site)
    result = quick_build(builder, {f"{ARTICLES}/zz-extra-3.md"})
    assert builder.cache.rendered == [
        "site/articles/zz-extra-3/index.html",
        "site/articles/zz-extra-3/wechat/index.html",
    ]
    assert "知行合一" in result.outputs["site/articles/zz-extra-3/index.html"].decode()
    assert set(result.outputs) <= {
        "site/articles/zz-extra-3/index.html",
        "site/articles/zz-extra-3/wechat/index.html",
        "site/feed.xml",
    } | {n for n in result.outputs if n.endswith("/feed.xml")}
    assert "知行合一" in (site / "output/site/articles/zz-extra-3/index.html").read_text("utf-8")
    # A second edit of the same article takes the fast path again, from the patched model.
    edit(site, f"{ARTICLES}/zz-extra-3.md", "知行合一", "知信行统一")
    quick_build(builder, {f"{ARTICLES}/zz-extra-3.md"})
    assert builder.cache.rendered == [
        "site/articles/zz-extra-3/index.html",
        "site/articles/zz-extra-3/wechat/index.html",
    ]
    assert "知信行统一" in (site / "output/site/articles/zz-extra-3/index.html").read_text("utf-8")
    full_pass_equals_clean(builder, site, tmp_path)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda root: edit(root, f"{ARTICLES}/zz-extra-3.md", "补充心得第3篇", "新标题"), id="title"),
        pytest.param(
            lambda root: edit(
                root,
                f"{ARTICLES}/zz-extra-3.md",
                "学习讲话精神",
                "学习",
            ),
            id="summary",
        ),
        pytest.param(lambda root: edit(root, f"{ARTICLES}/zz-extra-3.md", "学而思", "学而行"), id="category"),
        pytest.param(lambda root: edit(root, f"{ARTICLES}/zz-extra-3.md", "长沙市", "没有的市"), id="error"),
        pytest.param(lambda root: edit(root, f"{ARTICLES}/zz-extra-3.md", "第二段", "![图](no.png)"), id="image"),
    ],
)
def test_anything_but_a_body_edit_takes_the_full_path(site: Path, tmp_path: Path, change) -> None:
    builder = serve_builder(site)
    change(site)
    result = builder.build(frozenset({f"{ARTICLES}/zz-extra-3.md"}), save=False)
    if result.errors:  # the full path reports it, with file and line
        assert all(e.path == f"{ARTICLES}/zz-extra-3.md" for e in result.errors)
        return
    assert len(builder.cache.rendered) > 1  # lists, neighbours …: the full path ran
    full_pass_equals_clean(builder, site, tmp_path)


def test_a_file_the_last_build_did_not_read_takes_the_full_path(site: Path, tmp_path: Path) -> None:
    builder = serve_builder(site)
    (site / ARTICLES / "zz-new.md").write_text(article("新来的一篇", date="2026-06-01"), "utf-8")
    result = builder.build(frozenset({f"{ARTICLES}/zz-new.md"}), save=False)
    assert "site/articles/zz-new/index.html" in result.outputs


def test_a_site_with_its_own_templates_takes_the_full_path(site: Path) -> None:
    (site / "layouts/site").mkdir(parents=True)
    shutil.copy(
        Path(html.__file__).parent.parent.parent / "layouts/site/listing.html", site / "layouts/site/listing.html"
    )
    builder = serve_builder(site)
    body_edit(site)
    builder.build(frozenset({f"{ARTICLES}/zz-extra-3.md"}), save=False)
    assert len(builder.cache.rendered) > 1


# ---------------------------------------------------------------- the watcher's classification


def event(kind: str, src: Path, dest: Path | None = None, directory: bool = False) -> SimpleNamespace:
    return SimpleNamespace(event_type=kind, src_path=str(src), dest_path=str(dest or ""), is_directory=directory)


def classify(root: Path, *events: SimpleNamespace) -> frozenset[str] | None:
    fired: list[frozenset[str] | None] = []
    handler = _Debouncer(root.resolve(), fired.append)
    for e in events:
        handler.on_any_event(e)  # type: ignore[arg-type]
    assert handler.timer is not None
    handler.timer.cancel()
    handler._fire()
    return fired[0]


def test_the_watcher_names_edited_articles_and_nothing_else(tmp_path: Path) -> None:
    a = tmp_path / "content/articles/2026/a.md"
    b = tmp_path / "content/articles/2026/b.md"
    folder = a.parent
    names = frozenset({"content/articles/2026/a.md", "content/articles/2026/b.md"})
    assert classify(tmp_path, event("modified", a), event("closed", a), event("modified", b)) == names
    assert classify(tmp_path, event("modified", folder, directory=True), event("modified", a)) == names - {
        "content/articles/2026/b.md"
    }
    # An editor's atomic save: a temp file renamed over the article.
    assert classify(tmp_path, event("moved", folder / ".a.md.swp", a)) == {"content/articles/2026/a.md"}
    # Anything else: look at everything.
    assert classify(tmp_path, event("modified", a), event("created", b)) is None
    assert classify(tmp_path, event("deleted", a)) is None
    assert classify(tmp_path, event("moved", a, b)) is None
    assert classify(tmp_path, event("modified", tmp_path / "site_config.yaml")) is None
    assert classify(tmp_path, event("modified", tmp_path / "layouts/site/article.html")) is None
    assert classify(tmp_path, event("modified", tmp_path / "content/bulletins/2026-001.yaml")) is None


# ---------------------------------------------------------------- serve's background pass


def test_a_save_never_waits_for_the_background_pass(site: Path, tmp_path: Path, monkeypatch) -> None:
    """The full pass runs on a copy of the cache without the lock; a save during it wins, the
    pass is dropped and runs again; written, it leaves what a clean build leaves."""
    import threading

    from xindelu.build.memo import Memo
    from xindelu.commands.watch import ServeBuilds

    builds = ServeBuilds(pipeline.BuildOptions(site, TODAY, pdf=False), Memo.open(site))
    monkeypatch.setattr(builds, "schedule_full", lambda delay=0: None)  # driven by hand here
    assert builds.quick()[0] == ()  # serve's first pass
    real_build = pipeline.build
    started, release = threading.Event(), threading.Event()

    def slow_build(options, memo=None, changed=None, stage=None):
        if not options.quick:  # the full pass: hold it halfway, as a slow one would
            started.set()
            release.wait(20)
        return real_build(options, memo, changed, stage)

    monkeypatch.setattr(pipeline, "build", slow_build)
    outcome: list[bool] = []
    background = threading.Thread(target=lambda: outcome.append(builds.full()))
    background.start()
    assert started.wait(20)
    body_edit(site)
    errors, written = builds.quick(frozenset({f"{ARTICLES}/zz-extra-3.md"}))  # not blocked by the full pass
    assert errors == () and written >= 1
    release.set()
    background.join(30)
    assert outcome == [False]  # dropped: the save came in meanwhile
    assert builds.full() is True
    assert any(n.startswith("site/search/") for n in builds.memo.outputs)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    assert tree(site / "output") == tree(clean_build(site, scratch, {"pdf": False}))


def test_a_few_pages_render_with_what_existed_before_frozen_out_of_the_collections(
    example: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit renders a few pages, each followed by a collection of the youngest generation:
    what existed before the render is frozen meanwhile (the first collection scanned all of it),
    and thawed after. A large render keeps the first collection, which frees the garbage made
    before it. The bytes are the same either way."""
    import gc

    from xindelu.site.theme import make_env

    config = load_config(example)
    site = build_site(config, load_content(example, config, proofread=False), TODAY)
    seen: list[int] = []
    original = html._render_one
    monkeypatch.setattr(
        html, "_render_one", lambda render, job: seen.append(gc.get_freeze_count()) or original(render, job)
    )
    few = html.render_pages(site, make_env(example), workers=1)
    assert 20 < len(seen) < html.PARALLEL_PAGES
    assert min(seen) > 10_000 and gc.get_freeze_count() == 0
    seen.clear()
    monkeypatch.setattr(html, "PARALLEL_PAGES", 2)
    many = html.render_pages(site, make_env(example), workers=1)
    assert seen and max(seen) == 0 and many.outputs == few.outputs
