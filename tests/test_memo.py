"""The build memo: returned by the build, committed by the write, untouched by failures;
page keys follow what templates read; a PDF is made again only when its inputs changed."""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

import pytest
from conftest import TODAY, article
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
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
    return {p.name: p.read_bytes() for p in (root / ".cache").glob("*.pickle*")}


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


# ------------------------------------------------------------ the journaled articles and search memo


def test_an_edit_appends_to_the_articles_journal_and_reads_back_as_a_clean_save(site: Path) -> None:
    from xindelu.build.memo import ARTICLES_FILE, JOURNAL_LOG

    options = OPTIONS(site, TODAY, pdf=False)
    assert not build_and_write(options, Memo.open(site)).errors
    base = site / ".cache" / ARTICLES_FILE
    before = base.stat()
    edit(site, f"{ARTICLES}/zz-extra-2.md", "第二段", "第二段改过")
    edited = build_and_write(options, Memo.open(site))
    assert not edited.errors
    after = base.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns), "rewritten"
    assert Path(str(base) + JOURNAL_LOG).stat().st_size < before.st_size // 8
    reopened = Memo.open(site)
    assert dict(reopened.articles) == dict(edited.memo.articles)
    assert reopened.previous_search() == edited.memo.loaded_search
    # The next edit reuses every other article from base and log: only its own is parsed again.
    edit(site, f"{ARTICLES}/zz-extra-1.md", "第二段", "第二段也改过")
    again = pipeline.build(options, reopened)
    assert not again.errors and again.delta.articles is not None and again.memo is not None
    used = again.memo.articles  # what the build was given: the memo as checked (Memo.checked)
    parsed = {path for path in used if again.delta.articles[path] is not used[path]}
    assert parsed == {f"{ARTICLES}/zz-extra-1.md"}


def test_the_search_memo_is_journaled_through_the_memo(tmp_path: Path) -> None:
    """A large site's index has 64 groups: an edit re-encodes one, and only it is appended."""
    from xindelu.build.memo import JOURNAL_LOG, SEARCH_FILE, MemoDelta
    from xindelu.site.search import SearchMemo

    groups = {g: (f"key{g}", (bytes(2000),)) for g in range(64)}
    docs = {f"a{i}": ("doc", i) for i in range(500)}
    Memo(tmp_path, loaded_search=SearchMemo((64, 512), groups, docs)).save()
    base = tmp_path / ".cache" / SEARCH_FILE
    written = base.stat().st_mtime_ns
    read = Memo(tmp_path)  # nothing but the search memo was saved
    previous = read.previous_search()
    assert previous == SearchMemo((64, 512), groups, docs)
    changed = SearchMemo((64, 512), {**groups, 5: ("new", (bytes(10),))}, {**docs, "a7": ("doc", -7)})
    read.committed(MemoDelta(search=changed), {}).save(before=read)
    assert base.stat().st_mtime_ns == written and Path(str(base) + JOURNAL_LOG).exists()
    assert Memo(tmp_path).previous_search() == changed


def _tables(seed: int, size: int) -> tuple[dict, dict]:
    return {f"a{i}": (seed if i % 7 == 0 else 0, "文" * i) for i in range(size)}, {
        i: bytes([i % 251]) for i in range(size)
    }


def test_a_journal_cut_short_reads_up_to_its_last_whole_frame_and_is_then_folded(tmp_path: Path) -> None:
    from xindelu.build.memo import JOURNAL_LOG, _load_journaled, _save_journaled

    path = tmp_path / "memo.pickle"
    first = _tables(1, 200)
    _save_journaled(path, "h1", first)
    second = (dict(first[0], a3=("改", "过")), first[1])
    _save_journaled(path, "h2", second, _load_journaled(path))
    log = Path(str(path) + JOURNAL_LOG)
    whole = log.stat().st_size
    third = (dict(second[0], a5=("再", "改")), {k: v for k, v in second[1].items() if k != 9})
    _save_journaled(path, "h3", third, _load_journaled(path))
    assert _load_journaled(path)[:3] == ("h3", third, True)
    with open(log, "r+b") as handle:  # a crash in the middle of the last append
        handle.truncate(log.stat().st_size - 5)
    loaded = _load_journaled(path)
    assert loaded[:3] == ("h2", second, False)
    assert log.stat().st_size > whole
    base = path.stat().st_mtime_ns
    _save_journaled(path, "h4", third, loaded)  # after a cut frame, the base is written anew
    assert not log.exists() and path.stat().st_mtime_ns != base
    assert _load_journaled(path)[:3] == ("h4", third, True)


