"""Site model, theme, media and output writing, on small inline sites."""

from __future__ import annotations

import datetime as dt
import errno
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import TODAY, article

from xindelu.build import pipeline
from xindelu.build import writer as output
from xindelu.build.writer import write_outputs
from xindelu.content.config import load_config
from xindelu.content.load import load_content
from xindelu.core.errors import ContentErrors
from xindelu.site.model import build_site, output_file, page_path, split_base_url


def _site(root: Path, today: dt.date = TODAY, future: bool = False):  # type: ignore[no-untyped-def]
    config = load_config(root)
    content = load_content(root, config)
    assert not content.errors, [e.format() for e in content.errors]
    return build_site(config, content, today, future)


def _articles(n: int, **fields: object) -> dict[str, str]:
    return {
        f"content/articles/a{i:02d}.md": article(f"第{i}篇心得", date=f"2026-03-{i + 1:02d}", **fields)
        for i in range(n)
    }


def test_url_helpers() -> None:
    assert split_base_url("https://example.org/xindelu") == ("https://example.org/xindelu/", "/xindelu/")
    assert split_base_url("https://example.org/") == ("https://example.org/", "/")
    assert page_path("unit/changsha/", 1) == "unit/changsha/"
    assert page_path("unit/changsha/", 3) == "unit/changsha/page/3/"
    assert output_file("") == "index.html"
    assert output_file("articles/a/") == "articles/a/index.html"
    assert output_file("feed.xml") == "feed.xml"


def test_lists_are_sorted_once_and_paginated_by_slicing(make_site: Callable[..., Path]) -> None:
    site = _site(make_site(_articles(30)))
    assert [e.article.slug for e in site.entries][:2] == ["a29", "a28"]  # newest first
    xue = next(c for c in site.categories if c.name == "学而思")
    assert len(xue.pages) == 3 and [len(p.entries) for p in xue.pages] == [12, 12, 6]
    assert xue.pages[0].path == "category/xue-er-si/" and xue.pages[2].path == "category/xue-er-si/page/3/"
    assert xue.pages[0].prev_path is None and xue.pages[0].next_path == "category/xue-er-si/page/2/"
    assert all(e in xue.entries for p in xue.pages for e in p.entries)
    # Every unit has an index, even with no articles, so the overview never links nowhere.
    assert len(site.units) == len(site.config.units)
    assert next(u for u in site.units if u.name == "株洲市").entries == ()
    assert [m.path for m in site.months] == ["archive/2026/03/"]


def test_prev_next_within_category_and_related(make_site: Callable[..., Path]) -> None:
    files = _articles(4)
    files["content/articles/other.md"] = article("别类", category="学而用", unit="株洲市", date="2026-03-02")
    files["content/articles/tagged.md"] = article("同标签", category="学而行", date="2026-01-01", tags="[调查研究]")
    files["content/articles/a00.md"] = article("第0篇心得", date="2026-03-01", tags="[调查研究]")
    site = _site(make_site(files))
    views = {v.entry.article.slug: v for v in site.articles}
    a1 = views["a01"]
    assert a1.prev is not None and a1.prev.article.slug == "a00"  # earlier, same category
    assert a1.next is not None and a1.next.article.slug == "a02"
    assert views["a00"].prev is None and views["a03"].next is None
    assert "other" not in {a1.prev.article.slug, a1.next.article.slug}
    related = [e.article.slug for e in views["a00"].related]
    assert related[0] == "tagged"  # a shared tag (with the unit) outweighs unit and category
    assert len(related) <= 5 and "a00" not in related
    assert all(len(v.related) <= 5 for v in site.articles)


