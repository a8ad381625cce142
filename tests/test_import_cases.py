"""`import` on the kinds of Word files units really send, each built here from raw WordprocessingML.

Each fixture mimics one case from issue 20 (titles, bylines, covers, numbering, headings,
unconvertible objects) or the quirks of one producer (Word, WPS, Pages, Tencent Docs), and
asserts the exact front matter and body. All names, units and text are invented.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO
from docx_builder import (
    EQUATION,
    OLE_OBJECT,
    PAGE_BREAK,
    WPS_STYLES,
    Doc,
    graphic,
    inline_picture,
    numbering_xml,
    ole2,
    para,
    ruby,
    run,
    table,
    text_box,
    tiny_png,
    toc_sdt,
)

from xindelu.build.pipeline import BuildOptions
from xindelu.commands.docx_import import Draft, build_draft, import_slug, read_docx, run_import
from xindelu.commands.docx_numbering import Counter, Numbering, format_number
from xindelu.content.config import load_config

TODAY = dt.date(2026, 4, 8)
CONFIG = load_config(REPO)


def draft(doc: Doc, tmp_path: Path, name: str = "稿件.docx") -> Draft:
    path = doc.save(tmp_path / name)
    return build_draft(read_docx(path), CONFIG, name, TODAY)


def front(title: str, form: str = "微心得", **fields: object) -> dict[str, object]:
    """The front matter an import writes: fields in the order of the file, category and date defaulted."""
    out: dict[str, object] = {"title": title}
    for key in ("author", "position", "unit"):
        if key in fields:
            out[key] = fields.pop(key)
    out.update({"category": "学而思", "form": form, "date": "2026-04-08", "status": "submitted"})
    out.update(fields)
    return out


def body_of(*paragraphs: str) -> str:
    return "\n\n".join(paragraphs) + "\n"


# ---------------------------------------------------------------- titles


def test_thesis_cover_statement_toc_and_chapter_numbering(tmp_path):
    """Word for Windows thesis: a kicker and field labels on a cover page, an originality statement,
    a TOC field, a running header, chapters numbered by the heading styles (第%1章, isLgl %1.%2)."""
    numbering = numbering_xml(
        {1: [("chineseCounting", "第%1章", 1), ("decimal!", "%1.%2", 1), ("decimal!", "%1.%2.%3", 1)]}, {5: (1, {})}
    )
    styles = (
        '<w:style w:type="paragraph" w:styleId="H1x"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/>'
        '<w:pPr><w:numPr><w:numId w:val="5"/></w:numPr><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/><w:sz w:val="32"/></w:rPr></w:style>'
        '<w:style w:type="paragraph" w:styleId="H2x"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/>'
        '<w:pPr><w:numPr><w:ilvl w:val="1"/><w:numId w:val="5"/></w:numPr><w:outlineLvl w:val="1"/></w:pPr><w:rPr><w:b/></w:rPr></w:style>'
    )
    doc = Doc().numbering(numbering).styles(styles)
    doc.add(
        para("工 程 概 论 论 文", size=26, bold=True, centre=True),
        para("题目：乡村治理中的数字化探索", size=16, centre=True),
        para("学    号：20260123", size=14),
        para("姓    名：林晓明", size=14),
        para("指导教师：周文清", size=14),
        para("二〇二六年五月", centre=True),
        PAGE_BREAK,
        para("学位论文独创性声明", bold=True, centre=True),
        para("本人郑重声明：所呈交的论文是本人在导师指导下独立完成的研究成果。"),
        para("作者签名：\u3000\u3000\u3000日期："),
        PAGE_BREAK,
        toc_sdt(["第一章 绪论", "1.1 研究背景", "第二章 现状分析"]),
        para("摘  要", bold=True, centre=True, page_break_before=True),
        para("本文以一个县为例，讨论乡村治理中数字化工具的使用情况和存在的问题，并提出建议。"),
        para("绪论", style="H1x"),
        para("研究背景", style="H2x"),
        para("近年来，数字化工具在乡村治理中应用越来越广，本章介绍研究的背景和意义。"),
        para("研究意义", style="H2x"),
        para("本研究有助于理解乡村治理的现实需求，为改进工作提供参考。"),
        para("现状分析", style="H1x"),
        para("调查对象", style="H2x"),
        para("调查覆盖十二个村（社区），共回收问卷三百份，有效问卷二百八十份。"),
    )
    doc.header("某某大学本科毕业论文")
    result = draft(doc, tmp_path)
    assert result.front == front("乡村治理中的数字化探索", author="林晓明")
    assert result.body == body_of(
        "## 摘  要",
        "本文以一个县为例，讨论乡村治理中数字化工具的使用情况和存在的问题，并提出建议。",
        "## 第一章 绪论",
        "### 1.1 研究背景",
        "近年来，数字化工具在乡村治理中应用越来越广，本章介绍研究的背景和意义。",
        "### 1.2 研究意义",
        "本研究有助于理解乡村治理的现实需求，为改进工作提供参考。",
        "## 第二章 现状分析",
        "### 2.1 调查对象",
        "调查覆盖十二个村（社区），共回收问卷三百份，有效问卷二百八十份。",
    )
    assert result.dropped == (
        "页眉页脚 1 处（“某某大学本科毕业论文”）",
        "目录 4 行（目录域）",
        "封面 6 行（“工 程 概 论 论 文”“题目：乡村治理中的数字化探索”等）",
        "原创性声明、授权书等 3 行（“学位论文独创性声明”）",
    )
    assert "标题“乡村治理中的数字化探索”（封面上的标题）" in result.guessed


def test_attachment_label_two_line_title_names_and_unit(tmp_path):
    doc = Doc().add(
        para("附件4", size=16),
        para("关于开展党员志愿服务", bold=True, size=22, centre=True),
        para("活动的实施方案", bold=True, size=22, centre=True),
        para("张明远、李华", centre=True, size=16),
        para("（株洲市委宣传部）", centre=True, size=16),
        para("\t为深入学习贯彻讲话精神，结合实际，制定本方案。本方案适用于全体党员。", size=16),
        para("一、总体要求", size=16, bold=True),
        para("\t坚持问题导向，突出实际效果，做到学用结合。", size=16),
    )
    result = draft(doc, tmp_path)
    assert result.front == front("关于开展党员志愿服务活动的实施方案", author=["张明远", "李华"], unit="株洲市")
    assert result.body == body_of(
        "为深入学习贯彻讲话精神，结合实际，制定本方案。本方案适用于全体党员。",
        "## 一、总体要求",
        "坚持问题导向，突出实际效果，做到学用结合。",
    )
    assert result.dropped == ("标签“附件4”",)


def test_a_plain_first_line_is_the_title(tmp_path):
    doc = Doc().add(
        para("在学习中找准方向"),
        para("湘潭市委宣传部 王晓燕"),
        para("学习讲话以来，我结合岗位实际，认真研读原文，对照检查不足，收获很多。"),
        para("今后还要继续努力，把学到的东西用到工作中去。"),
    )
    result = draft(doc, tmp_path)
    assert result.front == front("在学习中找准方向", author="王晓燕", unit="湘潭市")
    assert result.body == body_of(
        "学习讲话以来，我结合岗位实际，认真研读原文，对照检查不足，收获很多。",
        "今后还要继续努力，把学到的东西用到工作中去。",
    )
    assert "标题“在学习中找准方向”（第一行短句，未设格式）" in result.guessed


def test_speech_soft_break_title_subtitle_date_and_speaker(tmp_path):
    """A speech: the title and the greeting in one paragraph split by a soft line break would be
    the Tencent Docs way; here the title has a —— subtitle, a date line and the speaker's name."""
    doc = Doc().add(
        para("凝心聚力开新局", bold=True, size=22, centre=True),
        para("——在全市宣传思想工作会议上的讲话", size=16, centre=True),
        para("（2026年3月5日）", size=16, centre=True),
        para("刘建国", size=16, centre=True),
        para("同志们：", size=16),
        para("\t今天召开会议，主要任务是总结去年工作，部署今年任务。下面，我讲三点意见。", size=16),
    )
    result = draft(doc, tmp_path)
    assert result.front == front("凝心聚力开新局——在全市宣传思想工作会议上的讲话", author="刘建国")
    assert result.body == body_of(
        "同志们：", "今天召开会议，主要任务是总结去年工作，部署今年任务。下面，我讲三点意见。"
    )
    assert result.dropped == ("标题下的日期“（2026年3月5日）”",)


