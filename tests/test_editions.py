"""Both editions of the book from one layout: the print edition is drawn from the screen
edition's pages (xindelu.print.pdf.Redraw), and must be, byte for byte, what its own layout
gives. The example book has footnotes, tables and links; a small book adds a picture (made
CMYK in the print edition)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import REPO
from test_pdf_images import _images
from test_pdf_images import _site as picture_site

from xindelu.content.config import load_config
from xindelu.content.load import load_content
from xindelu.print import anthology, pdf
from xindelu.print.anthology import print_layout_dirs, render_anthology, render_editions

ENV = {"SOURCE_DATE_EPOCH": ""}


@pytest.fixture(scope="module")
def site():
    config = load_config(REPO)
    content = load_content(REPO, config)
    assert not content.errors and content.anthology is not None
    return config, content


class Redraws:
    """The redraws done during a test, in this process and in the chunks' forked workers
    (pdf._redraw spied on; each call leaves a line in a file)."""

    def __init__(self, log: Path) -> None:
        self.log = log

    def __call__(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []

    def clear(self) -> None:
        self.log.unlink(missing_ok=True)


@pytest.fixture
def redraws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Redraws:
    spied = Redraws(tmp_path / "redraws.log")
    original = pdf._redraw

    def spy(document, redraw, image_cache, site_root):
        with spied.log.open("a") as log:
            log.write(f"bleed {redraw.bleed_mm} links {redraw.links} images {redraw.images is not None}\n")
        return original(document, redraw, image_cache, site_root)

    monkeypatch.setattr(pdf, "_redraw", spy)
    return spied


def _alone(config, content, layouts, root: Path = REPO, **options) -> dict[str, bytes]:
    return {
        edition: render_anthology(config, content, edition, layouts, environ=ENV, root=root, **options).data
        for edition in ("print", "screen")
    }


def test_the_print_edition_drawn_from_the_screen_layout_is_the_bytes_of_its_own_layout(site, redraws) -> None:
    config, content = site
    layouts = print_layout_dirs(REPO)
    both = render_editions(config, content, ("print", "screen"), layouts, environ=ENV, root=REPO)
    assert redraws() == ["bleed 3.0 links False images True"]
    assert list(both) == ["print", "screen"]
    assert {edition: r.data for edition, r in both.items()} == _alone(config, content, layouts)
    assert len(redraws()) == 1  # the editions alone were each laid out


def test_a_chunked_book_draws_both_editions_from_one_layout_and_caches_both(site, redraws, tmp_path: Path) -> None:
    config, content = site
    layouts = print_layout_dirs(REPO)
    options = {"environ": ENV, "root": REPO, "chunk_articles": 3}
    alone = _alone(config, content, layouts, chunk_articles=3)
    redraws.clear()
    first = render_editions(config, content, ("print", "screen"), layouts, cache_dir=tmp_path, **options)
    assert {edition: r.data for edition, r in first.items()} == alone
    chunks = len(first["screen"].rendered_chunks)
    assert chunks > 5 and len(redraws()) == chunks  # every chunk and the front matter drawn twice, laid out once
    # From the cache: nothing laid out, the same bytes.
    again = render_editions(config, content, ("print", "screen"), layouts, cache_dir=tmp_path, **options)
    assert again["screen"].rendered_chunks == () and {e: r.data for e, r in again.items()} == alone
    # One edition's cache lost: both are made again from one layout, still the same bytes.
    shutil.rmtree(tmp_path / "anthology" / "print")
    redraws.clear()
    third = render_editions(config, content, ("print", "screen"), layouts, cache_dir=tmp_path, **options)
    assert len(redraws()) == chunks and {e: r.data for e, r in third.items()} == alone


def test_a_site_template_of_its_own_is_laid_out_once_per_edition(
    site, redraws, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, content = site
    own = tmp_path / "layouts" / "print"
    own.mkdir(parents=True)
    shutil.copy(REPO / "layouts" / "print" / "anthology.css", own / "anthology.css")
    layouts = print_layout_dirs(tmp_path)
    assert layouts[0] == own.resolve()
    # A small book: the two layouts are made side by side, in this process and a forked one.
    log = tmp_path / "layouts.log"
    lay_out = anthology._lay_out

    def spy(*args, **kwargs):
        with log.open("a") as handle:
            handle.write(f"{os.getpid()}\n")
        return lay_out(*args, **kwargs)

    monkeypatch.setattr(anthology, "_lay_out", spy)
    both = render_editions(config, content, ("print", "screen"), layouts, environ=ENV, root=REPO)
    assert redraws() == []
    assert len(set(log.read_text().split())) == 2
    assert {edition: r.data for edition, r in both.items()} == _alone(config, content, print_layout_dirs(REPO))


@pytest.mark.parametrize(
    ("html", "alike"),
    [
        ("<p>正文</p>", True),
        ('<p><span style="color: red">红字</span></p>', False),  # a colour of its own: not mapped by edition
        ('<p><img src="xdl-site:/images/a.svg"></p>', False),  # SVG draws its own colours
        ("<p><svg viewBox='0 0 1 1'></svg></p>", False),
    ],
)
def test_only_pages_whose_colours_all_come_from_the_editions_are_redrawn(html: str, alike: bool) -> None:
    assert anthology._can_redraw(print_layout_dirs(REPO), html) is alike


@pytest.mark.parametrize("chunk_articles", [None, 1])
def test_the_print_edition_draws_the_cmyk_picture_where_the_screen_layout_has_the_rgb_one(
    make_site, redraws, chunk_articles: int | None
) -> None:
    root = picture_site(make_site)
    config = load_config(root)
    content = load_content(root, config)
    layouts = print_layout_dirs(root)
    options = {"chunk_articles": chunk_articles}
    both = render_editions(config, content, ("print", "screen"), layouts, environ=ENV, root=root, **options)
    assert redraws()
    assert {edition: r.data for edition, r in both.items()} == _alone(config, content, layouts, root, **options)
    # What that means: one picture in each, CMYK in print (pdfimages writes its pixels back as RGB).
    printed, screen = _images(both["print"].data), _images(both["screen"].data)
    assert len(printed) == len(screen) == 1 and printed[0][1] == screen[0][1] == (60, 30)


# ------------------------------------------------------------ the text drawn once (weasy_tapes)

_PAGE = "@page {{ size: 100mm 140mm; margin: 12mm; bleed: {bleed}mm }}"
_TEXT = "body {{ font-family: 'Noto Serif CJK SC'; font-size: 11pt; text-align: justify; color: {ink} }} .red {{ color: {red} }}"
_SCREEN = (_PAGE.format(bleed=0), _TEXT.format(ink="#000000", red="#c00000"))
_PRINT = (_PAGE.format(bleed=3), _TEXT.format(ink="device-cmyk(0 0 0 1)", red="device-cmyk(0 1 1 0.25)"))
_HTML = (
    "<html lang='zh-CN'><body>"
    + "<p>学习贯彻党的创新理论，<b>坚持学思用贯通</b>、知信行统一，“把学习成果转化为推动工作的实际行动”。</p>" * 30
    + "<p class='red'>红色的一段：标点挤压，“引号”与（括号）。</p>"
    + "<p>下面一句有<u>下划线</u>，还有一个字体里没有的字\u0378和 English words, 2026 年。</p>"
    + "</body></html>"
)


def test_the_redrawn_edition_replays_its_text_and_is_the_bytes_of_a_drawing_from_scratch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every line replays from its tape but those a tape cannot stand for (an underline, a glyph
    missing from the font): drawn from scratch, and the file is byte for byte the print layout's."""
    from xindelu.print import weasy_tapes

    replayed = []
    original_replay = weasy_tapes._replay
    monkeypatch.setattr(
        weasy_tapes, "_replay", lambda stream, tape: replayed.append(tape) or original_replay(stream, tape)
    )
    redraw = pdf.Redraw(
        _HTML, _PRINT, {"#000000": "device-cmyk(0 0 0 1)", "#c00000": "device-cmyk(0 1 1 0.25)"}, 3.0, links=False
    )
    screen, printed = pdf.render_editions(_HTML, str(REPO), _SCREEN, redraws=(redraw,))
    alone = pdf.render_document(_HTML, str(REPO), _PRINT)
    assert printed.data == alone.data
    assert screen.data == pdf.render_document(_HTML, str(REPO), _SCREEN).data
    assert printed.pages >= 2
    texts = {text for tape in replayed for shown in tape.glyphs for _, text, _ in shown}
    assert len(replayed) > 30 and {"学", "“", "红"} <= texts
    assert not {"划", "\u0378"} & texts, sorted({"划", "\u0378"} & texts)


