"""`python build.py import`: Word submissions built in the tests with python-docx (no binary fixtures).

Chinese offices format by hand: a centred bold first line for the title, byline lines
under it, bold 一、 lines for headings, full-width spaces for indents.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

from conftest import CONTEST_SITE, REPO
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Pt

from xindelu.build.pipeline import BuildOptions
from xindelu.commands.docx_import import build_draft, read_docx, run_import
from xindelu.content.config import load_config
from xindelu.core.markdown import render_markdown
from xindelu.core.source import split_front_matter

FOOTNOTES_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"


def tiny_png() -> bytes:
    """A 2×2 red PNG, enough to be a real image part."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def plain_article(path: Path) -> Path:
    """Word's own styles: Title, Heading 1, lists, bold and italic runs."""
    doc = Document()
    doc.add_paragraph("在读原著中悟原理", style="Title")
    doc.add_paragraph("学习讲话，重在联系实际。读原著是基本功。")
    doc.add_heading("读原著要有耐心", level=1)
    p = doc.add_paragraph("要")
    p.add_run("逐字逐句").bold = True
    p.add_run("地读，")
    p.add_run("边读边想").italic = True
    p.add_run("。")
    doc.add_paragraph("第一，读原文；", style="List Bullet")
    doc.add_paragraph("第二，悟原理。", style="List Bullet")
    doc.add_paragraph("列出书目", style="List Number")
    doc.add_paragraph("排好进度", style="List Number")
    doc.add_paragraph("有人写成 **某地** 或 *某人*，也要照原样保留。")
    doc.save(path)
    return path


def hand_formatted(path: Path) -> Path:
    """No styles at all: centred bold title, byline lines, bold 一、/（一） headings."""
    doc = Document()

    def para(text: str, bold: bool = False, centre: bool = False, size: int = 16) -> None:
        p = doc.add_paragraph()
        run = p.add_run(text)
        run.bold = bold
        run.font.size = Pt(size)
        if centre:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER

    para("把讲话精神带进车间", bold=True, centre=True, size=22)
    para("作者单位：株洲市委宣传部", centre=True)
    para("姓名：李四", centre=True)
    para("职务：宣传科科长", centre=True)
    para("　　学习讲话精神，关键在于落实。我们把讲话精神带进车间班组。")
    para("一、学在车间", bold=True)
    para("　　每周一次班前学习，每次十分钟。")
    para("（一）讲给工人听", bold=True)
    para("　　用工人的话讲道理。")
    para("二、用在岗位")
    para("　　一是对标，二是攻关。今年共解决难题12项。")
    doc.save(path)
    return path


def table_footnote_image(path: Path) -> Path:
    """A table, a footnote (its part built by hand: python-docx has no footnote API) and a picture."""
    doc = Document()
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run("用数据说话").bold = True
    p = doc.add_paragraph("全年共开展宣讲活动")
    run = p.add_run()
    run._r.append(parse_xml(f'<w:footnoteReference {nsdecls("w")} w:id="1"/>'))
    p.add_run("，覆盖全部乡镇。")
    table = doc.add_table(rows=3, cols=3)
    for r, row in enumerate([["季度", "场次", "人数"], ["一季度", "12", "600"], ["二季度", "15", "800|900"]]):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    image = path.with_name("chart.png")
    image.write_bytes(tiny_png())
    doc.add_paragraph("下图是宣讲现场。")
    doc.add_picture(str(image))
    footnotes = (
        f"<w:footnotes {nsdecls('w')}>"
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
        '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
        '<w:footnote w:id="1"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> 数据来自县委宣传部2026年统计。</w:t></w:r></w:p></w:footnote>'
        "</w:footnotes>"
    )
    part = Part(PackURI("/word/footnotes.xml"), FOOTNOTES_CT, footnotes.encode("utf-8"), doc.part.package)
    doc.part.relate_to(part, RT.FOOTNOTES)
    doc.save(path)
    return path


def recommendation_form(path: Path) -> Path:
    """Like the attachment of seed 002: a centred form title, 单位 line, then a label/value table."""
    doc = Document()
    for text in ("“大学习 走在前·千名支部书记微宣讲”", "活动决赛推荐表"):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.add_run(text).bold = True
    doc.add_paragraph("单位（盖章）：市财政局")
    table = doc.add_table(rows=3, cols=6)
    cells = [
        ["姓  名", "王五", "性别", "男", "联系电话", "13800000000"],
        ["所在基层\n党组织及\n职    务", "市财政局机关第一党支部书记"],
        ["微宣讲\n讲稿提纲", ""],
    ]
    for r, row in enumerate(cells):
        if len(row) == 2:
            merged = table.cell(r, 1).merge(table.cell(r, 5))
            table.cell(r, 0).text = row[0]
            merged.text = row[1]
    for c, text in enumerate(cells[0]):
        table.cell(0, c).text = text
    outline = table.cell(2, 1)
    outline.text = "题目：让党的理论飞入寻常百姓家"
    for line in ("一、为什么要讲", "二、讲什么", "三、怎么讲好：用身边事讲大道理。"):
        outline.add_paragraph(line)
    doc.add_paragraph("注：1、9月15日前报送。")
    doc.save(path)
    return path


