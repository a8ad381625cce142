"""Pictures in articles reach the anthology (one document and chunked) and the bulletin.

An article's body names its pictures relative to its own folder; the books are set far from
that folder, so the pictures travel as xdl-site: URLs read from the site. Checked from the
PDFs: the image is embedded with its pixels, a replaced picture (same name) changes the
book even when its chunks come from the cache, and two checkouts give identical bytes.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

import pdfplumber
import PIL.Image
from conftest import TODAY, article
from test_anthology import SMALL_BOOK

from xindelu.build.pipeline import BuildOptions, build
from xindelu.content.config import load_config
from xindelu.content.load import load_content
from xindelu.print.anthology import print_layout_dirs, render_anthology
from xindelu.print.bulletin import bulletin_outputs
from xindelu.print.pdf import print_body, site_files_digest, site_images

RED, BLUE = (200, 30, 30), (30, 30, 200)
ENV = {"SOURCE_DATE_EPOCH": ""}


def _png(color: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    PIL.Image.new("RGB", (60, 30), color).save(out, "PNG")
    return out.getvalue()


def _site(make_site) -> Path:
    body = "学习讲话，重在联系实际。\n\n![调研现场](pics/red.png)\n\n知行合一是根本。"
    return make_site(
        {
            "content/articles/2026/a.md": article(body=body, slug="a"),
            "content/articles/2026/pics/red.png": _png(RED),
            "content/articles/b.md": article(title="调研要走到田埂头", slug="b"),
            "content/anthology/anthology.yaml": SMALL_BOOK,
            "content/bulletins/001.yaml": """
                number: 1
                date: 2026-05-12
                sections:
                  - name: 经验交流
                    articles: [a, b]
            """,
        }
    )


def _images(data: bytes) -> list[tuple[int, tuple[int, int], tuple[int, int, int]]]:
    """(page, size, colour of the middle pixel) of every image drawn in the PDF (poppler's pdfimages:
    WeasyPrint shares one resource dictionary among all pages, so it sees what is painted)."""
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "in.pdf").write_bytes(data)
        subprocess.run(["pdfimages", "-p", "-png", "in.pdf", "img"], cwd=tmp, check=True)
        found = []
        for file in sorted(Path(tmp).glob("img-*.png")):
            with PIL.Image.open(file) as picture:
                rgb = picture.convert("RGB")
                found.append((int(file.name.split("-")[1]), rgb.size, rgb.getpixel((30, 15))))
    return found


def _book(root: Path, **kwargs) -> bytes:
    config = load_config(root)
    content = load_content(root, config)
    assert not content.errors, [e.format() for e in content.errors]
    layouts = print_layout_dirs(root)
    return render_anthology(config, content, "screen", layouts, environ=ENV, root=root, **kwargs).data


def test_site_images_name_pictures_by_their_place_in_the_site() -> None:
    html = '<p><img alt="x" src="pics/a b.png"><img src="https://e.org/x.png"><img src="/abs.png"></p>'
    fixed = site_images(html, "content/articles/2026/a.md")
    assert 'src="xdl-site:content/articles/2026/pics/a%20b.png"' in fixed
    assert 'src="https://e.org/x.png"' in fixed and 'src="/abs.png"' in fixed
    assert site_images("<p>无图</p>", "content/a.md") == "<p>无图</p>"
    assert 'src="xdl-site:content/up.png"' in site_images('<img src="../up.png">', "content/articles/a.md")


def test_site_files_digest_follows_the_bytes_and_refuses_paths_outside(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "p.png").write_bytes(b"one")
    html = '<img src="xdl-site:content/p.png">'
    first = site_files_digest(html, tmp_path)
    (tmp_path / "content" / "p.png").write_bytes(b"two")
    assert site_files_digest(html, tmp_path) != first
    assert site_files_digest("<p>x</p>", tmp_path) == ""
    (tmp_path.parent / "secret.png").write_bytes(b"s")
    outside = site_files_digest('<img src="xdl-site:../secret.png">', tmp_path)
    assert outside == site_files_digest('<img src="xdl-site:../secret.png">', None)  # read as missing


def test_anthology_embeds_the_picture_in_both_editions(make_site) -> None:
    root = _site(make_site)
    result = build(BuildOptions(root=root, today=TODAY))
    assert not result.errors, [e.format() for e in result.errors]
    for path in ("print/ce-shi-print.pdf", "site/anthology/ce-shi.pdf"):
        images = _images(result.outputs[path])
        assert [size for _, size, _ in images] == [(60, 30)], path
        (colour,) = [colour for _, _, colour in images]
        if path.startswith("print/"):  # made CMYK through the output profile: about the same red
            assert all(abs(a - b) <= 12 for a, b in zip(colour, RED, strict=True)), colour
        else:
            assert colour == RED


def test_chunked_anthology_embeds_the_picture_and_notices_when_it_is_replaced(make_site, tmp_path: Path) -> None:
    root = _site(make_site)
    cache = tmp_path / "cache"
    whole = _book(root, chunk_articles=0)
    chunked = _book(root, chunk_articles=1, cache_dir=cache)
    assert [colour for *_, colour in _images(whole)] == [RED]
    assert _images(chunked) == _images(whole)
    (root / "content/articles/2026/pics/red.png").write_bytes(_png(BLUE))  # same name, new picture
    again = _book(root, chunk_articles=1, cache_dir=cache)
    assert [colour for *_, colour in _images(again)] == [BLUE]
    assert _book(root, chunk_articles=0) != whole


def test_bulletin_embeds_the_picture_and_is_the_same_in_any_checkout(make_site, tmp_path: Path) -> None:
    root = _site(make_site)
    config = load_config(root)
    outputs, _ = bulletin_outputs(config, load_content(root, config), root)
    assert [colour for *_, colour in _images(outputs["print/bulletin-1.pdf"])] == [RED]
    other = tmp_path / "elsewhere" / "checkout"
    shutil.copytree(root, other)
    config = load_config(other)
    again, _ = bulletin_outputs(config, load_content(other, config), other)
    assert again["print/bulletin-1.pdf"] == outputs["print/bulletin-1.pdf"]


# ---------------------------------------------------------------- pictures, tables and notes as a book sets them

RICH = """学习讲话，重在联系实际[^1]。我们总结出三个做法。