def test_a_document_alone_has_its_redraws_drawn_apart_and_they_are_the_same_bytes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``apart``: the print edition is drawn from scratch in a forked copy while the screen
    edition is drawn here; the bytes are those of the replay in this process."""
    redraw = pdf.Redraw(
        _HTML, _PRINT, {"#000000": "device-cmyk(0 0 0 1)", "#c00000": "device-cmyk(0 1 1 0.25)"}, 3.0, links=False
    )
    replayed = pdf.render_editions(_HTML, str(REPO), _SCREEN, redraws=(redraw,))
    log = tmp_path / "redraws.log"
    original = pdf._redraw

    def spy(*args):
        with log.open("a") as handle:
            handle.write(f"{os.getpid()}\n")
        return original(*args)

    monkeypatch.setattr(pdf, "_redraw", spy)
    apart = pdf.render_editions(_HTML, str(REPO), _SCREEN, redraws=(redraw,), apart=True)
    assert [r.data for r in apart] == [r.data for r in replayed]
    assert log.read_text().split() != [str(os.getpid())] and len(log.read_text().split()) == 1


_CONTENTS = (
    "<html lang='zh-CN'><body><ul class='toc'>"
    + "".join(
        f"<li><a href='#a{i}'>第{i}篇　学思用贯通{'，知信行统一' * (i % 3)}</a></li>"
        + (f"<li class='red'><a href='#a{i}'>红色条目 {i}</a></li>" if i % 4 == 0 else "")
        + (f"<li><u><a href='#a{i}'>下划线条目</a></u></li>" if i % 7 == 0 else "")
        for i in range(1, 40)
    )
    + "</ul>"
    + "".join(f"<h2 id='a{i}' style='break-before: page'>第{i}篇</h2>" for i in range(1, 40))
    + "</body></html>"
)
_LEADERS = (
    ".toc { list-style: none; padding: 0 } .toc li { text-align: justify }"
    " .toc a { display: block; text-decoration: none; color: inherit }"
    " .toc a::after { content: leader(dotted) target-counter(attr(href), page) }"
    " .toc li:nth-child(5n) a::after { content: leader(' · ') target-counter(attr(href), page, upper-roman) }"
)


def test_a_leaders_dots_are_drawn_once_and_replayed_and_the_bytes_are_those_drawn_one_by_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """WeasyPrint makes a box per dot of a leader, copies of one box: the copies replay the
    second one's tape at their own places. Dotted, spaced and coloured leaders, and an
    underlined one (drawn from scratch): the files are those of every dot drawn from scratch,
    alone and as the edition drawn from another's layout."""
    from xindelu.print import weasy_tapes

    moved = []
    original_moved = weasy_tapes._moved
    monkeypatch.setattr(weasy_tapes, "_moved", lambda tape, place: moved.append(tape) or original_moved(tape, place))
    screen_css, print_css = (*_SCREEN, _LEADERS), (*_PRINT, _LEADERS)
    redraw = pdf.Redraw(
        _CONTENTS, print_css, {"#000000": "device-cmyk(0 0 0 1)", "#c00000": "device-cmyk(0 1 1 0.25)"}, 3.0, links=True
    )
    screen, printed = pdf.render_editions(_CONTENTS, str(REPO), screen_css, redraws=(redraw,))
    alone = pdf.render_document(_CONTENTS, str(REPO), print_css).data
    assert len(moved) > 39 * 10, len(moved)  # most dots of ~45 leaders, in each render
    with monkeypatch.context() as scratch:
        scratch.setattr(weasy_tapes, "_movable", lambda tape: False)
        moved.clear()
        assert pdf.render_document(_CONTENTS, str(REPO), print_css).data == alone
        assert pdf.render_document(_CONTENTS, str(REPO), screen_css).data == screen.data
        assert not moved
    assert printed.data == alone