def broken(path: Path) -> Path:
    path.write_bytes(b"PK\x03\x04 this is not really a Word file")
    return path


# ---------------------------------------------------------------- tests


TODAY = dt.date(2026, 4, 8)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "SOURCE_DATE_EPOCH": "1775606400"}  # 2026-04-08 in China
    return subprocess.run([sys.executable, str(REPO / "build.py"), *args], capture_output=True, text=True, env=env)


def imported(root: Path, docx: Path) -> tuple[dict, str, str]:
    """Import one file in-process; (front matter, body, printed lines)."""
    lines: list[str] = []
    code = run_import(BuildOptions(root, TODAY), [docx], out=lines.append)
    assert code == 0, lines
    written = lines[0].split(" → ")[1]
    source, errors = split_front_matter(written, (root / written).read_text("utf-8"))
    assert source is not None and not errors
    return dict(source.front_matter), source.body, "\n".join(lines)


def test_plain_article_with_word_styles(make_site, tmp_path):
    root = make_site()
    front, body, printed = imported(root, plain_article(tmp_path / "在读原著中悟原理.docx"))
    assert front == {
        "title": "在读原著中悟原理",
        "author": None,
        "unit": None,
        "category": "学而思",
        "form": "微心得",
        "date": "2026-04-08",
        "status": "submitted",
        "slug": "zai-du-yuan-zhu-zhong-wu-yuan-li",
    }
    assert body == (
        "学习讲话，重在联系实际。读原著是基本功。\n\n"
        "## 读原著要有耐心\n\n"
        "要**逐字逐句**地读，*边读边想*。\n\n"
        "- 第一，读原文；\n- 第二，悟原理。\n\n"
        "1. 列出书目\n2. 排好进度\n\n"
        "有人写成 \\*\\*某地\\*\\* 或 \\*某人\\*，也要照原样保留。\n"
    )
    html = render_markdown(body).html
    assert "<ul>" in html and "<ol>" in html and "**某地**" in html
    assert "识别：标题“在读原著中悟原理”（首行“标题”样式" in printed
    assert "未能识别：作者（author）；单位（unit） — 已留空，请在文件中填写" in printed
    assert (
        "check 会报告：content/articles/2026/zai-du-yuan-zhu-zhong-wu-yuan-li.md:4: 缺少必填字段 author（作者）"
        in printed
    )


def test_hand_formatted_article(make_site, tmp_path):
    root = make_site()
    docx = hand_formatted(tmp_path / "稿件.docx")
    lines: list[str] = []
    assert run_import(BuildOptions(root, TODAY), [docx], out=lines.append) == 0
    path = root / "content/articles/2026/ba-jiang-hua-jing-shen-dai-jin-che-jian.md"
    assert path.read_text("utf-8") == (
        "---\n"
        "# 导入自：稿件.docx\n"
        "title: 把讲话精神带进车间\n"
        "author: 李四\n"
        "position: 宣传科科长\n"
        "unit: 株洲市\n"
        "category: 学而思\n"
        "form: 微心得\n"
        "date: 2026-04-08\n"
        "status: submitted\n"
        "slug: ba-jiang-hua-jing-shen-dai-jin-che-jian\n"
        "---\n"
        "学习讲话精神，关键在于落实。我们把讲话精神带进车间班组。\n\n"
        "## 一、学在车间\n\n"
        "每周一次班前学习，每次十分钟。\n\n"
        "### （一）讲给工人听\n\n"
        "用工人的话讲道理。\n\n"
        "## 二、用在岗位\n\n"  # not bold, but short and numbered: still a heading
        "一是对标，二是攻关。今年共解决难题12项。\n"
    )
    assert lines[1] == (
        "  识别：标题“把讲话精神带进车间”（首行居中、字号较大、加粗）；作者 李四；单位 株洲市，由文中“株洲市委宣传部”判断；"
        "职务 宣传科科长；体裁 微心得（正文 92 字，不超过 500 字）"
    )
    assert (
        lines[2] == "  默认：类别 学而思（无法从文中判断，请核对）；日期 2026-04-08（导入当天，发布前请改为发布日期）"
    )
    assert run("check", "--root", str(root)).returncode == 0


def test_table_footnote_and_image(make_site, tmp_path):
    root = make_site()
    front, body, printed = imported(root, table_footnote_image(tmp_path / "长沙市-数据.docx"))
    assert front["title"] == "用数据说话"
    assert front["unit"] == "长沙市"  # from the file name
    assert body == (
        "全年共开展宣讲活动[^1]，覆盖全部乡镇。\n\n"
        "| 季度 | 场次 | 人数 |\n| --- | --- | --- |\n| 一季度 | 12 | 600 |\n| 二季度 | 15 | 800\\|900 |\n\n"
        "下图是宣讲现场。\n\n"
        "![](yong-shu-ju-shuo-hua-1.png)\n\n"
        "[^1]: 数据来自县委宣传部2026年统计。\n"
    )
    image = root / "content/articles/2026/yong-shu-ju-shuo-hua-1.png"
    assert image.read_bytes() == tiny_png()
    html = render_markdown(body).html
    assert "<table>" in html and "800|900" in html and 'class="footnote"' in html and "2026年统计" in html
    assert "单位 长沙市，由文件名“长沙市”判断" in printed
    assert "图片：1 张，已复制到 content/articles/2026/" in printed