def test_the_related_choice_is_reused_only_while_its_inputs_stand(make_site: Callable[..., Path]) -> None:
    files = _articles(8)
    files["content/articles/tagged.md"] = article("同标签", category="学而行", date="2026-01-01", tags="[调查研究]")
    root = make_site(files)
    config = load_config(root)

    def build(previous=None):  # type: ignore[no-untyped-def]
        return build_site(
            config, load_content(root, config), TODAY, last_related=previous.related if previous else None
        )

    def related(site) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
        return {v.entry.article.slug: [e.article.slug for e in v.related] for v in site.articles}

    first = build()
    (root / "content/articles/a03.md").write_text(article("改了标题", date="2026-03-04"), "utf-8")
    second = build(first)
    assert second.related is first.related  # a title is not an input of the choice
    assert related(second) == related(build())
    shown = {e.article.title for v in second.articles for e in v.related if e.article.slug == "a03"}
    assert shown == {"改了标题"}  # the reused choice points at this build's entries
    (root / "content/articles/a03.md").write_text(article("改了标题", date="2026-03-04", tags="[调查研究]"), "utf-8")
    third = build(second)
    assert third.related is not second.related
    assert related(third) == related(build()) != related(second)


def test_future_and_unapproved_articles_are_not_published(make_site: Callable[..., Path]) -> None:
    root = make_site(
        {
            "content/articles/now.md": article("已发布"),
            "content/articles/later.md": article("将来", date="2027-01-01"),
            "content/articles/sent.md": article("报送中", status="submitted"),
        }
    )
    assert [e.article.slug for e in _site(root).entries] == ["now"]
    assert {e.article.slug for e in _site(root, future=True).entries} == {"now", "later"}
    # The report still counts the submitted piece.
    assert _site(root).report.total.submitted == 3


def test_bulletin_carries_articles_and_award_badges(make_site: Callable[..., Path]) -> None:
    root = make_site(
        {
            "content/articles/a.md": article("甲", award="优秀心得"),
            "content/bulletins/1.yaml": "number: 1\ndate: 2026-05-01\nsections:\n  - name: 经验交流\n    articles: [a]\n",
        }
    )
    site = _site(root)
    view = site.articles[0]
    assert [(b.number, b.path) for b in view.bulletins] == [(1, "bulletins/1/")]
    assert [(b.name, b.path) for b in view.entry.badges] == [("优秀心得", "award/youxiu/")]
    assert site.featured == (view.entry,)
    assert site.bulletins[0].pdf == ""  # no PDF built, no link


def test_theme_override_file_by_file(make_site: Callable[..., Path]) -> None:
    root = make_site(
        {
            "content/articles/a.md": article(),
            "layouts/site/404.html": '{% extends "base.html" %}{% block main %}<h1>走丢了</h1>{% endblock %}',
            "layouts/site/static/site.css": "body { color: black; }",
        }
    )
    result = pipeline.build(pipeline.BuildOptions(root, TODAY, pdf=False))
    assert not result.errors
    assert "走丢了" in result.outputs["site/404.html"].decode()
    assert result.outputs["site/static/site.css"] == b"body { color: black; }"
    assert "site/static/search.js" in result.outputs  # the rest comes from the default theme
    assert "跳到正文" in result.outputs["site/index.html"].decode()


def test_template_errors_name_file_line_and_page(make_site: Callable[..., Path]) -> None:
    root = make_site(
        {
            "content/articles/a.md": article(),
            "layouts/site/page.html": "{% extends 'base.html' %}\n{% block main %}\n{{ view.nothing_here }}\n{% endblock %}\n",
            "content/pages/about.md": "---\ntitle: 关于\n---\n正文\n",
        }
    )
    result = pipeline.build(pipeline.BuildOptions(root, TODAY, pdf=False))
    assert len(result.errors) == 1
    error = result.errors[0]
    assert (error.path, error.line) == ("layouts/site/page.html", 3)
    assert "about/" in error.message and "nothing_here" in error.message
    bad = make_site({"layouts/site/home.html": "{% if %}\n"})
    result = pipeline.build(pipeline.BuildOptions(bad, TODAY, pdf=False))
    assert result.errors[0].path == "layouts/site/home.html" and "模板语法错误" in result.errors[0].message


