"""The bulletin (专报) PDF, checked from the PDF itself: page size, the 22 × 28 grid, the red
head and rule, sources, the distribution block, folios; and the bulletin's validation messages."""

from __future__ import annotations

import datetime as dt
import itertools
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pdfplumber
import pytest
from conftest import REPO, TODAY, article, problems

from xindelu.build.pipeline import BuildOptions, build
from xindelu.content.config import load_config
from xindelu.content.load import load_content
from xindelu.print.anthology import print_layout_dirs
from xindelu.print.bulletin import (
    GRID,
    bulletin_fonts,
    bulletin_outputs,
    date_zh,
    font_warnings,
    render_bulletin,
    render_bulletin_html,
    series_title_pt,
    source_line,
)
from xindelu.print.cjk_typeset import NO_LINE_END, NO_LINE_START
from xindelu.print.pdf import InstalledFonts, resolve_fonts

MM = 25.4 / 72  # millimetres per point
BODY_PT = 16
RED = (0.0, 1.0, 1.0, 0.0)  # CMYK: magenta and yellow 100 (GB/T 9704-2012), bulletin.red_cmyk


# ---------------------------------------------------------------- fixtures


def _render_site(root: Path) -> dict[int, bytes]:
    config = load_config(root)
    content = load_content(root, config)
    assert content.errors == (), [e.format() for e in content.errors]
    fonts = bulletin_fonts(config)
    layouts = print_layout_dirs(root)
    return {b.number: render_bulletin(config, content, b, layouts, fonts=fonts, root=root) for b in content.bulletins}


@pytest.fixture(scope="module")
def examples() -> dict[int, bytes]:
    """The repository's example issues."""
    return _render_site(REPO)


PHRASES = (
    "学习讲话精神重在联系实际，",
    "要把学习成果转化为推动工作的具体举措。",
    "我们坚持问题导向，",
    "深入基层调查研究，",
    "把群众的急难愁盼作为工作的出发点和落脚点，",
    "以钉钉子精神抓好每一项任务的落实。",
)


def long_body(paragraphs: int = 7, phrases: int = 18) -> str:
    out = []
    for p in range(paragraphs):
        out.append("".join(PHRASES[(p + i) % len(PHRASES)] for i in range(phrases)).rstrip("，") + "。")
    return "\n\n".join(out)


LONG_BULLETIN = """\
number: 7
date: 2026-05-12
signer: 王某某
sections:
  - name: 经验交流
    articles: [long-case]
distribution:
  bao: 省委常委
  song: 各市州委宣传部
  fa: 县处以上党委中心组
"""


def site_config_text(**replace: str) -> str:
    text = (REPO / "site_config.yaml").read_text("utf-8")
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    return text


@pytest.fixture(scope="module")
def long_issue(tmp_path_factory) -> bytes:
    """One 实践案例 long enough for full body pages (the config lets a bulletin carry any form)."""
    root = tmp_path_factory.mktemp("long")
    (root / "site_config.yaml").write_text(
        site_config_text(**{"allowed_forms: [微心得]": "allowed_forms: []"}), "utf-8"
    )
    (root / "content" / "articles").mkdir(parents=True)
    (root / "content" / "bulletins").mkdir()
    (root / "content" / "articles" / "long-case.md").write_text(
        article("一个长案例", long_body(), form="实践案例"), "utf-8"
    )
    (root / "content" / "bulletins" / "007.yaml").write_text(LONG_BULLETIN, "utf-8")
    return _render_site(root)[7]


def open_pdf(data: bytes, tmp_path: Path) -> pdfplumber.PDF:
    path = tmp_path / "issue.pdf"
    path.write_bytes(data)
    return pdfplumber.open(path)


