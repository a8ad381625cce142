"""The anthology PDF, checked from the PDF itself (what a printer and a Chinese reader check).

The example book (content/anthology/) is rendered once per module in both editions.
Geometric checks use the screen edition (same layout, no bleed offset); box checks use both.
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pytest
from conftest import REPO, TODAY, article
from pypdf import PdfReader

from xindelu.build.pipeline import BuildOptions, build
from xindelu.content.config import AnthologySettings, Fonts, load_config
from xindelu.content.load import load_content
from xindelu.core.errors import ContentErrors
from xindelu.print import weasy_patches
from xindelu.print.anthology import (
    affiliation,
    anthology_sources,
    book_geometry,
    book_parts,
    mark_signature,
    print_layout_dirs,
    render_anthology,
    scope_ids,
    zh_number,
)
from xindelu.print.pdf import InstalledFonts, fixed_date, resolve_font, resolve_fonts, substitution_warnings

MM = 72 / 25.4
# The rules of the issue: no line starts with closing punctuation, none ends with opening punctuation.
NO_LINE_START = set("，。、；：？！）」』》〉…”’")
NO_LINE_END = set("（「『《〈“‘")
QUOTES = set("“”‘’")
# A two-article book (articles a and b), written to PDFs as print/ce-shi-print.pdf and site/anthology/ce-shi.pdf.
SMALL_BOOK = """
title: 测试文集
editor: 编委会 编
year: 2026
slug: ce-shi
parts:
  - title: 学而思
    articles: [a, b]