def test_a_log_left_from_an_older_base_is_not_read(tmp_path: Path) -> None:
    from xindelu.build.memo import JOURNAL_LOG, _load_journaled, _save_journaled

    path = tmp_path / "memo.pickle"
    first = _tables(1, 100)
    _save_journaled(path, "h1", first)
    _save_journaled(path, "h2", (dict(first[0], a1=("x", "y")), first[1]), _load_journaled(path))
    stale_log = Path(str(path) + JOURNAL_LOG).read_bytes()
    fresh = _tables(2, 100)
    _save_journaled(path, "h3", fresh)  # a new base (its own token)
    Path(str(path) + JOURNAL_LOG).write_bytes(stale_log)
    assert _load_journaled(path)[:3] == ("h3", fresh, False)


def test_a_large_change_writes_a_new_base(tmp_path: Path) -> None:
    from xindelu.build.memo import JOURNAL_LOG, _load_journaled, _save_journaled

    path = tmp_path / "memo.pickle"
    _save_journaled(path, "h1", _tables(1, 100))
    changed = _tables(2, 100)  # every 7th entry: more than an eighth of them
    _save_journaled(path, "h2", changed, _load_journaled(path))
    assert not Path(str(path) + JOURNAL_LOG).exists()
    assert _load_journaled(path)[:3] == ("h2", changed, True)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(
        st.lists(st.tuples(st.integers(0, 40), st.one_of(st.none(), st.text(max_size=3))), max_size=6),
        min_size=1,
        max_size=12,
    )
)
def test_any_sequence_of_saves_reads_back_as_the_last_state(tmp_path_factory, steps) -> None:
    """The oracle is the dict itself: after any edits, saved through base and log, reading
    the file gives exactly the last state (None in a step deletes the key)."""
    from xindelu.build.memo import _load_journaled, _save_journaled

    path = tmp_path_factory.mktemp("journal") / "memo.pickle"
    state = {k: f"v{k}" for k in range(40)}
    _save_journaled(path, 0, (state,))
    for number, step in enumerate(steps, 1):
        state = dict(state)
        for key, value in step:
            if value is None:
                state.pop(key, None)
            else:
                state[key] = value
        _save_journaled(path, number, (state,), _load_journaled(path))
        assert _load_journaled(path)[:3] == (number, (state,), True)


@dataclasses.dataclass(frozen=True)
class _Encoded:
    """Pickled as bytes made for the pickle (as an Article's body): the pickler keeps them to its end."""

    text: str

    def __reduce__(self) -> tuple:
        return _Encoded.decoded, (self.text.encode("utf-8"),)

    @staticmethod
    def decoded(data: bytes) -> _Encoded:
        return _Encoded(data.decode("utf-8"))


def test_a_base_is_pickled_in_parts_so_its_writing_holds_little_memory(tmp_path: Path) -> None:
    """A pickler holds all it writes until its end: 85 MB of articles and search memo at once,
    at the top of a cold build's memory, when each file was one pickle."""
    import tracemalloc

    from xindelu.build.memo import _load_journaled, _save_journaled

    table = {f"a{i}": _Encoded("文" * 3_000 + str(i)) for i in range(2_000)}  # each made 9 KB of bytes to pickle
    path = tmp_path / "memo.pickle"
    tracemalloc.start()
    try:
        _save_journaled(path, "head", (table,))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8_000_000, peak
    assert _load_journaled(path)[:3] == ("head", (table,), True)