def test_title_ended_by_a_soft_break_and_a_greeting(tmp_path):
    doc = Doc().add(
        para("在青年干部座谈会上的发言\n尊敬的各位领导、同志们：", size=16),
        para("很高兴有机会和大家交流学习体会。下面我谈三点认识，不当之处请批评指正。", size=16),
    )
    result = draft(doc, tmp_path)
    assert result.front["title"] == "在青年干部座谈会上的发言"
    assert result.body == body_of(
        "尊敬的各位领导、同志们：", "很高兴有机会和大家交流学习体会。下面我谈三点认识，不当之处请批评指正。"
    )


def test_cover_fields_and_classification_lines_are_not_titles(tmp_path):
    doc = Doc().add(
        para("分类号：D267"),
        para("密  级：公开"),
        para("关于社区网格化管理的调研报告", bold=True, size=18, centre=True),
        para("作者：陈思远", centre=True),
        para("作者单位：衡阳市委宣传部", centre=True),
        para("网格化管理是基层治理的重要抓手。近期，我们对全市网格化管理情况进行了调研。"),
    )
    result = draft(doc, tmp_path)
    assert result.front == front("关于社区网格化管理的调研报告", author="陈思远", unit="衡阳市")
    assert result.body == body_of("网格化管理是基层治理的重要抓手。近期，我们对全市网格化管理情况进行了调研。")


def test_letter_spaced_kicker_is_dropped(tmp_path):
    doc = Doc().add(
        para("心 得 体 会", size=26, bold=True, centre=True),
        para("把论文写在田野上", size=22, bold=True, centre=True),
        para("岳阳市 周小雨", centre=True),
        para("驻村一年，我对“把论文写在大地上”有了新的体会。群众的事再小也是大事。"),
    )
    result = draft(doc, tmp_path)
    assert result.front == front("把论文写在田野上", author="周小雨", unit="岳阳市")
    assert result.dropped == ("标题上方的题头“心 得 体 会”",)


def test_one_character_per_line_cover_is_dropped(tmp_path):
    doc = Doc().add(
        *(para(ch, bold=True, size=36, centre=True) for ch in "述职报告"),
        PAGE_BREAK,
        para("2025年度个人述职报告", bold=True, size=22, centre=True),
        para("邵阳市委宣传部 何志强", centre=True),
        para("一年来，在部领导的带领下，我认真履行岗位职责，较好完成了各项工作任务。"),
    )
    result = draft(doc, tmp_path)
    assert result.front == front("2025年度个人述职报告", author="何志强", unit="邵阳市")
    assert result.body == body_of("一年来，在部领导的带领下，我认真履行岗位职责，较好完成了各项工作任务。")
    assert result.dropped == ("封面 4 行（“述职报告”）",)