"""


@dataclass(frozen=True)
class Book:
    print_pdf: bytes
    screen_pdf: bytes
    print_pages: int
    screen_pages: int
    config: object
    content: object


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Book:
    config = load_config(REPO)
    content = load_content(REPO, config)
    assert not content.errors, [e.format() for e in content.errors]
    assert content.anthology is not None
    layouts = print_layout_dirs(REPO)
    env = {"SOURCE_DATE_EPOCH": ""}
    printed = render_anthology(config, content, "print", layouts, environ=env)
    screen = render_anthology(config, content, "screen", layouts, environ=env)
    return Book(printed.data, screen.data, printed.pages, screen.pages, config, content)


@pytest.fixture(scope="module")
def screen_path(book: Book, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("book") / "screen.pdf"
    path.write_bytes(book.screen_pdf)
    return path


@pytest.fixture(scope="module")
def print_path(book: Book, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("book") / "print.pdf"
    path.write_bytes(book.print_pdf)
    return path


# ---------------------------------------------------------------- reading the PDF


@dataclass(frozen=True)
class Line:
    top: float
    x0: float
    x1: float
    text: str
    size: float
    font: str


@dataclass(frozen=True)
class PageText:
    index: int  # 0-based PDF index; index 0 is a right-hand page
    lines: tuple[Line, ...]
    head: str  # running head (top margin)
    folio: str  # printed page number (bottom margin)
    body: tuple[Line, ...]  # lines of the text block

    @property
    def right(self) -> bool:
        return self.index % 2 == 0

    @property
    def blank(self) -> bool:
        return not self.lines


def _lines(chars: list[dict]) -> list[Line]:
    rows: dict[float, list[dict]] = {}
    for char in sorted(chars, key=lambda c: (c["size"] < 8, round(c["bottom"]), c["x0"])):
        if not char["text"].strip():
            continue
        # A footnote call (a small raised mark) belongs to the line it is raised from.
        reach = 5 if char["size"] < 8 else 2.5
        key = next((k for k in rows if abs(k - char["bottom"]) < reach), char["bottom"])
        rows.setdefault(key, []).append(char)
    lines = []
    for key in sorted(rows):
        row = sorted(rows[key], key=lambda c: c["x0"])
        sizes = sorted(round(c["size"], 1) for c in row)
        lines.append(
            Line(
                top=min(c["top"] for c in row),
                x0=row[0]["x0"],
                x1=row[-1]["x1"],
                text="".join(c["text"] for c in row),
                size=sizes[len(sizes) // 2],
                font=row[len(row) // 2]["fontname"],
            )
        )
    return lines


@pytest.fixture(scope="module")
def pages(book: Book, screen_path: Path) -> tuple[PageText, ...]:
    g = book_geometry(book.config.anthology)
    height = g.height_mm * MM
    out = []
    with pdfplumber.open(screen_path) as pdf:
        for index, page in enumerate(pdf.pages):
            lines = _lines(page.chars)
            head = "".join(line.text for line in lines if line.top < g.margin_top_pt - 2)
            folio = "".join(line.text for line in lines if line.top > height - g.margin_bottom_pt)
            body = tuple(line for line in lines if g.margin_top_pt - 2 <= line.top <= height - g.margin_bottom_pt)
            out.append(PageText(index, tuple(lines), head, folio, body))
    return tuple(out)


def _outline(path: Path) -> list[tuple[int, str, int]]:
    """(level, title, 0-based page index) in document order."""
    reader = PdfReader(path)
    found: list[tuple[int, str, int]] = []

    def walk(items: list, level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                found.append((level, item.title, reader.get_destination_page_number(item)))

    walk(reader.outline, 1)
    return found


def _book_articles(book: Book) -> Iterator[tuple[object, object]]:
    for part in book_parts(book.content.anthology, book.content.articles):
        for art in part.articles:
            yield part, art


# ---------------------------------------------------------------- boxes and fonts


def _box(page, name: str) -> tuple[float, ...]:
    return tuple(round(float(v), 2) for v in page[name])


def test_print_edition_has_trim_bleed_and_crop_marks(book: Book) -> None:
    reader = PdfReader(io.BytesIO(book.print_pdf))
    trim_w, trim_h, bleed = 140 * MM, 203 * MM, 3 * MM
    for page in reader.pages:
        x0, y0, x1, y1 = _box(page, "/TrimBox")
        assert (round(x1 - x0, 1), round(y1 - y0, 1)) == (round(trim_w, 1), round(trim_h, 1))
        bx0, by0, bx1, by1 = _box(page, "/BleedBox")
        assert (round(x0 - bx0, 1), round(y0 - by0, 1), round(bx1 - x1, 1), round(by1 - y1, 1)) == (
            round(bleed, 1),
        ) * 4
        # The MediaBox is larger than the BleedBox: room for the marks outside the bleed.
        mx0, my0, mx1, my1 = _box(page, "/MediaBox")
        assert min(bx0 - mx0, by0 - my0, mx1 - bx1, my1 - by1) >= 6 * MM
    # Crop marks: eight K strokes on the trim lines, all of them outside the bleed box.
    with pdfplumber.open(io.BytesIO(book.print_pdf)) as pdf:
        page = pdf.pages[10]
        marks = [c for c in page.lines if c["stroking_color"] == (0, 0, 0, 1)]
        assert len(marks) == 8
        for mark in marks:
            # pdfplumber: x in the page's own coordinates, y from the MediaBox's bottom edge.
            mark_y0, mark_y1 = mark["y0"] + my0, mark["y1"] + my0
            outside_x = mark["x1"] <= bx0 + 0.01 or mark["x0"] >= bx1 - 0.01
            outside_y = mark_y1 <= by0 + 0.01 or mark_y0 >= by1 - 0.01
            assert outside_x or outside_y, mark


def test_empty_margin_boxes_skipped_lay_out_pages_as_weasyprint_does() -> None:
    import weasyprint.layout.page as layout_page
    from weasyprint import CSS, HTML

    weasy_patches.install()
    # Margin boxes with content on every side, in corners, sized, beside empty neighbours.
    css = CSS(
        string="""
        @page { size: 140mm 203mm; margin: 20mm 18mm;
          @top-center { content: string(head); min-width: 30mm; border-bottom: 0.5pt solid }
          @bottom-right { content: counter(page); padding-left: 2mm }
          @left-middle { content: "侧"; width: 8mm }
          @bottom-left-corner { content: "角"; }
          @right-top { content: none } }
        @page :left { @top-left { content: "左页"; max-width: 40mm } @bottom-right { content: none } }
        h1 { string-set: head content(text) }
        """
    )
    html = HTML(string="<h1>书名</h1>" + "<p>正文。</p>" * 3 + "<h1 style='break-before: page'>第二</h1><p>二</p>" * 3)
    ours = html.write_pdf(stylesheets=[css])
    skipping = layout_page.resolve_percentages
    layout_page.resolve_percentages = skipping.__wrapped__
    try:
        theirs = html.write_pdf(stylesheets=[css])
    finally:
        layout_page.resolve_percentages = skipping
    assert ours == theirs
    assert len(PdfReader(io.BytesIO(ours)).pages) == 4


def test_screen_edition_is_trim_size_without_bleed(book: Book) -> None:
    reader = PdfReader(io.BytesIO(book.screen_pdf))
    for page in reader.pages:
        assert _box(page, "/MediaBox") == (0.0, 0.0, round(140 * MM, 2), round(203 * MM, 2))
        assert _box(page, "/TrimBox") == _box(page, "/MediaBox")
    # The print edition is padded with blank pages to a multiple of anthology.page_multiple.
    multiple = book.config.anthology.page_multiple
    assert book.print_pages == book.screen_pages + (-book.screen_pages % multiple)
    assert book.print_pages % multiple == 0


def _fonts(reader: PdfReader) -> dict[str, object]:
    fonts = {}
    for page in reader.pages:
        resources = page["/Resources"].get_object()
        for font in resources.get("/Font", {}).values():
            font = font.get_object()
            fonts[str(font["/BaseFont"])] = font
    return fonts


def test_every_font_is_embedded_and_subset(book: Book) -> None:
    for data in (book.print_pdf, book.screen_pdf):
        fonts = _fonts(PdfReader(io.BytesIO(data)))
        assert fonts
        for name, font in fonts.items():
            assert re.match(r"^/[A-Z]{6}\+", name), f"{name} is not a subset"
            descendants = [d.get_object() for d in font.get("/DescendantFonts", [])] or [font]
            for descendant in descendants:
                descriptor = descendant["/FontDescriptor"].get_object()
                assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), f"{name} is not embedded"
        assert any("Serif-CJK" in name for name in fonts) and any("Sans-CJK" in name for name in fonts)


def test_metadata_title_author_language(book: Book) -> None:
    reader = PdfReader(io.BytesIO(book.print_pdf))
    anthology = book.content.anthology
    assert reader.metadata.title.startswith(anthology.title)
    assert reader.metadata.author == "中共湖南省委宣传部理论处"
    assert reader.trailer["/Root"]["/Lang"] == "zh-CN"
    assert reader.metadata["/CreationDate"] == f"D:{anthology.year}0101000000Z"


# ---------------------------------------------------------------- structure


def test_outline_lists_parts_with_their_articles(book: Book, screen_path: Path) -> None:
    outline = _outline(screen_path)
    expected = [(1, "前　言"), (1, "目　录")]
    for part in book_parts(book.content.anthology, book.content.articles):
        expected.append((1, f"{part.label}　{part.title}"))
        expected.extend((2, art.title) for art in part.articles)
    expected.append((1, "后　记"))
    assert [(level, title) for level, title, _ in outline] == expected
    assert [index for *_, index in outline] == sorted(index for *_, index in outline)


def test_parts_open_on_right_hand_pages_with_blank_left_pages_before(
    screen_path: Path, pages: tuple[PageText, ...]
) -> None:
    part_pages = [index for level, title, index in _outline(screen_path) if level == 1 and "辑" in title]
    assert len(part_pages) == 4
    for index in part_pages:
        assert pages[index].right
        # The part title page's back stays blank: the first piece opens on the right.
        assert pages[index + 1].blank
    # Blank pages (inserted before right-hand openings) carry no running head or folio: no text at all.
    blanks = [p.index for p in pages if p.blank]
    assert len(blanks) >= len(part_pages) + 1


def test_toc_numbers_are_the_printed_folios_where_entries_start(screen_path: Path, pages: tuple[PageText, ...]) -> None:
    toc_pages = [p for p in pages if p.body and p.body[0].text == "目录"]
    assert toc_pages
    toc_start = toc_pages[0].index
    entries: list[tuple[str, str]] = []
    pending = ""
    for page in pages[toc_start:]:
        if page.index > toc_start and (not page.body or page.folio.isdigit()):
            break  # past the contents
        for line in page.body[1:] if page.index == toc_start else page.body:
            text = pending + line.text
            match = re.match(r"^(.*?)\.{3,}([0-9]+|[IVXL]+)$", text)
            if match:
                entries.append((match.group(1), match.group(2)))
                pending = ""
            else:
                pending = text  # a long title wrapped onto a second line
    outline = _outline(screen_path)
    toc_targets = [(level, title, index) for level, title, index in outline if title != "目　录"]
    assert len(entries) == len(toc_targets)
    for (label, number), (_level, title, index) in zip(entries, toc_targets, strict=True):
        assert label.replace("　", "").startswith(title.replace("　", "")), (label, title)
        target = pages[index]
        if target.folio:
            assert target.folio == number, (title, target.folio, number)
        else:  # part title pages print no folio: count on from the next page that does
            following = next(p for p in pages[index + 1 :] if p.folio)
            assert int(following.folio) - (following.index - index) == int(number), title


def test_front_matter_is_roman_and_body_starts_at_1(screen_path: Path, pages: tuple[PageText, ...]) -> None:
    outline = _outline(screen_path)
    preface = next(index for _, title, index in outline if title == "前　言")
    first_part = next(index for level, title, index in outline if "辑" in title)
    assert pages[preface].folio == "I"
    assert all(re.fullmatch(r"[IVX]+", p.folio) for p in pages[preface:first_part] if p.folio)
    first_folio = next(p for p in pages[first_part:] if p.folio)
    assert int(first_folio.folio) == first_folio.index - first_part + 1
    for page in pages[:preface]:
        assert not page.folio and not page.head  # cover, title page, copyright page


def test_running_heads(book: Book, screen_path: Path, pages: tuple[PageText, ...]) -> None:
    title = book.content.anthology.title
    outline = _outline(screen_path)
    part_starts = [(index, title_) for level, title_, index in outline if level == 1 and "辑" in title_]
    afterword = next(index for _, t, index in outline if t == "后　记")
    checked = 0
    for page in pages[part_starts[0][0] :]:
        if page.blank or page.index in {i for i, _ in part_starts}:
            assert page.head == "" and page.folio == "", page.index
            continue
        if page.right:
            current = [t for i, t in part_starts if i <= page.index][-1]
            expected = "后记" if page.index >= afterword else current.replace("　", "")
            assert page.head == expected, page.index
        else:
            assert page.head == title.replace(" ", ""), page.index
        checked += 1
    assert checked > 40


def test_articles_start_on_new_pages_with_title_and_byline(book: Book, screen_path: Path, pages) -> None:
    starts = {title: index for level, title, index in _outline(screen_path) if level == 2}
    for _, art in _book_articles(book):
        body = pages[starts[art.title]].body
        texts = [line.text for line in body[:4]]
        assert texts[0] == art.title
        assert texts[1] == art.author_line.replace(" ", "")
        assert texts[2] == affiliation(art).replace("　", "")


# ---------------------------------------------------------------- Chinese typesetting


def test_no_line_starts_with_closing_or_ends_with_opening_punctuation(pages: tuple[PageText, ...]) -> None:
    problems = []
    for page in pages:
        for line in page.lines:
            if line.text[0] in NO_LINE_START or line.text[-1] in NO_LINE_END:
                problems.append((page.index + 1, line.text))
    assert not problems


def test_no_single_line_widow_at_the_top_of_a_page(book: Book, screen_path: Path, pages) -> None:
    g = book_geometry(book.config.anthology)
    size = book.config.anthology.font_size_pt
    first = next(index for level, _, index in _outline(screen_path) if level == 2)
    widows = []
    for page in pages[first:]:
        body = [line for line in page.body if "Serif" in line.font]
        if not body or abs(body[0].size - size) > 0.1:
            continue
        left = g.margin_inner_pt if page.right else g.margin_outer_pt
        top, rest = body[0], body[1:]
        continues_paragraph = abs(top.x0 - left) < 1
        ends_paragraph = not rest or abs(rest[0].x0 - left) > 1 or abs(rest[0].size - size) > 0.1
        if continues_paragraph and ends_paragraph:
            widows.append((page.index + 1, top.text))
    assert not widows


def _body_size(book: Book) -> float:
    return book.config.anthology.font_size_pt


def test_quote_marks_are_one_em_wide(book: Book, screen_path: Path) -> None:
    size = _body_size(book)
    seen = 0
    with pdfplumber.open(screen_path) as pdf:
        for page in pdf.pages:
            for char in page.chars:
                if char["text"] in QUOTES and abs(char["size"] - size) < 0.1:
                    assert abs((char["x1"] - char["x0"]) - size) < 0.05, char
                    seen += 1
    assert seen > 50


def test_body_lines_are_justified_flush_right(book: Book, screen_path: Path, pages) -> None:
    """Every non-final line of a body paragraph ends on the text block's right edge (±0.5 pt)."""
    g = book_geometry(book.config.anthology)
    size = _body_size(book)
    width = g.width_mm * MM
    outline = _outline(screen_path)
    first = next(index for level, _, index in outline if level == 2)
    prose = [p for p in pages[first:] if p.body]

    def edges(page: PageText) -> tuple[float, float]:
        if page.right:
            return g.margin_inner_pt, width - g.margin_outer_pt
        return g.margin_outer_pt, width - g.margin_inner_pt

    def body_lines(page: PageText) -> list[Line]:
        return [line for line in page.body if abs(line.size - size) < 0.1 and "Serif" in line.font]

    worst, checked = 0.0, 0
    for page, next_page in itertools.zip_longest(prose, prose[1:]):
        left_edge, right_edge = edges(page)
        body = body_lines(page)
        for line, following in itertools.pairwise(body):
            # A paragraph goes on when the next line is flush left (not indented 2 em, not a heading).
            continues = abs(following.x0 - line.x0) < 1 and abs(following.top - line.top - g.line_height_pt) < 1
            if continues and abs(line.x0 - left_edge) < 1:
                worst = max(worst, abs(line.x1 - right_edge))
                checked += 1
        # The page's last line, when its paragraph goes on at the top of the next page.
        following_body = body_lines(next_page) if next_page else []
        goes_on = bool(body and following_body) and abs(following_body[0].x0 - edges(next_page)[0]) < 1
        at_foot = bool(body) and body[-1].top > g.height_mm * MM - g.margin_bottom_pt - 40
        if goes_on and at_foot and abs(body[-1].x0 - left_edge) < 1:
            worst = max(worst, abs(body[-1].x1 - right_edge))
            checked += 1
    assert checked > 300
    assert worst <= 0.5, worst