def test_an_article_pickles_without_leaving_a_utf8_copy_of_its_body(site: Path) -> None:
    """Pickle keeps the UTF-8 form of each string it writes on the string (CPython): the body is
    encoded by the record itself, which leaves no copy (34 MB at 10,000 articles)."""
    import pickle
    import sys

    from xindelu.content.config import load_config
    from xindelu.content.load import load_content

    article = load_content(site, load_config(site)).articles[0]
    body = article.body_html
    size = sys.getsizeof(body)
    assert pickle.loads(pickle.dumps(article, protocol=pickle.HIGHEST_PROTOCOL)) == article
    assert sys.getsizeof(body) == size
    pickle.dumps(body, protocol=pickle.HIGHEST_PROTOCOL)  # what pickle does to a string it writes
    assert sys.getsizeof(body) > size


def test_a_base_written_anew_by_another_build_is_not_appended_to(tmp_path: Path) -> None:
    """Read by one build, then rewritten by another (serve's pass beside the CLI): the first
    build's changes are not a frame of the new base, which it never read; it writes its own."""
    from xindelu.build.memo import JOURNAL_LOG, _load_journaled, _save_journaled

    path = tmp_path / "memo.pickle"
    first = _tables(1, 100)
    _save_journaled(path, "h1", first)
    read = _load_journaled(path)
    other = _tables(2, 100)
    _save_journaled(path, "other", other)  # another build's new base
    mine = (dict(first[0], a1=("x", "y")), first[1])
    _save_journaled(path, "mine", mine, read)
    assert not Path(str(path) + JOURNAL_LOG).exists()
    assert _load_journaled(path)[:3] == ("mine", mine, True)