def text_lines(page, size: float | None = None) -> list[list[dict]]:
    """Characters grouped into lines (by baseline), top to bottom; only ``size`` pt text when given."""
    rows: dict[float, list[dict]] = {}
    for char in page.chars:
        if size is not None and abs(char["size"] - size) > 0.05:
            continue
        rows.setdefault(round(char["bottom"], 1), []).append(char)
    return [sorted(rows[key], key=lambda c: c["x0"]) for key in sorted(rows)]


def line_text(line: list[dict]) -> str:
    return "".join(c["text"] for c in line).strip()


def type_area_x(page_number: int) -> tuple[float, float]:
    """Left and right edge of the type area (mm): the inner margin is 28 mm, on the left of odd pages."""
    left = GRID.inner if page_number % 2 else GRID.outer
    return left, left + GRID.area_width


# ---------------------------------------------------------------- small pieces


def test_date_and_source_line():
    assert date_zh(dt.date(2026, 5, 12)) == "2026年5月12日"
    config = load_config(REPO)
    content = load_content(REPO, config)
    by_slug = {a.slug: a for a in content.articles}
    assert source_line(by_slug["du-yuan-zhu-wu-yuan-li"]) == "长沙市 刘晓岚"  # unit written as alias 长沙
    assert source_line(by_slug["li-lun-xuan-jiang-jin-wu-chang"]).startswith(
        by_slug["li-lun-xuan-jiang-jin-wu-chang"].unit.name + " "
    )


def test_series_title_size_fits_the_type_area():
    assert series_title_pt("工作简报") == 36
    size = series_title_pt("党员干部“学讲话用讲话”微心得专报")
    assert 22 <= size < 36 and 17 * size * MM <= GRID.area_width
    assert series_title_pt("建设学习型党组织、学习型领导班子工作简报之特别长的专报名称") == 22


def test_geometry_is_gb_9704():
    assert (GRID.top, GRID.inner, GRID.area_width, GRID.area_height) == (37, 28, 156, 225)
    assert GRID.bottom == 35 and GRID.outer == 26
    assert GRID.lines * GRID.line <= 225 < GRID.lines * GRID.line + 0.005
    assert 28 * (GRID.body_pt * MM + GRID.letter_spacing) <= 156 < 29 * (GRID.body_pt * MM + GRID.letter_spacing)


# ---------------------------------------------------------------- the PDF


def test_every_page_is_a4(examples, long_issue, tmp_path):
    for data in (*examples.values(), long_issue):
        with open_pdf(data, tmp_path) as pdf:
            for page in pdf.pages:
                assert (round(page.width * MM, 1), round(page.height * MM, 1)) == (210.0, 297.0)


def test_full_body_page_has_22_lines_of_28_zi(long_issue, tmp_path):
    with open_pdf(long_issue, tmp_path) as pdf:
        assert len(pdf.pages) >= 3
        page = pdf.pages[1]  # page 2: body text only
        lines = text_lines(page, BODY_PT)
        assert len(lines) == 22
        tops = [min(c["top"] for c in line) * MM for line in lines]
        pitches = [b - a for a, b in itertools.pairwise(tops)]
        assert all(abs(p - 225 / 22) < 0.02 for p in pitches), pitches
        # The 22 lines fill the type area: first glyph top and last glyph bottom inside it.
        assert GRID.top < tops[0] < GRID.top + GRID.line
        assert GRID.top + 225 - GRID.line < max(c["bottom"] for c in lines[-1]) * MM < GRID.top + 225
        left, right = type_area_x(2)
        counts = Counter(len(line_text(line)) for line in lines)
        assert max(counts) == 28 and counts[28] >= 14, counts
        first_lines = []
        for line in lines:
            text = line_text(line)
            if abs(line[0]["x0"] * MM - left - 2 * GRID.pitch) < 0.05:  # a paragraph's first line: two 字 in
                first_lines.append(len(text))
            else:
                assert abs(line[0]["x0"] * MM - left) < 0.05, text
            if len(text) == 28:  # a full line is justified to the right edge of the type area
                assert abs(line[-1]["x1"] * MM - right) < 0.3, text
        assert first_lines and max(first_lines) == 26, first_lines