# ---------------------------------------------------------------- reproducibility and the build


def test_same_input_gives_identical_bytes(book: Book) -> None:
    again = render_anthology(
        book.config, book.content, "screen", print_layout_dirs(REPO), environ={"SOURCE_DATE_EPOCH": ""}
    )
    assert again.data == book.screen_pdf


def test_fixed_date_prefers_source_date_epoch() -> None:
    assert fixed_date(2026, {}).isoformat() == "2026-01-01T00:00:00+00:00"
    assert fixed_date(2026, {"SOURCE_DATE_EPOCH": "86400"}).isoformat() == "1970-01-02T00:00:00+00:00"


def test_screen_edition_has_clickable_contents_print_edition_none(book: Book) -> None:
    def links(data: bytes) -> int:
        reader = PdfReader(io.BytesIO(data))
        return sum(
            1 for page in reader.pages for annot in page.get("/Annots", []) if annot.get_object()["/Subtype"] == "/Link"
        )

    assert links(book.screen_pdf) >= len(list(_book_articles(book)))
    assert links(book.print_pdf) == 0  # the printer gets no annotations


def test_build_writes_both_editions(make_site) -> None:
    root = make_site(
        {
            "content/articles/a.md": article(body="学习讲话，重在联系实际。“知行合一”是根本。"),
            "content/articles/b.md": article(title="调研要走到田埂头", slug="b"),
            "content/anthology/anthology.yaml": SMALL_BOOK,
        }
    )
    result = build(BuildOptions(root=root, today=TODAY))
    assert not result.errors
    assert {"print/ce-shi-print.pdf", "site/anthology/ce-shi.pdf"} <= set(result.outputs)
    assert any("文集印刷版" in note and "页" in note and "秒" in note for note in result.notes)
    no_pdf = build(BuildOptions(root=root, today=TODAY, pdf=False))
    assert not any(path.endswith(".pdf") for path in no_pdf.outputs)


