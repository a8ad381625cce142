"""Safe output (issue 8): a failed build leaves output/ exactly as it was and says what failed;
two builds of the same input are byte-identical whatever the clock, listing order or process pool.
"""

from __future__ import annotations

import builtins
import datetime as dt
import errno
import io
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import REPO, TODAY

from xindelu.build.pipeline import BuildOptions, build
from xindelu.build.writer import write_outputs
from xindelu.commands import cli

Snapshot = dict[str, tuple[bytes, int, int]]


def snapshot(out_dir: Path) -> Snapshot:
    """Every file under ``out_dir``: bytes, mtime and inode, so "exactly as it was" means it."""
    return {
        p.relative_to(out_dir).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_ino)
        for p in sorted(out_dir.rglob("*"))
        if p.is_file()
    }


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith(".output"))


@pytest.fixture
def built(make_site) -> tuple[Path, Snapshot]:
    """The example site, built once (pages only); a changed title so the next build must rewrite files."""
    root = make_site(example=True)
    assert cli.main(["build", "--root", str(root), "--no-pdf"]) == 0
    article = next((root / "content/articles").rglob("*.md"))
    article.write_text(article.read_text("utf-8").replace("title: ", "title: 新", 1), encoding="utf-8")
    return root, snapshot(root / "output")


def run_build(root: Path, capsys) -> tuple[int, str]:
    code = cli.main(["build", "--root", str(root), "--no-pdf"])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def assert_untouched(root: Path, before: Snapshot) -> None:
    assert snapshot(root / "output") == before
    assert leftovers(root) == []


def test_bad_template_syntax_leaves_output_and_names_the_template(built, capsys):
    root, before = built
    (root / "layouts/site").mkdir(parents=True)
    (root / "layouts/site/listing.html").write_text("{% extends 'base.html' %}\n{% block main %}\n{% if %}\n", "utf-8")
    code, err = run_build(root, capsys)
    assert code == 1
    assert "layouts/site/listing.html:3: 模板语法错误" in err
    assert "生成 " in err and "没有生成任何文件，output/ 保持原样。" in err
    assert_untouched(root, before)


def test_template_runtime_error_names_file_line_and_page(built, capsys):
    root, before = built
    (root / "layouts/site").mkdir(parents=True)
    (root / "layouts/site/article.html").write_text(
        "{% extends 'base.html' %}\n{% block main %}\n<h1>{{ view.entry.article.title }}</h1>\n"
        "{{ view.entry.article.no_such_field }}\n{% endblock %}\n",
        "utf-8",
    )
    code, err = run_build(root, capsys)
    assert code == 1
    line = next(x for x in err.splitlines() if x.startswith("layouts/site/article.html:"))
    assert line.startswith("layouts/site/article.html:4: 用到了不存在的变量或属性：")
    assert "no_such_field" in line and "（生成 articles/" in line
    assert_untouched(root, before)


def test_exception_mid_render_leaves_output(built, capsys, monkeypatch):
    import xindelu.site.pages

    def broken_feed(*args, **kwargs):
        raise RuntimeError("渲染到一半出错")

    monkeypatch.setattr(xindelu.site.pages, "atom_feed", broken_feed)
    code, err = run_build(*built[:1], capsys)
    assert code == 70
    assert "内部错误：RuntimeError: 渲染到一半出错" in err and "output/ 没有写一半" in err
    assert_untouched(built[0], built[1])


def failing_write(monkeypatch, exception: BaseException, after: int, where: str) -> None:
    """Opening a file for writing raises ``exception`` once ``after`` files under ``where`` were opened.

    Hooked at io.open (Path.write_bytes, open(), os.fdopen after mkstemp all go through it), so the
    injection holds whichever way the writer writes.
    """
    real_open = io.open
    count = {"n": 0}

    def guarded(file, mode="r", *args, **kwargs):
        if any(flag in mode for flag in "wax+") and (isinstance(file, int) or where in os.fspath(file)):
            count["n"] += 1
            if count["n"] > after:
                raise exception
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(io, "open", guarded)
    monkeypatch.setattr(builtins, "open", guarded)


def test_ctrl_c_while_writing_leaves_output(built, capsys, monkeypatch):
    root, before = built
    failing_write(monkeypatch, KeyboardInterrupt(), after=3, where=str(root))
    code, err = run_build(root, capsys)
    assert code == 130
    assert err.startswith("已中断。output/ 没有写一半")
    assert_untouched(root, before)


def test_full_disk_leaves_output_and_says_so(built, capsys, monkeypatch):
    root, before = built
    failing_write(monkeypatch, OSError(errno.ENOSPC, "No space left on device"), after=3, where=str(root))
    code, err = run_build(root, capsys)
    assert code == cli.EXIT_WRITE == 74
    assert err.splitlines()[0] == (
        "output/: 写出文件失败：磁盘空间不足（No space left on device）；output/ 保持上一次的内容，未作任何改动"
        " — 请腾出磁盘空间或检查文件夹权限后重新生成"
    )
    assert_untouched(root, before)
    monkeypatch.undo()
    assert run_build(root, capsys)[0] == 0  # once there is room, the next build goes through
    assert leftovers(root) == []