def baseline(char: dict, page) -> float:
    """The baseline of a character, in mm from the top of the page."""
    return (page.height - char["matrix"][5]) * MM


def test_body_lines_keep_to_the_grid_on_every_page(examples, long_issue, tmp_path):
    """Every 16 pt line of every page sits on the same 22-line grid (same phase as a full page)."""
    with open_pdf(long_issue, tmp_path) as pdf:
        page = pdf.pages[1]
        phase = ((baseline(text_lines(page, BODY_PT)[0][0], page) - GRID.top) / GRID.line) % 1
    for number, data in examples.items():
        with open_pdf(data, tmp_path) as pdf:
            for page in pdf.pages:
                for line in text_lines(page, BODY_PT):
                    slot = (baseline(line[0], page) - GRID.top) / GRID.line
                    assert 0 <= slot < 22
                    assert abs(slot % 1 - phase) < 0.005, (number, page.page_number, line_text(line))


def test_no_line_starts_or_ends_with_forbidden_punctuation(examples, long_issue, tmp_path):
    for data in (*examples.values(), long_issue):
        with open_pdf(data, tmp_path) as pdf:
            for page in pdf.pages:
                for line in text_lines(page, BODY_PT):
                    text = line_text(line)
                    assert text[0] not in NO_LINE_START, text
                    assert text[-1] not in NO_LINE_END, text


def test_quotes_are_full_width(examples, tmp_path):
    with open_pdf(examples[1], tmp_path) as pdf:
        quotes = [c for page in pdf.pages for c in page.chars if c["text"] in "“”" and abs(c["size"] - 16) < 0.1]
        assert quotes
        assert all(c["x1"] - c["x0"] > 0.9 * 16 for c in quotes)


def test_red_series_title_and_red_rule_head_the_first_page(examples, tmp_path):
    with open_pdf(examples[1], tmp_path) as pdf:
        page = pdf.pages[0]
        lines = text_lines(page)
        title = lines[0]
        assert line_text(title) == "党员干部“学讲话用讲话”微心得专报"
        assert all(tuple(round(v, 3) for v in c["non_stroking_color"]) == RED for c in title)
        assert abs(title[0]["size"] - series_title_pt(line_text(title))) < 0.05
        # centred on the type area
        assert abs((title[0]["x0"] + title[-1]["x1"]) / 2 * MM - (GRID.inner + 78)) < 0.5
        assert line_text(lines[1]).replace(" ", "") == "第1期"
        issuer_line = lines[2]
        assert line_text(issuer_line).startswith("中共湖南省委讲师团")
        assert line_text(issuer_line).endswith("2026年5月12日")
        assert abs(issuer_line[0]["x0"] * MM - GRID.inner) < 0.1
        assert abs(issuer_line[-1]["x1"] * MM - (GRID.inner + 156)) < 0.3
        red_rules = [r for r in page.rects if tuple(round(v, 3) for v in r["non_stroking_color"]) == RED]
        assert len(red_rules) == 1
        rule = red_rules[0]
        assert (round(rule["x0"] * MM, 1), round(rule["x1"] * MM, 1)) == (28.0, 184.0)
        em_bottom = baseline(issuer_line[0], page) + 0.12 * BODY_PT * MM  # bottom of the ideographic em box
        assert rule["top"] * MM - em_bottom == pytest.approx(4, abs=0.3)  # 4 mm under the issuer line
        assert rule["bottom"] * MM - rule["top"] * MM == pytest.approx(0.7, abs=0.05)
        # Nothing else on the page is red.
        red_chars = [c for c in page.chars if tuple(round(v, 3) for v in c["non_stroking_color"]) == RED]
        assert len(red_chars) == len(title)