def test_file_name_only_when_there_is_no_title(tmp_path):
    doc = Doc().add(
        para("学习讲话以来，我结合岗位实际，认真研读原文，对照检查不足，收获很多。"),
        para("今后还要继续努力，把学到的东西用到工作中去。"),
    )
    result = draft(doc, tmp_path, "Study_Notes-April.docx")
    assert result.front["title"] == "Study Notes-April"
    assert import_slug(result.front["title"]) == "study-notes-april"


# ---------------------------------------------------------------- bylines


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("张明远，李华", {"author": ["张明远", "李华"]}),
        ("张明远 李华 王芳", {"author": ["张明远", "李华", "王芳"]}),
        ("株洲市委宣传部　张明远", {"author": "张明远", "unit": "株洲市"}),
        ("张明远（长沙市委宣传部）", {"author": "张明远", "unit": "长沙市"}),
        ("（作者单位：湘潭市委宣传部）", {"unit": "湘潭市"}),
        ("作者：李华", {"author": "李华"}),
        ("文/王强", {"author": "王强"}),
        ("张  三", {"author": "张三"}),
        ("省委讲师团 欧阳明 副团长", {"author": "欧阳明", "unit": "省委讲师团", "position": "副团长"}),
    ],
)
def test_byline_forms(tmp_path, line, expected):
    doc = Doc().add(
        para("把学习成果转化为工作实效", bold=True, size=22, centre=True),
        para(line, centre=True),
        para("学习贯彻讲话精神，关键在于把学习成果转化为推动工作的实际成效。"),
    )
    result = draft(doc, tmp_path)
    got = {k: result.front[k] for k in ("author", "unit", "position") if k in result.front}
    if "unit" in expected and "position" not in expected and got.get("position"):
        got.pop("position")  # the full unit text is kept as the position when it says more than the unit
    assert got == expected
    assert result.body == body_of("学习贯彻讲话精神，关键在于把学习成果转化为推动工作的实际成效。")


def test_news_release_correspondents_at_the_end(tmp_path):
    doc = Doc().add(
        para("我市举办理论宣讲骨干培训班", bold=True, size=22, centre=True),
        para("\t4月2日，我市理论宣讲骨干培训班开班，来自各区县的八十名宣讲骨干参加培训。"),
        para("\t培训为期三天，采取专题辅导、现场教学、分组研讨等方式进行。"),
        para("（通讯员 刘洋 陈静）"),
        para("编辑：宋雨"),
    )
    result = draft(doc, tmp_path, "常德-新闻稿.docx")
    assert result.front == front("我市举办理论宣讲骨干培训班", author=["刘洋", "陈静"], unit="常德市")
    assert result.body == body_of(
        "4月2日，我市理论宣讲骨干培训班开班，来自各区县的八十名宣讲骨干参加培训。",
        "培训为期三天，采取专题辅导、现场教学、分组研讨等方式进行。",
    )
    assert result.dropped == ("文末署名“编辑：宋雨”",)


def test_unknown_unit_is_kept_as_a_comment(make_site, tmp_path):
    root = make_site()
    doc = Doc().add(
        para("小院里的大课堂", bold=True, size=22, centre=True),
        para("某某县农业农村局 赵敏", centre=True),
        para("村里的小院，成了群众学理论、议事情的好地方。每周三晚上，大家都会来听一听。"),
    )
    path = doc.save(tmp_path / "小院.docx")
    lines: list[str] = []
    assert run_import(BuildOptions(root, TODAY), [path], out=lines.append) == 0
    text = (root / "content/articles/2026/xiao-yuan-li-de-da-ke-tang.md").read_text("utf-8")
    assert "author: 赵敏\n" in text
    assert "unit:   # 未能识别单位，请填写已登记的单位名称或简称，如 unit: 长沙\n# 原文单位：某某县农业农村局\n" in text
    assert (
        "  未能识别：单位（unit）：原文“某某县农业农村局”不是已登记的单位或别名，已写成注释“# 原文单位：某某县农业农村局”"
        "，请改填 site_config.yaml 中登记的单位，或在 unit_groups 里为它加别名 — 已留空，请在文件中填写"
    ) in lines


# ---------------------------------------------------------------- numbering and headings


def village_plan_numbering() -> str:
    return numbering_xml(
        {
            1: [("chineseCounting", "（%1）", 6)],
            2: [("decimal", "%1、", 1)],
            3: [("chineseCounting", "%1、", 1), ("chineseCounting", "（%2）", 1)],
            4: [("decimal", "%1.", 1)],
        },
        {1: (1, {}), 2: (2, {0: 24}), 3: (3, {}), 4: (3, {}), 6: (4, {}), 7: (4, {}), 8: (4, {0: 1})},
    )