| 项目 | 次数 |
|---|---|
| 读原文 | 52 |
| 写心得 | 12 |

第一，要坚持学用结合。

![调研现场](wide.png)

[^1]: 参见《学习纲要》，第12页。
"""


def test_print_body_drops_backrefs_and_sets_pictures_apart() -> None:
    body = (
        '<p>正文<sup id="fnref:1"><a class="footnote-ref" href="#fn:1">1</a></sup></p>\n<p><img alt="图" src="a.png"></p>'
        '<div class="footnote"><ol><li id="fn:1"><p>注文。&nbsp;<a class="footnote-backref" href="#fnref:1"'
        ' title="返回正文">↩</a></p></li></ol></div>'
    )
    book = print_body(body, "content/articles/x.md")
    assert "↩" not in book and "footnote-backref" not in book and 'class="footnote"' not in book
    assert '<p class="figure"><img alt="图" src="xdl-site:content/articles/a.png"></p>' in book
    # The note goes to the foot of the page of its call: it takes the call's place in the text.
    assert '<p>正文<span class="fn" data-mark="①">注文。</span></p>' in book
    # A paragraph's last two characters are glued: never one character alone on the last line.
    assert print_body("<p>无注无图</p>", "content/a.md") == '<p>无注<span class="nobr">无图</span></p>'


def test_wide_picture_table_and_note_in_the_printed_book(make_site) -> None:
    picture = io.BytesIO()
    PIL.Image.new("RGB", (1600, 500), RED).save(picture, "PNG")
    root = make_site(
        {
            "content/articles/a.md": article(body=RICH, slug="a", form="体会文章"),
            "content/articles/wide.png": picture.getvalue(),
            "content/anthology/anthology.yaml": """
                title: 测试文集
                year: 2026
                parts:
                  - title: 学而思
                    articles: [a]
            """,
        }
    )
    data = _book(root, chunk_articles=0)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        text = "".join(page.extract_text() or "" for page in pdf.pages)
        assert "注文" not in text and "参见《学习纲要》" in text and "↩" not in text
        pages = [page for page in pdf.pages if page.images]
        assert len(pages) == 1
        page = pages[0]
        rule = [e for e in page.lines + page.rects if e["top"] < 60]  # the hairline under the running head
        left, right = min(e["x0"] for e in rule), max(e["x1"] for e in rule)
        (image,) = page.images
        assert left - 0.5 <= image["x0"] and image["x1"] <= right + 0.5, (image["x0"], image["x1"], left, right)
        # 三线表: a rule above the head, one under it, one under the last row; none between rows.
        table_page = next(p for p in pdf.pages if "读原文" in (p.extract_text() or ""))
        head = next(w for w in table_page.extract_words() if w["text"].startswith("项目"))
        last = next(w for w in table_page.extract_words() if w["text"].startswith("写心得"))
        rules = sorted(  # each cell draws its part of a rule: one rule is several segments at one height
            {
                round(e["top"], 1)
                for e in table_page.lines + table_page.rects
                if head["top"] - 20 < e["top"] < last["bottom"] + 20 and e["x1"] - e["x0"] > 10
            }
        )
        assert len(rules) == 3, rules
        assert rules[0] < head["top"] < rules[1] < last["top"] < rules[2]
