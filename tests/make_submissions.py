"""A folder of real-looking Word submissions, made the way units make them.

    python tests/make_submissions.py FOLDER

writes eight .docx files into FOLDER: an essay from Word for Windows, a WPS report (style0 ids,
TAB indents, outline levels), a speech from Word for Mac, a Tencent Docs news release, a thesis
chapter with cover, originality statement and TOC, a village work plan from WPS on a phone
(numbering with startOverride), an Apple Pages essay with a table cover, and an attachment with a
two-line title. SUBMISSIONS maps each file to the title, author and unit an editor should find;
tests/test_import_submissions.py imports the folder and checks that only category and date are
left to fill. Every name, unit and sentence is invented.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from docx_builder import PAGE_BREAK, WPS_STYLES, Doc, numbering_xml, para, ruby, run, table, toc_sdt

LONG = "群众的事再小也是大事，我们坚持把问题解决在基层、把矛盾化解在萌芽状态，让群众的获得感成色更足。"


def essay_word(path: Path) -> None:
    Doc().add(
        para("在读原著中悟原理", bold=True, size=22, centre=True),
        para("——学习讲话的几点体会", size=16, centre=True),
        para("长沙市委宣传部　孙思远", size=16, centre=True),
        para("\u3000\u3000读原著、学原文、悟原理，是党员干部的基本功。" + LONG, size=16),
        para("一、读原著要有耐心", size=16, bold=True),
        para("\u3000\u3000原著不是一口气能读完的。我给自己定了计划，每天读一节，边读边记。", size=16),
        para("二、悟原理要联系实际", size=16, bold=True),
        para("\u3000\u3000学了就要用。" + LONG, size=16),
    ).save(path)


def report_wps(path: Path) -> None:
    numbering = numbering_xml({3: [("chineseCounting", "（%1）", 1)]}, {4: (3, {})})
    Doc().styles(WPS_STYLES).numbering(numbering).add(
        para("关于乡村振兴中党建引领作用的调研报告", style="style0", bold=True, size=22, centre=True),
        para("常德市委宣传部调研组", style="style15", centre=True),
        para("执笔：吴海涛", style="style15", centre=True),
        para("\t为了解党建引领乡村振兴的实际情况，调研组走访了五个乡镇二十个村。" + LONG, style="style15"),
        para("一、基本情况", style="style0", outline=1),
        para("\t各村普遍建立了党员联系户制度。", style="style15"),
        para("组织建设不断加强", style="style0", num=(4, 0), outline=2),
        para("\t村党组织书记队伍结构持续优化。" + LONG, style="style15"),
        para("产业发展初见成效", style="style0", num=(4, 0), outline=2),
        para("\t特色种养业带动了群众增收。", style="style15"),
        para("二、存在的问题", style="style0", outline=1),
        para("\t部分村集体经济基础还比较薄弱。", style="style15"),
    ).save(path)


def speech_mac(path: Path) -> None:
    Doc().add(
        para("以实干实绩书写新答卷", bold=True, size=22, centre=True),
        para("——在全市理论宣讲工作推进会上的讲话", size=16, centre=True),
        para("（2026年3月18日）", size=16, centre=True),
        para("湘潭市委宣传部　方志诚", size=16, centre=True),
        para("同志们：", size=16),
        para("\u3000\u3000今天召开会议，主要是总结去年的宣讲工作，部署今年的任务。" + LONG, size=16),
        para("\u3000\u3000一、充分肯定去年的成绩", size=16, bold=True),
        para("\u3000\u3000去年全市共开展宣讲两千余场，受众超过十万人次。", size=16),
        para("\u3000\u3000二、准确把握今年的任务", size=16, bold=True),
        para("\u3000\u3000今年要在“讲得好”上下功夫，让理论宣讲更加贴近群众。", size=16),
    ).save(path)


def news_tencent(path: Path) -> None:
    Doc().add(
        para("我市举办基层宣讲骨干培训班\n百名骨干集中充电", bold=True, size=20, centre=True),
        para("4月2日，全市基层理论宣讲骨干培训班开班，来自各区县的一百名宣讲骨干参加培训。"),
        para("培训为期三天，采取专题辅导、现场教学、分组研讨等方式进行。" + LONG),
        para("通讯员：邱雨桐　范一凡"),
        para("编辑：姚静"),
    ).save(path)


def thesis_word(path: Path) -> None:
    numbering = numbering_xml({1: [("chineseCounting", "第%1章", 1), ("decimal!", "%1.%2", 1)]}, {5: (1, {})})
    styles = (
        '<w:style w:type="paragraph" w:styleId="1"><w:name w:val="heading 1"/>'
        '<w:pPr><w:numPr><w:numId w:val="5"/></w:numPr><w:jc w:val="center"/><w:outlineLvl w:val="0"/></w:pPr>'
        '<w:rPr><w:b/><w:sz w:val="32"/></w:rPr></w:style>'
        '<w:style w:type="paragraph" w:styleId="2"><w:name w:val="heading 2"/>'
        '<w:pPr><w:numPr><w:ilvl w:val="1"/><w:numId w:val="5"/></w:numPr><w:outlineLvl w:val="1"/></w:pPr>'
        '<w:rPr><w:b/><w:sz w:val="28"/></w:rPr></w:style>'
    )
    doc = Doc().numbering(numbering).styles(styles)
    doc.add(
        para("省委党校在职研究生课程论文", size=18, centre=True),
        para("论 文 题 目", size=16, centre=True),
        para("党建引领基层治理的实践路径研究", size=22, bold=True, centre=True),
        para("学    号：2025301", size=15),
        para("姓    名：江晓白", size=15),
        para("工作单位：省委党校", size=15),
        para("指导教师：罗教授", size=15),
        PAGE_BREAK,
        para("原创性声明", bold=True, centre=True, size=18),
        para(
            "本人郑重声明：所提交的论文是本人独立进行研究工作所取得的成果。除文中已经注明引用的内容外，不含他人成果。"
        ),
        para("签名：\u3000\u3000\u3000\u3000日期："),
        PAGE_BREAK,
        toc_sdt(["第一章 引言", "1.1 问题的提出", "第二章 实践路径"]),
        para("引言", style="1", page_break_before=True),
        para("问题的提出", style="2"),
        para("基层治理是国家治理的基石。" + LONG),
        para("实践路径", style="1"),
        para("组织引领", style="2"),
        para("发挥基层党组织战斗堡垒作用，是基层治理的关键所在。" + LONG),
    )
    doc.header("省委党校在职研究生课程论文")
    doc.save(path)


def village_plan_wps_phone(path: Path) -> None:
    numbering = numbering_xml(
        {1: [("chineseCounting", "%1、", 1)], 2: [("decimal", "%1、", 1)]}, {1: (1, {}), 2: (2, {}), 3: (2, {0: 6})}
    )
    Doc().numbering(numbering).add(
        para("某某村2026年党建工作计划", bold=True, size=18),
        para("湘西州某某县某某村党支部 向金花"),
        para("为进一步加强村党支部建设，发挥党员先锋模范作用，结合本村实际，制定本计划。" + LONG),
        para("加强班子建设", num=(1, 0)),
        para("坚持每月召开一次支委会，研究村里重大事项。", num=(2, 0)),
        para("落实“三会一课”制度，每季度上一次党课。", num=(2, 0)),
        para("服务群众", num=(1, 0)),
        para("开展党员联系户活动，每名党员联系五户群众。", num=(3, 0)),
        para("建立村民议事会，每月议事一次。", num=(3, 0)),
    ).save(path)


def essay_pages(path: Path) -> None:
    Doc().add(
        table([["标题", "守住初心这盏灯"], ["作者", "秦朗"], ["单位", "衡阳市委宣传部"]]),
        para("初心如灯，照亮前行的路。" + LONG),
        para(runs=run("“忠") + ruby("恕", "shù") + run("任事”四个字，是我入职时老支书送给我的。")),
    ).save(path)


def attachment_word(path: Path) -> None:
    Doc().add(
        para("附件2", size=16),
        para("弘扬优良家风", bold=True, size=22, centre=True),
        para("涵养清朗政风", bold=True, size=22, centre=True),
        para("鲁文博、褚佳音", size=16, centre=True),
        para("（益阳市委宣传部）", size=16, centre=True),
        para("\u3000\u3000家风连着政风。" + LONG, size=16),
        para("\u3000\u3000我们组织党员干部讲家风故事、立家规家训，让好家风成为廉洁从政的“护身符”。", size=16),
    ).save(path)


SUBMISSIONS: dict[str, tuple[Callable[[Path], None], dict[str, object]]] = {
    "长沙-孙思远-心得.docx": (
        essay_word,
        {"title": "在读原著中悟原理——学习讲话的几点体会", "author": "孙思远", "unit": "长沙市"},
    ),
    "调研报告（WPS）.docx": (
        report_wps,
        {"title": "关于乡村振兴中党建引领作用的调研报告", "author": "吴海涛", "unit": "常德市"},
    ),
    "讲话稿.docx": (
        speech_mac,
        {"title": "以实干实绩书写新答卷——在全市理论宣讲工作推进会上的讲话", "author": "方志诚", "unit": "湘潭市"},
    ),
    "郴州-新闻稿.docx": (
        news_tencent,
        {"title": "我市举办基层宣讲骨干培训班百名骨干集中充电", "author": ["邱雨桐", "范一凡"], "unit": "郴州市"},
    ),
    "课程论文.docx": (
        thesis_word,
        {"title": "党建引领基层治理的实践路径研究", "author": "江晓白", "unit": "省委党校"},
    ),
    "村党建计划.docx": (
        village_plan_wps_phone,
        {"title": "某某村2026年党建工作计划", "author": "向金花", "unit": "湘西土家族苗族自治州"},
    ),
    "Pages essay.docx": (essay_pages, {"title": "守住初心这盏灯", "author": "秦朗", "unit": "衡阳市"}),
    "附件2.docx": (
        attachment_word,
        {"title": "弘扬优良家风涵养清朗政风", "author": ["鲁文博", "褚佳音"], "unit": "益阳市"},
    ),
}


def make_all(folder: Path) -> dict[str, dict[str, object]]:
    folder.mkdir(parents=True, exist_ok=True)
    for name, (build, _) in SUBMISSIONS.items():
        build(folder / name)
    return {name: expected for name, (_, expected) in SUBMISSIONS.items()}


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("用法：python tests/make_submissions.py 文件夹")
    made = make_all(Path(sys.argv[1]))
    print(f"已生成 {len(made)} 个 Word 文件到 {sys.argv[1]}")
