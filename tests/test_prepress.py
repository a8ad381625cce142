"""Issue 19: print a publisher's prepress accepts as is (PDF/X-4, CMYK, compression, footnotes, preflight)."""

from __future__ import annotations

import io
import shutil
import unicodedata
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
from conftest import REPO

from xindelu.commands import preflight
from xindelu.content.config import load_config
from xindelu.content.load import load_content
from xindelu.print.anthology import book_geometry, print_layout_dirs, render_anthology
from xindelu.print.bulletin import render_bulletin
from xindelu.print.cjk_typeset import BLANK_LEFT, BLANK_RIGHT

MM = 72 / 25.4
PAIRED = BLANK_LEFT | BLANK_RIGHT


@pytest.fixture(scope="module")
def site():
    config = load_config(REPO)
    content = load_content(REPO, config)
    assert not content.errors
    return config, content


@pytest.fixture(scope="module")
def editions(site) -> dict[str, bytes]:
    config, content = site
    layouts = print_layout_dirs(REPO)
    env = {"SOURCE_DATE_EPOCH": ""}
    return {
        edition: render_anthology(config, content, edition, layouts, environ=env, root=REPO).data
        for edition in ("print", "screen")
    }


@pytest.fixture(scope="module")
def bulletin_one(site) -> bytes:
    config, content = site
    issue = next(b for b in content.bulletins if b.number == 1)
    return render_bulletin(config, content, issue, print_layout_dirs(REPO), root=REPO)


def _rows(page, size: float) -> list[list[dict]]:
    """Text lines of body size, left to right (footnote calls belong to their line)."""
    rows: dict[float, list[dict]] = {}
    for char in sorted(page.chars, key=lambda c: (c["size"] < 8, round(c["bottom"]), c["x0"])):
        if not char["text"].strip() or (abs(char["size"] - size) > 0.3 and char["size"] >= 8):
            continue
        reach = 5 if char["size"] < 8 else 2.5
        key = next((k for k in rows if abs(k - char["bottom"]) < reach), char["bottom"])
        rows.setdefault(key, []).append(char)
    return [sorted(rows[k], key=lambda c: c["x0"]) for k in sorted(rows)]


# ---------------------------------------------------------------- PDF/X-4


def test_print_edition_declares_pdfx4_with_a_cmyk_output_intent(editions) -> None:
    with pikepdf.open(io.BytesIO(editions["print"])) as pdf:
        info = preflight.pdfx_info(pdf)
        assert info.info_version == info.xmp_version == "PDF/X-4"
        assert info.trapped == "/False"
        assert [(s, n) for s, n, _ in info.intents] == [("/GTS_PDFX", 4)]
        assert pdf.pdf_version == "1.6"
        assert not any(page.obj.get("/Annots") for page in pdf.pages)


def test_print_edition_has_no_rgb_and_k_only_text(editions) -> None:
    with pikepdf.open(io.BytesIO(editions["print"])) as pdf:
        scan = preflight.scan_colours(pdf)
        assert scan.rgb_operators == 0 and scan.rgb_images == 0
        assert scan.text_operators > 1000
        black = scan.text_by_colour[("cmyk", 0.0, 0.0, 0.0, 1.0)]
        # Everything but the cover's few lines (cover_text_cmyk) is set in black alone.
        assert black >= scan.text_operators - 10 and scan.text_not_k == 0
    with pikepdf.open(io.BytesIO(editions["screen"])) as pdf:
        assert preflight.scan_colours(pdf).rgb_operators > 0  # the screen edition stays RGB


def test_page_count_is_a_multiple_and_the_screen_edition_keeps_its_links(site, editions) -> None:
    config, _ = site
    with pikepdf.open(io.BytesIO(editions["print"])) as printed, pikepdf.open(io.BytesIO(editions["screen"])) as screen:
        assert len(printed.pages) % config.anthology.page_multiple == 0
        assert len(printed.pages) - len(screen.pages) < config.anthology.page_multiple
        assert any(page.obj.get("/Annots") for page in screen.pages)
        assert "/Outlines" in screen.Root


def test_same_input_same_pdfx_bytes(site, editions) -> None:
    config, content = site
    again = render_anthology(
        config, content, "print", print_layout_dirs(REPO), environ={"SOURCE_DATE_EPOCH": ""}, root=REPO
    )
    assert again.data == editions["print"]


# ---------------------------------------------------------------- typesetting


def test_adjacent_punctuation_is_compressed(editions) -> None:
    pairs = compressed = 0
    with pdfplumber.open(io.BytesIO(editions["screen"])) as pdf:
        for page in pdf.pages[10:]:
            for row in _rows(page, 10.5):
                for i in range(len(row) - 1):
                    a, b = row[i], row[i + 1]
                    if a["text"] in PAIRED and b["text"] in PAIRED:
                        pairs += 1
                        advances = [b["x0"] - a["x0"]]
                        if i + 2 < len(row):
                            advances.append(row[i + 2]["x0"] - b["x0"])
                        compressed += min(advances) / 10.5 < 0.8
    assert pairs > 100
    assert compressed >= 0.95 * pairs, (compressed, pairs)