# Pages of borders, rules, backgrounds, bullets, a transform and a running head on a rule, on
# a page background that the print edition draws into its bleed; then a page with a box drawn
# through opacity (a group) and one with a gradient (a shading): those keep no tape.
_DRAWN = (
    "<html lang='zh-CN'><body>"
    + "".join(
        f"<h2 style='break-before: page'>第{i}页</h2>"
        "<p style='border: 1pt solid; border-radius: 2mm; padding: 1mm'>圆角边框里的段落。</p>"
        "<p style='border-left: 3pt double; border-bottom: 1pt dashed #c00000; background: #eeeeee'>双线与虚线。</p>"
        "<hr><ul><li>列表一</li><li class='red'>列表二</li></ul>"
        "<table style='border-collapse: collapse'><tr><td style='border: 0.5pt solid'>单元格</td>"
        "<td style='border: 0.5pt dotted #c00000'>红框</td></tr></table>"
        "<p style='transform: rotate(3deg)'>转了一点的段落。</p>"
        + "<p>学习贯彻党的创新理论，坚持学思用贯通、知信行统一。</p>"
        * 6
        for i in range(1, 5)
    )
    + "<h2 style='break-before: page'>半透明</h2><p style='opacity: 0.5'>半透明的段落。</p>"
    + "<h2 style='break-before: page'>渐变</h2><p style='background: linear-gradient(#ffffff, #336699)'>渐变背景。</p>"
    + "</body></html>"
)
_PAGES = "@page { background: #eeeeee; @top-center { content: '页眉'; border-bottom: 0.4pt solid; color: #c00000 } }"