def test_contents_list_the_sections_and_titles(examples, tmp_path):
    with open_pdf(examples[1], tmp_path) as pdf:
        texts = [line_text(line) for line in text_lines(pdf.pages[0])]
    start = texts.index("【上情下达】")
    assert texts[start : start + 8] == [
        "【上情下达】",
        "在读原著中悟原理",
        "学理论要下“笨功夫”",
        "【经验交流】",
        "调研要走到田埂头",
        "初心在田间",
        "【学习动态】",
        "重温“半条被子”的启示",
    ]


def test_each_piece_ends_with_its_source_at_the_right(examples, tmp_path):
    with open_pdf(examples[1], tmp_path) as pdf:
        found = {}
        for page in pdf.pages:
            for line in text_lines(page, BODY_PT):
                text = line_text(line)
                if text.startswith("（") and text.endswith("）"):
                    found[text] = abs(line[-1]["x1"] * MM - type_area_x(page.page_number)[1])
    assert list(found) == [
        "（长沙市 刘晓岚）",
        "（省委党校 周文博）",
        "（益阳市 曹立新）",
        "（湘西土家族苗族自治州 石春燕）",
        "（郴州市 朱建平）",
    ]
    assert all(gap < 0.3 for gap in found.values())


def test_distribution_block_at_the_foot_of_the_last_page(examples, long_issue, tmp_path):
    for data in (*examples.values(), long_issue):
        with open_pdf(data, tmp_path) as pdf:
            *earlier, last = pdf.pages
            assert not any("报：" in (page.extract_text() or "") for page in earlier)
            rows = [line for line in text_lines(last, 14) if not line_text(line).startswith("—")]
            texts = [line_text(line) for line in rows]
            assert texts[-4][:2] == "报：" and texts[-3][:2] == "送：" and texts[-2][:2] == "发："
            assert texts[-1].startswith("中共湖南省委讲师团") and texts[-1].endswith(("签发：贺立新", "签发：王某某"))
            bottom = GRID.top + GRID.area_height
            assert bottom - 8 < max(c["bottom"] for c in rows[-1]) * MM < bottom
            # Thin black rules span the type area above and below the block.
            rules = [r for r in last.rects if r["non_stroking_color"] == (0, 0, 0, 1)]  # black alone (K)
            assert rules and all(round((r["x1"] - r["x0"]) * MM) == 156 for r in rules)
            assert max(r["bottom"] for r in rules) * MM == pytest.approx(bottom, abs=0.1)
            assert min(r["top"] for r in rules) * MM < min(c["top"] for c in rows[-4]) * MM


def test_folios_at_the_outer_bottom_corner(examples, tmp_path):
    with open_pdf(examples[2], tmp_path) as pdf:
        assert len(pdf.pages) >= 2
        for page in pdf.pages:
            number = page.page_number
            folio = [c for c in page.chars if c["top"] * MM > GRID.top + GRID.area_height]
            assert "".join(c["text"] for c in folio) == f"— {number} —"
            # the 一字线 stands 7 mm under the type area (Noto Serif CJK draws it 0.28 em above the baseline)
            dash = baseline(folio[0], page) - 0.28 * 14 * MM - (GRID.top + GRID.area_height)
            assert dash == pytest.approx(7, abs=0.3)
            left, right = type_area_x(number)
            one_zi = 14 * MM
            if number % 2:
                assert abs(folio[-1]["x1"] * MM - (right - one_zi)) < 0.2
            else:
                assert abs(folio[0]["x0"] * MM - (left + one_zi)) < 0.2


def test_fonts_are_embedded_subsets(examples, tmp_path):
    from pypdf import PdfReader

    path = tmp_path / "b.pdf"
    path.write_bytes(examples[1])
    for page in PdfReader(path).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = (
                font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                if "/DescendantFonts" in font
                else font["/FontDescriptor"]
            )
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            assert "+" in str(font["/BaseFont"])