def test_images_are_copied_and_downscaled_video_copied(make_site: Callable[..., Path]) -> None:
    from PIL import Image

    big = io.BytesIO()
    Image.new("RGB", (2400, 1200), "red").save(big, "PNG")
    root = make_site(
        {
            "content/articles/a.md": article(body="学习。\n\n![现场](photo.png)\n", video="talk.mp4"),
            "content/articles/photo.png": big.getvalue(),
            "content/articles/talk.mp4": b"\x00\x00\x00\x18ftypmp42",
        }
    )
    result = pipeline.build(pipeline.BuildOptions(root, TODAY, pdf=False))
    assert not result.errors, [e.format() for e in result.errors]
    with Image.open(io.BytesIO(result.outputs["site/articles/a/photo.png"])) as image:
        assert image.size == (1200, 600)
    assert result.outputs["site/articles/a/talk.mp4"].startswith(b"\x00\x00\x00\x18ftyp")
    page = result.outputs["site/articles/a/index.html"].decode()
    assert '<video controls preload="metadata" playsinline src="/articles/a/talk.mp4">' in page
    assert 'src="photo.png"' in page


def test_video_url_is_used_as_is(make_site: Callable[..., Path]) -> None:
    root = make_site({"content/articles/a.md": article(video="https://example.org/v.mp4")})
    result = pipeline.build(pipeline.BuildOptions(root, TODAY, pdf=False))
    assert 'src="https://example.org/v.mp4"' in result.outputs["site/articles/a/index.html"].decode()


def test_two_writers_write_every_file_and_report_the_other_ones_disk_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(output, "PARALLEL_WRITES", 10)
    out = tmp_path / "output"
    files = {f"site/articles/a{i:02d}/index.html": f"第{i}篇".encode() for i in range(40)}
    files["site/index.html"] = "首页".encode()
    stats = write_outputs(files, out)
    assert (stats.written, stats.unchanged, stats.removed) == (41, 0, 0)
    assert {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()} == files
    files["site/articles/a00/index.html"] = "改过".encode()
    assert write_outputs(files, out).unchanged == 40

    real_write = output._write_file

    def full_disk(path: str, data: bytes) -> None:
        if path.endswith("a07/index.html"):  # every other file is the forked writer's: this one
            raise OSError(errno.ENOSPC, "No space left on device", path)
        real_write(path, data)

    monkeypatch.setattr(output, "_write_file", full_disk)
    files["site/articles/a07/index.html"] = "又改过".encode()
    with pytest.raises(ContentErrors) as raised:
        write_outputs(files, out)
    assert "磁盘空间不足" in raised.value.errors[0].message
    assert (out / "site/articles/a07/index.html").read_bytes() == "第7篇".encode()  # output/ as it was
    assert [p.name for p in tmp_path.iterdir()] == ["output"]


def test_write_outputs_is_atomic_skips_unchanged_and_prunes(tmp_path: Path) -> None:
    out = tmp_path / "output"
    stats = write_outputs({"site/a.html": b"A", "site/b/c.html": b"C"}, out)
    assert (stats.written, stats.unchanged, stats.removed) == (2, 0, 0)
    before = (out / "site/a.html").stat().st_mtime_ns
    stats = write_outputs({"site/a.html": b"A", "site/d.html": b"D"}, out)
    assert (stats.written, stats.unchanged, stats.removed) == (1, 1, 1)
    assert (out / "site/a.html").stat().st_mtime_ns == before
    assert not (out / "site/b").exists() and (out / "site/d.html").read_bytes() == b"D"

    class Failing(dict):  # the second file cannot be produced: nothing may change on disk
        def __getitem__(self, key: str) -> bytes:
            if key == "site/z.html":
                raise RuntimeError("磁盘出错")
            return super().__getitem__(key)

    with pytest.raises(RuntimeError):
        write_outputs(Failing({"site/a.html": b"new", "site/z.html": b"x"}), out)
    assert sorted(p.name for p in (out / "site").iterdir()) == ["a.html", "d.html"]
    assert (out / "site/a.html").read_bytes() == b"A"  # the previous tree stays as it was
    assert [p.name for p in tmp_path.iterdir()] == ["output"]  # no temp dir left behind
    with pytest.raises(ContentErrors):
        write_outputs({"site/../escape.html": b"x"}, out)