def test_a_memo_of_another_configuration_or_release_is_not_read_into_memory(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a change to site_config.yaml every article is parsed again, and after an upgrade
    the search index is made from scratch: the old records are then not read (they stayed in
    memory to the end of the build: 50 MB at 10,000 articles). The related choice is read
    from the head alone. The next build reuses what this one saved."""
    from xindelu.build import memo as memo_module

    options = OPTIONS(site, TODAY, pdf=False)
    assert not build_and_write(options, Memo.open(site)).errors
    read = []
    original = memo_module._read_journaled
    monkeypatch.setattr(
        memo_module,
        "_read_journaled",
        lambda path, entries: read.append((path.name, entries)) or original(path, entries),
    )
    config = site / "site_config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("”心得录\n", "”心得汇编\n", 1), encoding="utf-8")
    changed = build_and_write(options, Memo.open(site))
    assert not changed.errors
    assert ("articles.pickle", True) not in read and ("articles.pickle", False) in read
    scratch = site.parent / "scratch"
    scratch.mkdir()
    assert tree(site / "output") == tree(clean_build(site, scratch, {"pdf": False}))
    # Saved anew: the next build's memo has the new configuration's articles, and reads them.
    read.clear()
    edit(site, f"{ARTICLES}/zz-extra-2.md", "第二段", "第二段改过")
    reopened = Memo.open(site)
    again = pipeline.build(options, reopened)
    assert not again.errors and ("articles.pickle", True) in read
    used = again.memo.articles  # the memo the build was given, as checked (Memo.checked)
    assert {p for p in used if again.delta.articles[p] is not used[p]} == {f"{ARTICLES}/zz-extra-2.md"}
    # Another release: the search memo's head says so, and its groups are not read.
    read.clear()
    monkeypatch.setattr(memo_module, "code_version", lambda: "another release")
    assert Memo(site).previous_search() is None
    assert read == [("search.pickle", False)]


def test_a_no_change_check_stats_most_outputs_in_a_forked_copy_and_sees_any_change(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The forked copy checks the last FORKED_SHARE of the files, this process the rest and the
    inputs: a file changed in either share, or an input changed, means a build; the copy is
    never left behind."""
    from xindelu.build import memo as memo_module

    options = OPTIONS(site, TODAY, pdf=False)
    assert not build_and_write(options, Memo.open(site)).errors
    assert not build_and_write(options, Memo.open(site)).errors  # the stamp of files old enough
    monkeypatch.setattr(memo_module, "FORKED_CHECK_FROM", 2)
    forks = []
    fork = os.fork
    monkeypatch.setattr(memo_module.os, "fork", lambda: forks.append(1) or fork())
    memo = Memo.open(site)
    stamp = memo.unchanged_stamp(options)  # "since:digest" (since moves on while files are young)
    assert stamp is not None and (memo.unchanged_and_intact(options) or "").split(":")[1] == stamp.split(":")[1]
    assert forks
    names = list(memo.outputs)
    split = int(len(names) * (1 - memo_module.FORKED_SHARE))
    for name in (names[0], names[split - 1], names[split], names[-1]):
        path = site / "output" / name
        kept = path.stat()
        os.utime(path, ns=(kept.st_atime_ns, kept.st_mtime_ns + 1))
        assert Memo.open(site).unchanged_and_intact(options) is None, name
        # The build that follows knows which file it was, and asks the disk no more.
        found = Memo.open(site).checked(options)
        assert not found.unchanged and found.memo.broken == {name}
        assert not found.memo.intact(name) and found.memo.intact(names[1 if name == names[0] else 0])
        os.utime(path, ns=(kept.st_atime_ns, kept.st_mtime_ns))
    assert Memo.open(site).unchanged_and_intact(options) is not None
    gone = site / "output" / names[-1]
    gone.unlink()
    edit(site, f"{ARTICLES}/zz-extra-2.md", "第二段", "第二段改过")
    found = Memo.open(site).checked(options)
    assert not found.unchanged and found.memo.broken == {names[-1]}
    assert (
        found.stamp == found.memo.input_stamp(options)
        or found.stamp.split(":")[1] == (found.memo.input_stamp(options).split(":")[1])
    )  # the stamp saved with the build that follows: the inputs as they are now
    assert not build_and_write(options, Memo.open(site)).errors
    assert gone.exists() and Memo.open(site).all_intact()  # the file found gone is made again
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no copy left running or unreaped


def test_templates_compiled_once_are_kept_by_the_memo_and_compiled_again_when_they_change(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build after an edit renders with the templates an earlier build compiled (the memo
    keeps Jinja's bytecode); a template whose source changed is compiled anew and shows the
    change; a memo of another release is not used."""
    import jinja2

    from xindelu.build import memo as memo_module

    options = OPTIONS(site, TODAY, pdf=False)
    assert not build_and_write(options, Memo.open(site)).errors
    assert Memo.open(site).templates()
    compiled: list[str | None] = []
    original = jinja2.Environment.compile
    monkeypatch.setattr(
        jinja2.Environment,
        "compile",
        lambda self, source, name=None, *args, **kw: compiled.append(name) or original(self, source, name, *args, **kw),
    )
    edit(site, f"{ARTICLES}/zz-extra-2.md", "第二段", "第二段改过")
    edited = build_and_write(options, Memo.open(site))
    assert not edited.errors and edited.memo.rendered and compiled == []
    scratch = site.parent / "scratch"
    scratch.mkdir()
    assert tree(site / "output") == tree(clean_build(site, scratch, {"pdf": False}))
    # The site's own article template: compiled for this build, and its change is on the page.
    theme = site / "layouts" / "site"
    theme.mkdir(parents=True)
    shutil.copy(layouts.DEFAULT_LAYOUTS / "site" / "article.html", theme / "article.html")
    text = (theme / "article.html").read_text("utf-8")
    (theme / "article.html").write_text(text.replace("</article>", "<p>本站自定</p></article>", 1), "utf-8")
    compiled.clear()
    assert not build_and_write(options, Memo.open(site)).errors
    assert "article.html" in compiled
    page = next((site / "output" / "site" / "articles").glob("*/index.html")).read_text("utf-8")
    assert "本站自定" in page
    compiled.clear()
    edit(site, f"{ARTICLES}/zz-extra-2.md", "第二段改过", "第二段又改")
    assert not build_and_write(options, Memo.open(site)).errors and compiled == []
    monkeypatch.setattr(memo_module, "code_version", lambda: "another release")
    assert Memo(site).templates() == {}