def test_numbering_exactly_as_word_shows_it(tmp_path):
    """Start values, startOverride, two numIds sharing one list continuing, restarts."""
    doc = Doc().numbering(village_plan_numbering())
    doc.add(
        para("关于做好村级事务管理工作的安排", bold=True, centre=True, size=22),
        para("各村（社区）要按照要求抓好落实，现将有关事项安排如下，请认真执行。"),
        para("做好宣传发动", num=(3, 0)),
        para("明确任务分工", num=(3, 1)),
        para("建立工作台账，逐项明确责任人和完成时限；", num=(3, 1)),
        para("中间插入一段说明文字，不带编号。这一段比较长，把列表隔开。"),
        para("抓好督促检查", num=(4, 0)),
        para("定期调度", num=(4, 1)),
        para("坚持每月调度一次，及时发现和解决问题。", num=(1, 0)),
        para("把结果纳入年度考核，做到奖惩分明。", num=(1, 0)),
        para("完善村规民约，广泛征求群众意见。", num=(2, 0)),
        para("加强环境整治，落实门前三包责任。", num=(2, 0)),
        para("列出书目", num=(6, 0)),
        para("排好进度", num=(6, 0)),
        para("另起一段说明。这一段也不带编号，用来分隔两个列表。"),
        para("接着数", num=(7, 0)),
        para("重新数", num=(8, 0)),
    )
    result = draft(doc, tmp_path)
    assert result.body == body_of(
        "各村（社区）要按照要求抓好落实，现将有关事项安排如下，请认真执行。",
        "## 一、做好宣传发动",
        "### （一）明确任务分工",
        "（二）建立工作台账，逐项明确责任人和完成时限；",  # a sentence: not a heading
        "中间插入一段说明文字，不带编号。这一段比较长，把列表隔开。",
        "## 二、抓好督促检查",  # another numId on the same list continues it
        "### （一）定期调度",
        "（六）坚持每月调度一次，及时发现和解决问题。",  # the level starts at 6
        "（七）把结果纳入年度考核，做到奖惩分明。",
        "24、完善村规民约，广泛征求群众意见。",  # startOverride 24
        "25、加强环境整治，落实门前三包责任。",
        "1. 列出书目\n2. 排好进度",
        "另起一段说明。这一段也不带编号，用来分隔两个列表。",
        "3. 接着数",
        "1) 重新数",  # a restart: a new Markdown list (the other delimiter keeps it apart)
    )


def test_counter_semantics():
    from lxml import etree

    xml = (
        '<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        '<w:abstractNum w:abstractNumId="1">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1.%2"/></w:lvl>'
        '<w:lvl w:ilvl="2"><w:start w:val="1"/><w:lvlRestart w:val="0"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%3)"/></w:lvl>'
        "</w:abstractNum>"
        '<w:num w:numId="1"><w:abstractNumId w:val="1"/></w:num>'
        '<w:num w:numId="2"><w:abstractNumId w:val="1"/><w:lvlOverride w:ilvl="1"><w:lvl w:ilvl="1">'
        '<w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="(%2)"/></w:lvl></w:lvlOverride></w:num>'
        "</w:numbering>"
    )
    counter = Counter(Numbering.parse(etree.fromstring(xml)))
    labels = [counter.next(n, lvl).text for n, lvl in [("1", 1), ("1", 2), ("1", 0), ("1", 1), ("1", 2), ("2", 1)]]
    # a parent never used shows 0 (Word's "0.1"); level 2 never restarts (lvlRestart 0); numId 2
    # shares the list but redefines level 1 as Roman numerals.
    assert labels == ["0.1", "a)", "1.", "1.1", "b)", "(II)"]


@pytest.mark.parametrize(
    ("n", "fmt", "text"),
    [
        (10, "chineseCounting", "十"),
        (24, "chineseCounting", "二十四"),
        (105, "chineseCountingThousand", "一百零五"),
        (12, "chineseLegalSimplified", "壹拾贰"),
        (3, "ideographTraditional", "丙"),
        (2026, "ideographDigital", "二〇二六"),
        (7, "decimalEnclosedCircle", "⑦"),
        (14, "upperRoman", "XIV"),
        (28, "lowerLetter", "bb"),
        (5, "decimalZero", "05"),
        (3, "decimalFullWidth", "３"),
    ],
)
def test_number_formats(n, fmt, text):
    assert format_number(n, fmt) == text


def test_typed_headings_follow_the_hierarchy(tmp_path):
    doc = Doc().add(
        para("把调查研究做深做实", bold=True, size=22, centre=True),
        para("调查研究是谋事之基、成事之道。下面结合工作实际谈几点体会。"),
        para("一、为什么要调研"),
        para("（一）找准问题", bold=True),
        para("1.深入一线", bold=True),
        para("坚持到问题多、困难大的地方去，听真话、察实情。"),
        para("1.不要只听汇报，要自己去看；"),  # a sentence: stays a paragraph
        para("（二）摸清底数"),
        para("二、怎样调研"),
        para("（1）带着问题去", bold=True),
        para("问题是调研的出发点。"),
    )
    result = draft(doc, tmp_path)
    assert result.body == body_of(
        "调查研究是谋事之基、成事之道。下面结合工作实际谈几点体会。",
        "## 一、为什么要调研",
        "### （一）找准问题",
        "#### 1.深入一线",
        "坚持到问题多、困难大的地方去，听真话、察实情。",
        "1.不要只听汇报，要自己去看；",
        "### （二）摸清底数",
        "## 二、怎样调研",
        "### （1）带着问题去",  # never skips a level, even when （一） and 1. are missing here
        "问题是调研的出发点。",
    )


def test_articles_and_decimal_heads(tmp_path):
    doc = Doc().add(
        para("村民议事会议事规则", bold=True, size=22, centre=True),
        para("第一章 总则", bold=True, centre=True),
        para("第一条 为规范村民议事会议事程序，根据有关规定，制定本规则。"),
        para("第二条", bold=True),
        para("议事会由村民代表组成，每届任期五年，可以连选连任。"),
        para("第二章 议事程序", bold=True, centre=True),
        para("3.1 议题的提出"),
        para("议题由村党组织、村委会或者十名以上村民联名提出。"),
        para("3.1.1 联名提出"),
        para("联名提出的议题，应当写明理由和建议。"),
    )
    result = draft(doc, tmp_path)
    assert result.body == body_of(
        "## 第一章 总则",
        "第一条 为规范村民议事会议事程序，根据有关规定，制定本规则。",
        "### 第二条",
        "议事会由村民代表组成，每届任期五年，可以连选连任。",
        "## 第二章 议事程序",
        "### 3.1 议题的提出",
        "议题由村党组织、村委会或者十名以上村民联名提出。",
        "#### 3.1.1 联名提出",
        "联名提出的议题，应当写明理由和建议。",
    )