def test_failure_in_the_final_swap_puts_the_previous_tree_back(built, capsys, monkeypatch):
    root, before = built
    real = os.replace
    calls = {"n": 0}

    def replace(src, dst):
        calls["n"] += 1
        if calls["n"] == 2:  # old tree moved aside, new tree about to move in
            raise OSError(errno.EIO, "Input/output error")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    code, err = run_build(root, capsys)
    assert code == 74 and "磁盘读写出错" in err
    assert_untouched(root, before)


def test_a_half_built_output_can_never_be_seen(tmp_path, monkeypatch):
    """At every write, output/ is either absent (first build) or the complete previous tree."""
    out = tmp_path / "output"
    write_outputs({f"site/{i}.html": b"old" for i in range(20)}, out)
    real_open = io.open
    seen = []

    def guarded(file, mode="r", *args, **kwargs):
        if "w" in mode:
            seen.append(sorted(real_open(p, "rb").read() for p in (out / "site").iterdir()))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(io, "open", guarded)
    monkeypatch.setattr(builtins, "open", guarded)
    write_outputs({f"site/{i}.html": b"new" for i in range(20)}, out)
    assert seen and all(files == [b"old"] * 20 for files in seen)
    assert sorted(p.read_bytes() for p in (out / "site").iterdir()) == [b"new"] * 20


# ---------------------------------------------------------------- reproducible builds

# A second build in another interpreter: another root, hash seed and time zone, the clock a year and
# a bit ahead, directory listings reversed, articles loaded over the process pool.
OTHER_BUILD = textwrap.dedent(
    """
    import datetime, os, sys, time
    from pathlib import Path

    SHIFT = 400 * 86400 + 12345
    real_time, real_time_ns = time.time, time.time_ns
    time.time = lambda: real_time() + SHIFT
    time.time_ns = lambda: real_time_ns() + SHIFT * 10**9
    for name in ("localtime", "gmtime", "ctime"):
        real = getattr(time, name)
        setattr(time, name, lambda secs=None, _real=real: _real(time.time() if secs is None else secs))

    class ShiftedDateTime(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return super().now(tz) + datetime.timedelta(seconds=SHIFT)

        @classmethod
        def utcnow(cls):
            return super().utcnow() + datetime.timedelta(seconds=SHIFT)

        @classmethod
        def today(cls):
            return cls.now()

        def __repr__(self):  # the datetime repr, not the subclass's name (pdf.py hashes repr(metadata))
            text = super().__repr__()
            return "datetime.datetime" + text[text.index("(") :]

    datetime.datetime = ShiftedDateTime

    real_scandir, real_listdir = os.scandir, os.listdir

    class Reversed:
        def __init__(self, path="."):
            self.entries = sorted(real_scandir(path), key=lambda e: e.name, reverse=True)

        def __iter__(self):
            return self

        def __next__(self):  # os.walk calls next() on scandir's result, as on the real iterator
            if not self.entries:
                raise StopIteration
            return self.entries.pop(0)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def close(self):
            pass

    os.scandir = Reversed
    os.listdir = lambda path=".": sorted(real_listdir(path), reverse=True)

    import xindelu.content.load
    from xindelu.build.writer import write_outputs
    from xindelu.build.pipeline import BuildOptions, build

    xindelu.content.PARALLEL_THRESHOLD = 1
    root = Path(sys.argv[1])
    result = build(BuildOptions(root, datetime.date(2026, 11, 1), pdf=sys.argv[2] == "pdf"))
    assert not result.errors, [e.format() for e in result.errors]
    write_outputs(result.outputs, root / "output")
    """
)


def tree(out_dir: Path) -> dict[str, bytes]:
    return {p.relative_to(out_dir).as_posix(): p.read_bytes() for p in sorted(out_dir.rglob("*")) if p.is_file()}