def test_recommendation_form(tmp_path):
    root = tmp_path / "contest"
    shutil.copytree(CONTEST_SITE, root)
    front, body, printed = imported(root, recommendation_form(tmp_path / "推荐表.docx"))
    assert front["title"] == "让党的理论飞入寻常百姓家"
    assert front["author"] == "王五"
    assert front["unit"] == "市财政局"
    assert front["position"] == "市财政局机关第一党支部书记"
    assert front["form"] == "课件提纲"  # the shortest form the 字数 fits
    # The third point is a sentence (it ends in 。): a paragraph, not a heading.
    assert body == "## 一、为什么要讲\n\n## 二、讲什么\n\n三、怎么讲好：用身边事讲大道理。\n"
    text = next((root / "content/articles/2026").glob("rang-*.md")).read_text("utf-8")
    assert "13800000000" not in text and "性别" not in text  # personal data stays out of the article
    assert "未导入个人信息：性别、联系电话" in printed
    assert "表头““大学习 走在前·千名支部书记微宣讲”活动决赛推荐表”不是文章标题" in printed
    assert run("check", "--root", str(root)).returncode == 0


def test_trailing_byline_and_two_line_title(tmp_path):
    doc = Document()
    for text in ("在平凡岗位上", "——一名社区书记的学习体会"):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.add_run(text).bold = True
    doc.add_paragraph("学习讲话，我深受教育。")
    doc.add_paragraph("（作者系长沙市芙蓉区某社区党委书记）")
    doc.save(tmp_path / "a.docx")
    draft = build_draft(read_docx(tmp_path / "a.docx"), load_config(REPO), "a.docx", TODAY)
    assert draft.front["title"] == "在平凡岗位上——一名社区书记的学习体会"
    assert draft.front["unit"] == "长沙市"
    assert draft.front["position"] == "长沙市芙蓉区某社区党委书记"
    assert draft.body == "学习讲话，我深受教育。\n"


def test_a_folder_in_one_run_never_overwrites(make_site, tmp_path):
    root = make_site()
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    hand_formatted(inbox / "1.docx")
    table_footnote_image(inbox / "2.docx")
    broken(inbox / "3.docx")
    (inbox / "4.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    (inbox / "~$1.docx").write_bytes(b"lock")
    result = run("import", str(inbox), "--root", str(root))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "3.docx: 无法打开：文件已损坏，或不是 Word 文档（.docx） — 请用 Word 或 WPS 打开后“另存为”.docx 再导入",
        "4.doc: 这是旧版 Word/WPS 格式（.doc），不能直接导入 — 请用 Word 打开，点“文件 → 另存为”，保存类型选“Word 文档（*.docx）”；"
        "或用 WPS 打开，点“文件 → 另存为”，文件类型选“Word 文件（*.docx）”，再导入新文件",
    ]
    assert result.stdout.splitlines()[0] == "1.docx → content/articles/2026/ba-jiang-hua-jing-shen-dai-jin-che-jian.md"
    assert result.stdout.splitlines()[-1].startswith("共 4 个文件：导入 2 篇，跳过 0 篇（已导入过），失败 2 个。")
    first = root / "content/articles/2026/ba-jiang-hua-jing-shen-dai-jin-che-jian.md"
    first.write_text(first.read_text("utf-8").replace("status: submitted", "status: approved"), encoding="utf-8")
    edited = first.read_bytes()
    # Run again: the same files are skipped, a different file with the same title gets its own slug.
    hand_formatted(inbox / "5.docx")
    again = run("import", str(inbox / "1.docx"), str(inbox / "5.docx"), "--root", str(root))
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[0] == (
        "1.docx: 已导入过（content/articles/2026/ba-jiang-hua-jing-shen-dai-jin-che-jian.md），跳过，原文件未改动"
    )
    assert again.stdout.splitlines()[1] == "5.docx → content/articles/2026/ba-jiang-hua-jing-shen-dai-jin-che-jian-2.md"
    assert first.read_bytes() == edited


def test_nothing_to_import_is_said_in_chinese(make_site, tmp_path):
    root = make_site()
    result = run("import", str(tmp_path), "--root", str(root))
    assert result.returncode == 1
    assert result.stderr == "没有找到 .docx 文件 — 请给出 Word 文件或装有 Word 文件的文件夹\n"


def test_a_mistyped_name_suggests_the_docx(make_site, tmp_path):
    root = make_site()
    hand_formatted(tmp_path / "株洲-李四.docx")
    result = run("import", str(tmp_path / "株洲-李四.doc"), "--root", str(root))
    assert result.returncode == 1
    assert result.stderr == "株洲-李四.doc: 找不到这个文件或文件夹 — 是否指 株洲-李四.docx？\n"