# ---------------------------------------------------------------- producers' quirks


def test_wps_quirks(tmp_path):
    """WPS: style ids style0/style15, TAB and full-width-space indents, headings made with an outline
    level and no heading style, numbering restarted with startOverride."""
    numbering = numbering_xml({7: [("decimal", "%1.", 1)]}, {9: (7, {0: 3})})
    doc = Doc().styles(WPS_STYLES).numbering(numbering)
    doc.add(
        para("扎根基层践初心", style="style0", bold=True, size=22, centre=True),
        para("怀化市委宣传部 杨柳", style="style15", centre=True),
        para("\t\u3000我在村里工作三年，和群众一起修路、建产业，深感基层工作大有可为。", style="style15"),
        para("一、从“听不懂”到“说得通”", style="style0", outline=1),
        para("\t刚到村里时，我说的话群众听不懂。后来我学着用群众的话讲政策。", style="style15"),
        para("建好一条路", style="style0", num=(9, 0)),
        para("办好一个厂", style="style0", num=(9, 0)),
    )
    result = draft(doc, tmp_path)
    assert result.front == front("扎根基层践初心", author="杨柳", unit="怀化市")
    assert result.body == body_of(
        "我在村里工作三年，和群众一起修路、建产业，深感基层工作大有可为。",
        "## 一、从“听不懂”到“说得通”",
        "刚到村里时，我说的话群众听不懂。后来我学着用群众的话讲政策。",
        "3. 建好一条路\n4. 办好一个厂",
    )


def test_pages_export_with_a_table_cover(tmp_path):
    """Apple Pages and some templates lay the cover out as a table of labels and values."""
    doc = Doc().add(
        table([["题目", "让理论宣讲更接地气"], ["姓名", "郑雅文"], ["单位", "益阳市委宣传部"], ["日期", "2026年3月"]]),
        para("理论宣讲要让群众听得懂、记得住、用得上。这几年我们在宣讲中摸索出一些办法。"),
        para("一是讲身边事。用群众身边的变化讲道理，大家一听就明白。"),
    )
    result = draft(doc, tmp_path)
    assert result.front == front("让理论宣讲更接地气", author="郑雅文", unit="益阳市")
    assert result.body == body_of(
        "理论宣讲要让群众听得懂、记得住、用得上。这几年我们在宣讲中摸索出一些办法。",
        "一是讲身边事。用群众身边的变化讲道理，大家一听就明白。",
    )


def test_tencent_docs_soft_break_title_and_ruby(tmp_path):
    """Tencent Docs: a two-line title in one paragraph split by a soft break; ruby over a character."""
    doc = Doc().add(
        para("守好一方水土\n护好一方百姓", bold=True, size=20, centre=True),
        para("郴州市 黄一鸣", centre=True),
        para(runs=run("“忠") + ruby("恕", "shù") + run("任事”是老一辈留下的家训，我一直记在心里。")),
    )
    result = draft(doc, tmp_path)
    assert result.front == front("守好一方水土护好一方百姓", author="黄一鸣", unit="郴州市")
    assert result.body == body_of("“忠恕任事”是老一辈留下的家训，我一直记在心里。")
    assert result.unconverted == ("注音（拼音标注已去掉，保留了汉字） 1 处",)


# ---------------------------------------------------------------- nothing lost silently


def test_markers_for_what_cannot_be_converted(make_site, tmp_path):
    root = make_site()
    doc = Doc()
    tmp_image = doc.image(tiny_png(), "/word/media/image1.tmp", "image/png")
    named_image = doc.image(tiny_png(), "/word/media/image2.png", "image/png")
    doc.add(
        para("用好身边的数据", bold=True, centre=True, size=22),
        para("娄底市委宣传部 曾晓", centre=True),
        para(runs=run("当速度满足") + EQUATION + run("时，结果成立。")),
        para(runs=run("下面是文本框：") + text_box("文本框里的一段说明文字。")),
        para(runs=run("图表如下。") + graphic("chart")),
        para(runs=graphic("diagram")),
        para(runs=run("附表：") + OLE_OBJECT),
        para(runs=inline_picture(tmp_image, descr="C:\\Users\\admin\\Desktop\\现场照片.jpg")),
        para(runs=inline_picture(named_image, descr="宣讲现场")),
    )
    path = doc.save(tmp_path / "数据.docx")
    lines: list[str] = []
    assert run_import(BuildOptions(root, TODAY), [path], out=lines.append) == 0
    text = (root / "content/articles/2026/yong-hao-shen-bian-de-shu-ju.md").read_text("utf-8")
    assert text.split("---\n", 2)[2] == body_of(
        "当速度满足【原文此处有公式，请对照原文补录】时，结果成立。",
        "下面是文本框：",
        "文本框里的一段说明文字。",
        "图表如下。【原文此处有图表，请对照原文补录或截图插入】",
        "【原文此处有SmartArt图形，请对照原文补录】",
        "附表：【原文此处有嵌入对象，请对照原文补录】",
        "![](yong-hao-shen-bian-de-shu-ju-1.png)",  # a path is no alt text; .tmp became .png
        "![宣讲现场](yong-hao-shen-bian-de-shu-ju-2.png)",
    )
    assert (root / "content/articles/2026/yong-hao-shen-bian-de-shu-ju-1.png").read_bytes() == tiny_png()
    assert (
        "  未能转换：公式（正文中已标出“【原文此处有公式……】”） 1 处；文本框（文字已作为段落放在原处，请核对位置） 1 处；"
        "图表（正文中已标出“【原文此处有图表……】”） 1 处；SmartArt 图形（正文中已标出“【原文此处有SmartArt图形……】”） 1 处；"
        "嵌入对象，如 Excel 表、Visio 图（正文中已标出“【原文此处有嵌入对象……】”） 1 处"
    ) in lines