def test_rendering_is_reproducible(examples):
    again = _render_site(REPO)
    assert again == examples


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_png_of_the_first_page_shows_the_red_head(examples, tmp_path):
    PIL = pytest.importorskip("PIL.Image")
    (tmp_path / "b.pdf").write_bytes(examples[1])
    subprocess.run(["pdftoppm", "-r", "70", "-png", "-f", "1", "-l", "1", "b.pdf", "p"], cwd=tmp_path, check=True)
    image = PIL.open(next(tmp_path.glob("p*.png"))).convert("RGB")
    px_per_mm = image.width / 210
    red_rows = [
        y
        for y in range(image.height)
        if sum(1 for x in range(image.width) if (p := image.getpixel((x, y)))[0] > 180 and p[1] < 90 and p[2] < 90) > 10
    ]
    assert red_rows
    assert GRID.top - 2 < red_rows[0] / px_per_mm and red_rows[-1] / px_per_mm < GRID.top + 6 * GRID.line


# ---------------------------------------------------------------- fonts


def test_missing_office_fonts_are_substituted_with_one_warning_each():
    installed = InstalledFonts(
        families=frozenset({"Noto Serif CJK SC", "Noto Sans CJK SC"}),
        cjk=frozenset({"Noto Serif CJK SC", "Noto Sans CJK SC"}),
        cjk_by_generic=(("serif", "Noto Serif CJK SC"), ("sans-serif", "Noto Sans CJK SC")),
    )
    config = load_config(REPO)
    fonts = resolve_fonts(config.fonts, installed)
    assert fonts["bulletin_body"].family == "Noto Serif CJK SC"
    assert [w.format() for w in font_warnings(fonts)] == [
        "site_config.yaml: 专报标题字体“方正小标宋简体”未安装，改用“Noto Serif CJK SC” — 如需原字体，请在本机安装它，或修改 fonts.bulletin_title",
        "site_config.yaml: 专报正文字体“仿宋_GB2312”未安装，改用“Noto Serif CJK SC” — 如需原字体，请在本机安装它，或修改 fonts.bulletin_body",
        "site_config.yaml: 专报小标题字体“黑体”未安装，改用“Noto Sans CJK SC” — 如需原字体，请在本机安装它，或修改 fonts.bulletin_heading",
    ]


def test_installed_office_fonts_are_used_without_warning():
    office = {"方正小标宋简体", "仿宋_GB2312", "黑体"}
    installed = InstalledFonts(families=frozenset(office), cjk=frozenset(office))
    config = load_config(REPO)
    fonts = resolve_fonts(config.fonts, installed)
    assert font_warnings(fonts) == []
    content = load_content(REPO, config)
    _html, css = render_bulletin_html(config, content, content.bulletins[0], print_layout_dirs(REPO), fonts)
    assert 'font-family: "仿宋_GB2312", serif;' in css
    assert 'font-family: "方正小标宋简体", serif;' in css
    assert "font-weight: bold" not in css  # a real 小标宋 is not made bolder


def test_a_site_can_override_the_template(make_site):
    root = make_site(example=True)
    own = root / "layouts" / "print"
    own.mkdir(parents=True)
    (own / "bulletin.html").write_text("<p>{{ series_title }}·第{{ number }}期·{{ date }}</p>", "utf-8")
    config = load_config(root)
    content = load_content(root, config)
    fonts = bulletin_fonts(config)
    html, css = render_bulletin_html(config, content, content.bulletins[0], print_layout_dirs(root), fonts)
    assert html == "<p>党员干部“学讲话用讲话”微心得专报·第1期·2026年5月12日</p>"
    assert "@page" in css  # the default stylesheet is still found


# ---------------------------------------------------------------- pipeline