# ---------------------------------------------------------------- pure parts


def test_geometry_snaps_to_whole_characters_and_lines() -> None:
    g = book_geometry(AnthologySettings())
    assert g.chars_per_line == 27 and g.lines_per_page == 25
    assert g.margin_inner_pt + g.margin_outer_pt + g.text_width_pt == pytest.approx(140 * MM)


def test_no_cjk_font_is_a_clear_chinese_error() -> None:
    with pytest.raises(ContentErrors) as caught:
        resolve_fonts(Fonts(), InstalledFonts(frozenset({"DejaVu Serif"}), frozenset()))
    assert "没有安装任何中文字体" in caught.value.errors[0].message
    assert "fonts-noto-cjk" in caught.value.errors[0].hint


def test_missing_office_font_is_substituted_and_reported() -> None:
    installed = InstalledFonts(
        frozenset({"Noto Serif CJK SC", "DejaVu Serif"}),
        frozenset({"Noto Serif CJK SC"}),
        (("serif", "Noto Serif CJK SC"),),
    )
    choice = resolve_font("bulletin_body", ["仿宋_GB2312", "FangSong"], installed)
    assert choice.family == "Noto Serif CJK SC" and choice.substituted
    assert choice.css == '"Noto Serif CJK SC", serif'
    latin = resolve_font("body", ["DejaVu Serif"], installed)
    assert not latin.substituted and latin.css == '"DejaVu Serif", "Noto Serif CJK SC", serif'
    warnings = substitution_warnings({"bulletin_body": choice})
    assert warnings[0].message == "专报正文字体“仿宋_GB2312”未安装，改用“Noto Serif CJK SC”"