# ---------------------------------------------------------------- files that are not .docx


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {"PYTHONPATH": str(REPO), "SOURCE_DATE_EPOCH": "1775606400", "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, str(REPO / "build.py"), *args], capture_output=True, text=True, env=env)


SAVE_AS = (
    "请用 Word 打开，点“文件 → 另存为”，保存类型选“Word 文档（*.docx）”；"
    "或用 WPS 打开，点“文件 → 另存为”，文件类型选“Word 文件（*.docx）”，再导入新文件"
)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("旧稿.doc", ole2(), f"旧稿.doc: 这是旧版 Word/WPS 格式（.doc），不能直接导入 — {SAVE_AS}"),
        ("旧稿.wps", ole2(), f"旧稿.wps: 这是旧版 Word/WPS 格式（.wps），不能直接导入 — {SAVE_AS}"),
        ("模板.wpt", ole2(), f"模板.wpt: 这是旧版 Word/WPS 格式（.wpt），不能直接导入 — {SAVE_AS}"),
        ("改名的.docx", ole2(), f"改名的.docx: 这是旧版 Word/WPS 格式（.doc），不能直接导入 — {SAVE_AS}"),
        (
            "其实是RTF.docx",
            b"{\\rtf1\\ansi ...}",
            f"其实是RTF.docx: 这是 RTF 格式的文件（只是扩展名写成了 Word 的），不能直接导入 — {SAVE_AS}",
        ),
        (
            "网页.doc",
            b"<html><body>...</body></html>",
            f"网页.doc: 这是网页格式的文件（只是扩展名写成了 Word 的），不能直接导入 — {SAVE_AS}",
        ),
        (
            "加密.docx",
            ole2(encrypted=True),
            "加密.docx: 文件设置了打开密码，无法读取 — 请用 Word 或 WPS 输入密码打开，在“文件 → 信息 → 保护文档”"
            "（WPS：“文件 → 文档加密 → 密码加密”）中清除密码并保存，再导入",
        ),
    ],
)
def test_files_that_are_not_docx(make_site, tmp_path, name, data, message):
    root = make_site()
    (tmp_path / name).write_bytes(data)
    result = cli("import", str(tmp_path / name), "--root", str(root))
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == message
    assert "Traceback" not in result.stderr


# ---------------------------------------------------------------- slugs and speed


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Annual_Report-2026", "annual-report-2026"),
        ("StudyNotes April", "study-notes-april"),
        (
            "学习贯彻党的二十届四中全会精神在新征程上奋力谱写中国式现代化湖南篇章",
            "xue-xi-guan-che-dang-de-er-shi-jie-si-zhong-quan-hui-jing",
        ),
        ("5G基站建设", "5-g-ji-zhan-jian-she"),
    ],
)
def test_slugs_keep_word_and_syllable_boundaries(title, slug):
    assert import_slug(title) == slug
    assert len(slug) <= 60