def test_build_writes_each_issue_for_the_printer_and_the_site(make_site, capsys):
    root = make_site(
        {
            "content/articles/a.md": article(),
            "content/bulletins/001.yaml": LONG_BULLETIN.replace("long-case", "a").replace("number: 7", "number: 1"),
            "content/bulletins/002.yaml": LONG_BULLETIN.replace("long-case", "a").replace("number: 7", "number: 2"),
        }
    )
    config = load_config(root)
    content = load_content(root, config)
    outputs, notes = bulletin_outputs(config, content, root)
    assert sorted(outputs) == [
        "print/bulletin-1.pdf",
        "print/bulletin-2.pdf",
        "site/bulletins/1/bulletin-1.pdf",
        "site/bulletins/2/bulletin-2.pdf",
    ]
    assert outputs["print/bulletin-1.pdf"] == outputs["site/bulletins/1/bulletin-1.pdf"]
    assert outputs["print/bulletin-1.pdf"].startswith(b"%PDF-")
    warnings = [n for n in notes if n.startswith("提醒：")]
    assert len(warnings) == len(set(warnings))  # each substitution named once per build, not once per issue
    assert next(n for n in notes if not n.startswith("提醒：")).startswith("专报第1期：1 页，用时")
    result = build(BuildOptions(root=root, today=TODAY))
    assert result.errors == ()
    assert {"print/bulletin-1.pdf", "site/bulletins/2/bulletin-2.pdf"} <= set(result.outputs)
    without = build(BuildOptions(root=root, today=TODAY, pdf=False))
    assert not any(k.endswith(".pdf") for k in without.outputs)


# ---------------------------------------------------------------- validation


ISSUE = """\
# 第 3 期
date: 2026-05-12
number: 3
sections:
  - name: 上情下达
    articles:
      - a
      - b
  - name: 经验交流
    articles:
      - c
      - nowhere
"""


def test_validation_names_file_and_line_of_each_bad_reference(make_site):
    root = make_site(
        {
            "content/articles/a.md": article(),
            "content/articles/b.md": article(status="submitted"),
            "content/articles/c.md": article(form="体会文章"),
            "content/bulletins/003.yaml": ISSUE,
        }
    )
    assert problems(root) == [
        "content/bulletins/003.yaml:8: 第 3 期专报引用的文章“b”尚未审定（status: submitted） — 请先在 content/articles/b.md 中改为 status: approved，或从这里删去",
        "content/bulletins/003.yaml:11: “在读原著中悟原理”是体会文章，本专报只刊登微心得 — 请换一篇，或修改 site_config.yaml 的 bulletin.allowed_forms",
        "content/bulletins/003.yaml:12: 第 3 期专报引用的文章“nowhere”不存在 — 请写文章的 slug（默认是文件名，不含 .md）",
    ]


def test_issue_number_used_twice_points_at_the_number_line(make_site):
    ok = ISSUE.replace("      - b\n", "").replace("      - c\n      - nowhere\n", "      - a\n")
    root = make_site(
        {
            "content/articles/a.md": article(),
            "content/bulletins/003.yaml": ok,
            "content/bulletins/003-again.yaml": ok,
        }
    )
    assert problems(root) == [
        "content/bulletins/003.yaml:3: 期号 3 与 content/bulletins/003-again.yaml 重复 — 请改为下一个未用的期号"
    ]


def test_series_rule_follows_the_config(make_site):
    files = {
        "content/articles/c.md": article(form="体会文章"),
        "content/bulletins/003.yaml": ISSUE.replace("      - a\n      - b\n", "      - c\n").replace(
            "      - c\n      - nowhere\n", "      - c\n"
        ),
    }
    assert problems(make_site(files)) == [
        "content/bulletins/003.yaml:7: “在读原著中悟原理”是体会文章，本专报只刊登微心得 — 请换一篇，或修改 site_config.yaml 的 bulletin.allowed_forms",
        "content/bulletins/003.yaml:10: “在读原著中悟原理”是体会文章，本专报只刊登微心得 — 请换一篇，或修改 site_config.yaml 的 bulletin.allowed_forms",
    ]
    open_config = site_config_text(**{"allowed_forms: [微心得]": "allowed_forms: [微心得, 体会文章]"})
    assert problems(make_site(files, config=open_config)) == []