def test_site_layouts_override_the_default_templates(make_site) -> None:
    root = make_site(example=True)
    (root / "layouts" / "print").mkdir(parents=True)
    (root / "layouts" / "print" / "anthology.css").write_text("body { color: red; }", encoding="utf-8")
    config = load_config(root)
    content = load_content(root, config)
    fonts = resolve_fonts(config.fonts)
    html, css = anthology_sources(config, content, "print", print_layout_dirs(root), fonts)
    assert css[-1] == "body { color: red; }"
    assert '<h1 class="part-title">学而思</h1>' in html  # the default HTML template still serves


def test_helpers() -> None:
    assert [zh_number(n) for n in (1, 10, 12, 20, 31)] == ["一", "十", "十二", "二十", "三十一"]
    assert scope_ids('<sup id="fnref:1"><a href="#fn:1">1</a></sup><a href="http://x/#y">', "a-") == (
        '<sup id="a-fnref:1"><a href="#a-fn:1">1</a></sup><a href="http://x/#y">'
    )
    assert mark_signature("<p>是为序。</p>\n<p>编　者</p>\n<p>2026年12月</p>") == (
        '<p>是为序。</p>\n<p class="sign">编　者</p>\n<p class="sign">2026年12月</p>'
    )


def test_font_data_views_read_the_same_bytes_as_weasyprint_copies() -> None:
    import weasyprint.pdf.fonts as fonts
    from weasyprint import HTML
    from weasyprint.text.fonts import get_hb_object_data  # WeasyPrint's own, which copies

    weasy_patches.install()
    document = HTML(string='<html lang="zh-CN"><p style="font-family: Noto Serif CJK SC">中文</p></html>').render()
    document.write_pdf()
    (font,) = document.fonts.values()
    assert isinstance(font.file_content, bytes) and font.file_content[:4] == b"OTTO"  # the embedded subset
    view = fonts.get_hb_object_data(font.hb_face)
    assert isinstance(view, memoryview) and view.readonly
    assert view.tobytes() == get_hb_object_data(font.hb_face)