def test_twenty_thousand_paragraphs_in_linear_time(make_site, tmp_path):
    """The whole import (read, draft, write, validate) of 20,000 paragraphs; about 1 s on the dev machine."""
    root = make_site()
    numbering = numbering_xml({1: [("chineseCounting", "%1、", 1), ("chineseCounting", "（%2）", 1)]}, {1: (1, {})})
    parts = [para("两万段的长文档", bold=True, centre=True, size=22)]
    for i in range(20000):
        if i % 50 == 0:
            parts.append(para("分项标题", num=(1, (i // 50) % 2)))  # 一、（一） 二、（一） …
        else:
            parts.append(para(f"这是第{i}段正文，用来测量导入的速度，句子不长也不短。", size=16))
    path = Doc().numbering(numbering).add("".join(parts)).save(tmp_path / "long.docx")
    lines: list[str] = []
    started = time.perf_counter()
    run_import(BuildOptions(root, TODAY), [path], out=lines.append)
    elapsed = time.perf_counter() - started
    body = (root / "content/articles/2026/liang-wan-duan-de-zhang-wen-dang.md").read_text("utf-8")
    assert len(re.findall(r"^## ", body, re.M)) == 200 and len(re.findall(r"^### ", body, re.M)) == 200
    # level 1 restarts under every level 0: 一、（一） 二、（一） … 二百、（一）
    assert "\n## 二百、分项标题\n\n这是第19901段" in body and body.count("### （一）分项标题") == 200
    print(f"20,000 paragraphs imported in {elapsed:.2f} s")
    assert elapsed < 5.0, f"20,000 paragraphs took {elapsed:.1f} s"


# ---------------------------------------------------------------- more kinds of submissions


def test_notice_with_document_number_salutation_and_signature(tmp_path):
    doc = Doc().add(
        para("湘宣发〔2026〕3号", centre=True),
        para("关于开展心得交流活动的通知", bold=True, size=22, centre=True),
        para("各市州委宣传部，省直有关单位：", size=16),
        para("\t为深入学习贯彻讲话精神，经研究，决定开展心得交流活动。现将有关事项通知如下。", size=16),
        para("一、活动内容", size=16),
        para("\t围绕四个方面撰写心得。", size=16),
        para("株洲市委宣传部", align="right", size=16),
        para("2026年4月1日", align="right", size=16),
    )
    result = draft(doc, tmp_path)
    assert result.front == front("关于开展心得交流活动的通知", unit="株洲市")
    assert result.body == body_of(
        "各市州委宣传部，省直有关单位：",
        "为深入学习贯彻讲话精神，经研究，决定开展心得交流活动。现将有关事项通知如下。",
        "## 一、活动内容",
        "围绕四个方面撰写心得。",
        "株洲市委宣传部",  # a notice's signature stays; it names the unit
        "2026年4月1日",
    )
    assert result.dropped == ("标签“湘宣发〔2026〕3号”",)


def test_paper_without_page_breaks_and_a_typed_toc(tmp_path):
    doc = Doc().add(
        para("某某学院", size=26, bold=True, centre=True),
        para("课程论文", size=22, bold=True, centre=True),
        para("数字乡村建设研究", size=22, bold=True, centre=True),
        para("姓名：王晓", centre=True),
        para("目  录", centre=True, bold=True),
        para("第一章 绪论\t1"),
        para("第二章 现状……………5"),
        para("第一章 绪论", bold=True, centre=True),
        para("数字乡村建设是乡村振兴的重要内容，本文对此进行研究。本章介绍研究背景。"),
    )
    result = draft(doc, tmp_path)
    assert result.front["title"] == "数字乡村建设研究" and result.front["author"] == "王晓"
    assert result.body == body_of(
        "## 第一章 绪论", "数字乡村建设是乡村振兴的重要内容，本文对此进行研究。本章介绍研究背景。"
    )
    assert result.dropped == (
        "目录 2 行（手工输入的目录）",
        "标题上方的题头“某某学院”",
        "标题上方的题头“课程论文”",
    )


def test_news_lead_names_the_correspondents(tmp_path):
    doc = Doc().add(
        para("我县开展理论宣讲进万家活动", bold=True, size=20, centre=True),
        para("本报讯（通讯员 唐晓峰 林可）近日，我县启动理论宣讲进万家活动，组织宣讲员深入村组开展宣讲。"),
        para("活动将持续到年底。"),
    )
    result = draft(doc, tmp_path, "永州 新闻.docx")
    assert result.front == front("我县开展理论宣讲进万家活动", author=["唐晓峰", "林可"], unit="永州市")
    assert result.body.startswith("本报讯（通讯员 唐晓峰 林可）近日")  # the lead is the writer's sentence


def test_draft_label_phone_number_and_closing_signature(tmp_path):
    doc = Doc().add(
        para("关于加强村级财务管理的实施方案", bold=True, size=20, centre=True),
        para("（征求意见稿）", centre=True),
        para("张晓 13812345678", centre=True),
        para("为规范村级财务管理，制定本方案。本方案自发布之日起施行。"),
        para("张晓", align="right"),
        para("2026年3月1日", align="right"),
    )
    result = draft(doc, tmp_path, "娄底-方案.docx")
    assert result.front == front("关于加强村级财务管理的实施方案（征求意见稿）", author="张晓", unit="娄底市")
    assert result.body == body_of("为规范村级财务管理，制定本方案。本方案自发布之日起施行。")
    assert "13812345678" not in result.body
    assert result.dropped == ("文末署名下的日期“2026年3月1日”",)


def test_one_character_per_line_without_a_page_break(tmp_path):
    doc = Doc().add(
        *(para(ch, bold=True, size=36, centre=True) for ch in "心得体会"),
        para("做新时代的好干部", bold=True, size=22, centre=True),
        para("一年来，我认真学习讲话精神，努力做一名让群众满意的好干部。"),
    )
    result = draft(doc, tmp_path)
    assert result.front["title"] == "做新时代的好干部"
    assert result.dropped == ("标题上方一字一行的题头“心得体会”",)


def test_a_plain_title_ending_like_a_unit_is_still_a_title(tmp_path):
    doc = Doc().add(
        para("做新时代的好干部"),
        para("一年来，我认真学习讲话精神，努力做一名让群众满意的好干部。"),
    )
    assert draft(doc, tmp_path).front["title"] == "做新时代的好干部"


def test_alt_text_keeps_words_and_drops_file_names():
    from xindelu.commands.docx_reader import alt_text

    assert alt_text("2026年宣讲现场") == "2026年宣讲现场"
    assert alt_text("IMG_20260301_1030.jpg") == ""
    assert alt_text("D:\\照片\\宣讲.png") == ""
    assert alt_text("微信图片_20260301") == ""
    assert alt_text("", "党员活动室") == "党员活动室"


def test_html_chunk_from_a_web_editor_is_kept_as_text(tmp_path):
    doc = Doc()
    rid = doc.part(
        "/word/afchunk.htm",
        "text/html",
        "<html><body><h2>一、网上学习</h2><p>我们用网上课堂组织党员学习，每周一课。</p><p>效果&amp;反响都很好。</p></body></html>".encode(),
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/aFChunk",
    )
    doc.add(
        para("线上线下一起学", bold=True, size=22, centre=True),
        para("支部学习形式多样，线上线下相结合，党员参与热情高。"),
        f'<w:altChunk r:id="{rid}"/>',
    )
    result = draft(doc, tmp_path)
    assert result.body == body_of(
        "支部学习形式多样，线上线下相结合，党员参与热情高。",
        "## 一、网上学习",
        "我们用网上课堂组织党员学习，每周一课。",
        "效果&反响都很好。",
    )
    assert result.unconverted == ("嵌入的网页片段（已按文字导入，请核对格式） 1 处",)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("通讯员：邱雨桐 范一凡", {"author": ["邱雨桐", "范一凡"]}),
        ("（通讯员 唐晓峰 林可 摄影 伍佳）", {"author": ["唐晓峰", "林可", "伍佳"]}),
        ("（作者：郑明，株洲市委宣传部）", {"author": "郑明", "unit": "株洲市"}),
        ("（本文作者系岳阳市委宣传部干部）", {"unit": "岳阳市", "position": "岳阳市委宣传部干部"}),
        ("作者单位：邵阳市委宣传部", {"unit": "邵阳市"}),
    ],
)
def test_closing_credit_lines(tmp_path, line, expected):
    doc = Doc().add(
        para("把学习成果转化为工作实效", bold=True, size=22, centre=True),
        para("学习贯彻讲话精神，关键在于把学习成果转化为推动工作的实际成效。"),
        para(line),
    )
    result = draft(doc, tmp_path)
    got = {k: result.front[k] for k in ("author", "unit", "position") if k in result.front}
    assert got == expected
    assert result.body == body_of("学习贯彻讲话精神，关键在于把学习成果转化为推动工作的实际成效。")


def test_a_centred_name_with_a_rare_surname(tmp_path):
    doc = Doc().add(
        para("山路弯弯送学忙", bold=True, size=22, centre=True),
        para("仝小满", centre=True),
        para("每个月，我都要背着宣讲资料走进大山深处的村组，为群众讲政策、讲道理。"),
    )
    result = draft(doc, tmp_path)
    assert result.front["author"] == "仝小满"
    assert result.body == body_of("每个月，我都要背着宣讲资料走进大山深处的村组，为群众讲政策、讲道理。")


def test_title_page_then_text(tmp_path):
    """A title page of its own (Word's cover page gallery), with the byline on it, and hidden text."""
    cover = (
        '<w:sdt><w:sdtPr><w:docPartObj><w:docPartGallery w:val="Cover Pages"/><w:docPartUnique/></w:docPartObj>'
        "</w:sdtPr><w:sdtContent>"
        + para("青春在基层闪光", bold=True, size=28, centre=True)
        + para("张家界市委宣传部　覃思雨", size=16, centre=True)
        + para("2026年3月", size=16, centre=True)
        + "</w:sdtContent></w:sdt>"
    )
    doc = Doc().add(
        cover,
        para(
            runs=run("到村工作三年，我和乡亲们一起修路、种茶、办合作社，收获了成长。")
            + "<w:r><w:rPr><w:vanish/></w:rPr><w:t>（草稿备注）</w:t></w:r>"
        ),
        para("基层是最好的课堂。"),
    )
    result = draft(doc, tmp_path)
    assert result.front == front("青春在基层闪光", author="覃思雨", unit="张家界市")
    assert result.body == body_of(
        "到村工作三年，我和乡亲们一起修路、种茶、办合作社，收获了成长。", "基层是最好的课堂。"
    )
    assert result.dropped == ("隐藏文字 1 处", "封面 3 行（“青春在基层闪光”“张家界市委宣传部\u3000覃思雨”等）")


def test_speech_occasion_line_and_a_dated_note(tmp_path):
    doc = Doc().add(
        para("守正创新 勇毅前行", bold=True, size=22, centre=True),
        para("在全市青年理论学习小组交流会上的讲话", size=16, centre=True),
        para("（2026年3月5日，根据录音整理）", size=16, centre=True),
        para("同志们：", size=16),
        para("今天和大家交流学习体会，我讲三点认识，供大家参考。"),
    )
    result = draft(doc, tmp_path)
    assert result.front["title"] == "守正创新 勇毅前行——在全市青年理论学习小组交流会上的讲话"
    assert result.body == body_of("同志们：", "今天和大家交流学习体会，我讲三点认识，供大家参考。")
    assert result.dropped == ("标题下的日期“（2026年3月5日，根据录音整理）”",)


def test_number_followed_by_nothing_or_a_tab(tmp_path):
    """w:suff: a tab (the default) shows as a gap after '第一章'; 'nothing' joins number and text."""
    numbering = (
        '<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
        '<w:lvlText w:val="第%1章"/></w:lvl></w:abstractNum>'
        '<w:abstractNum w:abstractNumId="2"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
        '<w:suff w:val="nothing"/><w:lvlText w:val="第%1部分"/></w:lvl></w:abstractNum>'
        '<w:num w:numId="1"><w:abstractNumId w:val="1"/></w:num><w:num w:numId="2"><w:abstractNumId w:val="2"/></w:num>'
    )
    doc = (
        Doc()
        .numbering(numbering)
        .add(
            para("乡村振兴工作手册", bold=True, size=22, centre=True),
            para("总则", bold=True, num=(1, 0)),
            para("本手册供村干部日常工作参考，内容随政策调整而更新。"),
            para("产业", bold=True, num=(2, 0)),
            para("发展特色产业，要因地制宜，不搞一刀切。"),
        )
    )
    assert draft(doc, tmp_path).body == body_of(
        "## 第一章 总则",
        "本手册供村干部日常工作参考，内容随政策调整而更新。",
        "### 第一部分产业",
        "发展特色产业，要因地制宜，不搞一刀切。",
    )