def other_build(root: Path, pdf: bool) -> None:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env.update(PYTHONHASHSEED="12345", TZ="America/New_York", PYTHONPATH=str(REPO))
    run = subprocess.run(
        [sys.executable, "-c", OTHER_BUILD, str(root), "pdf" if pdf else "pages"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        cwd=root,
    )
    assert run.returncode == 0, run.stderr[-2000:]


def copy_example(base: Path) -> Path:
    import shutil

    base.mkdir(parents=True)
    shutil.copy(REPO / "site_config.yaml", base / "site_config.yaml")
    shutil.copytree(REPO / "content", base / "content")
    return base


def test_two_clean_builds_are_byte_identical(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first = copy_example(tmp_path / "first")
    second = copy_example(tmp_path / "elsewhere" / "second")
    for root in (first, second):  # the templates too, as in a clone of the repository: their path differs
        shutil.copytree(REPO / "layouts", root / "layouts")
    result = build(BuildOptions(first, TODAY, pdf=True))
    assert not result.errors, [e.format() for e in result.errors]
    write_outputs(result.outputs, first / "output")
    other_build(second, pdf=True)
    a, b = tree(first / "output"), tree(second / "output")
    kinds = {name.rsplit(".", 1)[-1] for name in a}
    assert {"html", "xml", "pdf", "bin", "json", "css"} <= kinds
    assert "site/feed.xml" in a and "site/sitemap.xml" in a
    assert sorted(a) == sorted(b)
    differing = [name for name in a if a[name] != b[name]]
    assert differing == []


# ---------------------------------------------------------------- a first build's staged tree


def files(out_dir: Path) -> dict[str, bytes]:
    return {p.relative_to(out_dir).as_posix(): p.read_bytes() for p in out_dir.rglob("*") if p.is_file()}


def test_a_first_build_writes_its_pages_while_its_pdfs_are_made(make_site, monkeypatch):
    """The pages and the search index go into the new tree before the PDFs come back, and the
    PDFs join them at the end: each file written once, the tree a whole write makes."""
    from xindelu.build import writer

    root = make_site(example=True)
    placed: list[str] = []
    real = writer._place

    def place(outputs, tmp, out_dir, old, made, name):
        placed.append(name)
        return real(outputs, tmp, out_dir, old, made, name)

    monkeypatch.setattr(writer, "_place", place)
    noon = dt.datetime(TODAY.year, TODAY.month, TODAY.day, 4, tzinfo=dt.UTC)  # in China: TODAY, as below
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(noon.timestamp())))
    assert cli.main(["build", "--root", str(root)]) == 0
    pdfs = [i for i, name in enumerate(placed) if name.endswith(".pdf")]
    others = [i for i, name in enumerate(placed) if not name.endswith(".pdf")]
    # A whole write goes in name order: print/*.pdf first. Staged, the PDFs come last.
    assert len(pdfs) >= 3 and others and min(pdfs) > max(others)
    assert len(placed) == len(set(placed))
    assert leftovers(root) == []
    monkeypatch.setattr(writer, "_place", real)  # SOURCE_DATE_EPOCH stays: it dates the PDFs too
    whole = root.parent / "whole" / "output"
    write_outputs(build(BuildOptions(root, TODAY)).outputs, whole)
    assert files(root / "output") == files(whole)


def test_a_staged_tree_is_dropped_when_it_differs_or_its_writing_failed(tmp_path, monkeypatch):
    from xindelu.build import writer

    out = tmp_path / "output"
    outputs = {"site/a/index.html": b"<p>a</p>", "site/b.html": b"b", "print/book.pdf": b"%PDF-1.7"}
    staged = writer.Staging(out)
    staged.put({"site/a/index.html": b"<p>a</p>", "site/b.html": b"b, before an edit"})
    stats = write_outputs(outputs, out, staged)
    assert files(out) == outputs and stats.written == 3 and leftovers(tmp_path) == []

    # Staged files with the bytes of the current tree are hard links to it, counted unchanged.
    inode = (out / "site/a/index.html").stat().st_ino
    staged = writer.Staging(out)
    staged.put({"site/a/index.html": b"<p>a</p>", "site/b.html": b"b2"})
    stats = write_outputs({**outputs, "site/b.html": b"b2"}, out, staged)
    assert (stats.written, stats.unchanged) == (1, 2)
    assert (out / "site/a/index.html").stat().st_ino == inode and (out / "site/b.html").read_bytes() == b"b2"
    assert leftovers(tmp_path) == []

    # A disk that refuses the staging: it is dropped, and the write at the end does it all.
    other = tmp_path / "other" / "output"
    other.parent.mkdir()
    failing_write(monkeypatch, OSError(errno.ENOSPC, "No space left on device"), after=1, where=str(other.parent))
    staged = writer.Staging(other)
    staged.put(outputs)
    assert staged.tmp is None and leftovers(other.parent) == []
    monkeypatch.undo()
    write_outputs(outputs, other, staged)
    assert files(other) == outputs and leftovers(other.parent) == []


def test_a_build_failing_after_its_pages_were_staged_leaves_nothing(make_site, capsys, monkeypatch):
    from xindelu.build import pipeline, writer
    from xindelu.core.errors import ContentError, ContentErrors

    root = make_site(example=True)
    staged: list[int] = []
    real_put = writer.Staging.put

    def put(self, outputs):
        staged.append(len(outputs))
        real_put(self, outputs)

    def no_font(*args, **kwargs):
        raise ContentErrors([ContentError("site_config.yaml", 0, "没有可用的中文字体", "请安装中文字体")])

    monkeypatch.setattr(writer.Staging, "put", put)
    monkeypatch.setattr(pipeline, "render_pdfs", no_font)
    assert cli.main(["build", "--root", str(root)]) == cli.EXIT_CONTENT
    err = capsys.readouterr().err
    assert "没有可用的中文字体" in err and "Traceback" not in err
    assert staged and staged[0] > 100  # the pages had been staged when the PDFs failed
    assert not (root / "output").exists() and leftovers(root) == []