def _paragraph_ends(data: bytes, size: float, first_page: int) -> list[str]:
    """The last line of every body paragraph that has more than one line."""
    ends = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages[first_page:]:
            lines = _rows(page, size)
            if not lines:
                continue
            left = min(line[0]["x0"] for line in lines)
            right = max(line[-1]["x1"] for line in lines)
            for i, line in enumerate(lines[1:], 1):
                following = lines[i + 1] if i + 1 < len(lines) else None
                before = lines[i - 1]
                new_after = following is None or following[0]["x0"] > left + size * 1.5
                if (
                    line[-1]["x1"] < right - size * 1.5
                    and new_after
                    and line[0]["x0"] < left + 0.5
                    and before[-1]["x1"] > right - size
                ):
                    ends.append("".join(c["text"] for c in line))
    return ends


def test_at_most_one_percent_of_paragraphs_end_on_one_character(editions, bulletin_one) -> None:
    for data, size, first in ((editions["screen"], 10.5, 10), (bulletin_one, 16, 0)):
        ends = _paragraph_ends(data, size, first)
        lone = [e for e in ends if sum(not unicodedata.category(c).startswith("P") for c in e) <= 1]
        assert len(ends) > 15
        assert len(lone) <= 0.01 * len(ends), lone


def test_each_footnote_is_at_the_foot_of_the_page_of_its_call(editions, bulletin_one) -> None:
    marks = "①②③④⑤⑥⑦⑧⑨⑩"
    for data, body, first in ((editions["screen"], 10.5, 8), (editions["print"], 10.5, 8), (bulletin_one, 16, 0)):
        notes = 0
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for page in pdf.pages[first:]:  # the body (the copyright page's CIP uses ① too)
                marked = [c for c in page.chars if c["text"] in marks]
                calls = {c["text"] for c in marked if c["size"] < 0.8 * body}  # raised in the text
                noted = [c for c in marked if 0.8 * body <= c["size"] < body]  # before the note
                assert {c["text"] for c in noted} == calls, (page.page_number, calls, noted)
                text_bottom = max((x["bottom"] for x in page.chars if abs(x["size"] - body) < 0.3), default=0)
                assert all(c["top"] > text_bottom for c in noted)  # at the foot, under the text
                notes += len(noted)
        if data is not bulletin_one:
            assert notes >= 5


def test_no_running_head_on_contents_and_the_prefaces_first_page(site, editions) -> None:
    config, _ = site
    g = book_geometry(config.anthology)
    with pdfplumber.open(io.BytesIO(editions["screen"])) as pdf:
        heads = {}
        for index, page in enumerate(pdf.pages[:12]):
            text = page.extract_text() or ""
            head = "".join(c["text"] for c in page.chars if c["top"] < g.margin_top_pt - 2)
            heads[index] = (text.splitlines()[:1], head)
        preface = next(i for i, (first, _) in heads.items() if first and first[0].replace(" ", "") == "前言")
        contents = [i for i, (first, _) in heads.items() if first and first[0].replace(" ", "") == "目录"]
        assert contents
        assert heads[preface][1] == ""
        assert heads[preface + 1][1] != ""  # the preface's second page has its head
        for i in range(contents[0], contents[0] + 2):
            assert heads[i][1] == "", i
        # Roman folios stay on the contents.
        folio = pdf.pages[contents[0]].extract_text().splitlines()[-1].strip()
        assert folio in ("Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ", "Ⅴ", "I", "II", "III", "IV", "V")


# ---------------------------------------------------------------- the bulletin


def test_bulletin_red_is_cmyk_and_page_one_is_filled(bulletin_one) -> None:
    with pikepdf.open(io.BytesIO(bulletin_one)) as pdf:
        scan = preflight.scan_colours(pdf)
        assert scan.rgb_operators == 0 and scan.text_not_k == 0
        assert ("cmyk", 0.0, 1.0, 1.0, 0.0) in scan.text_by_colour
    with pdfplumber.open(io.BytesIO(bulletin_one)) as pdf:
        first = pdf.pages[0]
        lines = _rows(first, 16)
        # Page 1 is left only with less room than the next piece's opening needs: a grid line
        # between pieces, the title and two lines of its text (4 of the 22 lines of 225 mm).
        bottom = max(line[0]["bottom"] for line in lines) / MM
        assert bottom > 37 + 225 - 4 * 225 / 22, bottom
        # and that opening is whole at the top of page 2: the title with at least two lines.
        second = _rows(pdf.pages[1], 16)
        assert len(second) >= 2


# ---------------------------------------------------------------- preflight


def test_preflight_passes_the_print_pdfs_and_fails_an_rgb_book(editions, bulletin_one, tmp_path: Path) -> None:
    shutil.copy(REPO / "site_config.yaml", tmp_path / "site_config.yaml")
    out = tmp_path / "output" / "print"
    out.mkdir(parents=True)
    (out / "book-print.pdf").write_bytes(editions["print"])
    (out / "bulletin-1.pdf").write_bytes(bulletin_one)
    lines, problems = preflight.preflight(tmp_path, 4)
    assert problems == 0, lines
    assert preflight.run_preflight(tmp_path) == 0
    (out / "book-print.pdf").write_bytes(editions["screen"])  # RGB, no PDF/X, links
    lines, problems = preflight.preflight(tmp_path, 4)
    assert problems >= 4
    report = "\n".join(lines)
    assert "RGB 颜色" in report and "不是单黑" in report and "PDF/X 声明" in report
    assert preflight.run_preflight(tmp_path) == 1