def test_a_page_replays_its_drawing_after_its_background_and_is_the_bytes_of_a_drawing_from_scratch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The print edition's pages replay what the screen edition's drew after their background
    (drawn again with the bleed): the bytes of its own layout. A page drawn through a group or a
    shading keeps no tape and is drawn from its boxes."""
    from xindelu.print import weasy_tapes

    replayed = []
    original = weasy_tapes._replay_page
    monkeypatch.setattr(
        weasy_tapes, "_replay_page", lambda stream, calls: replayed.append(calls) or original(stream, calls)
    )
    colors = {
        "#000000": "device-cmyk(0 0 0 1)",
        "#c00000": "device-cmyk(0 1 1 0.25)",
        "#eeeeee": "device-cmyk(0 0 0 0.07)",
    }
    screen_css = (*_SCREEN, _PAGES)
    print_css = (*_PRINT, _PAGES.replace("#eeeeee", colors["#eeeeee"]).replace("#c00000", colors["#c00000"]))
    html = _DRAWN.replace("#eeeeee", "var(--grey)").replace("#c00000", "var(--red)")
    screen_html = html.replace("<body>", "<body style='--grey: #eeeeee; --red: #c00000'>")
    print_html = html.replace("<body>", f"<body style='--grey: {colors['#eeeeee']}; --red: {colors['#c00000']}'>")
    redraw = pdf.Redraw(print_html, print_css, colors, 3.0, links=False)
    screen, printed = pdf.render_editions(screen_html, str(REPO), screen_css, redraws=(redraw,))
    assert printed.data == pdf.render_document(print_html, str(REPO), print_css).data
    assert screen.data == pdf.render_document(screen_html, str(REPO), screen_css).data
    # Every page but the group's and the shading's, drawn from their boxes.
    assert printed.pages >= 6 and len(replayed) == printed.pages - 2, (printed.pages, len(replayed))
    called = {name for calls in replayed for name, _, _ in calls}
    assert {"rectangle", "fill", "stroke", "set_color", "transform", "push_state", ""} <= called, called
