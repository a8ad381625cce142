"""Proofreading warnings: each rule with a case it flags and a case it must leave alone."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import REPO, article
from hypothesis import given, settings
from hypothesis import strategies as st

from xindelu.content.config import ProofreadingRule
from xindelu.content.proofread import proofread

WORDS = (ProofreadingRule("为时一步", "为进一步"), ProofreadingRule("征急", "征集"))


def findings(body: str, words=WORDS) -> list[tuple[int, str, str]]:
    return sorted((e.line, e.message.split("：")[0], e.hint) for e in proofread("a.md", body, 10, words))


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("要为时一步加强学习。", [(10, "疑似错别字“为时一步”", "应为“为进一步”")]),
        ("第一段。\n\n面向全省征急稿件。", [(12, "疑似错别字“征急”", "应为“征集”")]),
        ("学习讲话,联系实际。", [(10, "中文里用了半角标点“,”", "改为全角“，”")]),
        ("学习讲话; 联系实际", [(10, "中文里用了半角标点“;”", "改为全角“；”")]),
        ("注意:联系实际", [(10, "中文里用了半角标点“:”", "改为全角“：”")]),
        ("对吗?对的", [(10, "中文里用了半角标点“?”", "改为全角“？”")]),
        ("好!就这样", [(10, "中文里用了半角标点“!”", "改为全角“！”")]),
        ("学习.实践", [(10, "中文里用了半角标点“.”", "改为全角“。”")]),
        ("学习...实践", [(10, "中文里用了半角省略号“...”", "改为中文省略号“……”")]),
        ("学习《条例(试行)》", [(10, "中文里用了半角括号“( )”", "改为全角括号“（试行）”")]),
        ("我们的的任务", [(10, "重复的“的的”", "一般应删去一个“的”")]),
        ("学习了了解", [(10, "重复的“了了”", "一般应删去一个“了”")]),
        ("他说“学习", [(10, "引号不成对", "在后面补上 ”，或删去这个 “")]),
        (
            "学习”讲话“",
            [(10, "引号不成对", "在前面补上 “，或删去这个 ”"), (10, "引号不成对", "在后面补上 ”，或删去这个 “")],
        ),
        ("读《资本论", [(10, "书名号不成对", "在后面补上 》，或删去这个 《")]),
        ("读资本论》", [(10, "书名号不成对", "在前面补上 《，或删去这个 》")]),
        ("说明（见附件", [(10, "括号不成对", "在后面补上 ），或删去这个 （")]),
        ("学习 讲话", [(10, "汉字之间有空格", "删去空格；若是有意分隔（如标语），可不改")]),
        ("学习\u3000讲话", [(10, "汉字之间有空格", "删去空格；若是有意分隔（如标语），可不改")]),
    ],
)
def test_each_rule_flags_its_mistake(body, expected):
    assert findings(body) == sorted(expected)


@pytest.mark.parametrize(
    "body",
    [
        "要为进一步加强学习，面向全省征集稿件。",  # the right forms
        "学习讲话，联系实际。2026年5G网络覆盖率达到3.5%, 比去年高。",  # full-width; half-width among digits
        "Python 3.11 (the version) is fine, really.",  # Latin text
        "见 https://example.org/a,b;c:d?e!f.html 和 www.example.org/a,b 学习",  # URLs
        "用 `学习,讲话` 表示，`的的` 也不算。",  # inline code
        "```\n学习,讲话 的的 “\n```\n正文。",  # fenced code
        "[学习讲话](https://example.org/学习,讲话)。",  # link target
        "常常、天天、人人、实实在在、的的确确、不了了之、是是非非、地地道道、和和气气、哈哈哈。",  # legit doubles
        "达到目的的手段，关键就是是否落实。",  # 目的|的, 就是|是否
        "他说：“学习讲话。”读《论持久战》（节选）。",  # balanced
        "“第一段引文，\n\n“第二段引文。”",  # a quotation running over two paragraphs
        "## 一、学习\n\n1. 第一条\n2. 第二条",  # headings and lists
        "学习讲话\n联系实际",  # a line break is not a space
        "　　段首的全角空格是缩进。",  # indentation at the start of a line
    ],
)
def test_correct_text_is_left_alone(body):
    assert findings(body) == []


def test_line_numbers_count_from_the_body_start():
    body = "第一行。\n第二行。\n\n第四行有错：征急。"
    (finding,) = proofread("content/articles/x.md", body, 12, WORDS)
    assert finding.line == 15
    assert finding.warning
    assert finding.format() == ("content/articles/x.md:15: 疑似错别字“征急”：“第四行有错：征急。” — 应为“征集”")


def test_words_come_from_the_site_config():
    from xindelu.content.config import load_config

    config = load_config(REPO)
    pairs = {(r.wrong, r.right) for r in config.proofreading}
    assert {("为时一步", "为进一步"), ("县睡以上", "县处以上"), ("征急", "征集"), ("约谢", "约写")} <= pairs
    assert len(pairs) >= 19


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, str(REPO / "build.py"), *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_check_reports_warnings_and_strict_makes_them_errors(make_site):
    root = make_site({"content/articles/a.md": article(body="为时一步做好县睡以上干部的的培训。")})
    result = _run("check", "--root", str(root))
    assert result.returncode == 0
    lines = result.stderr.strip().split("\n")
    assert lines == [
        "提醒：content/articles/a.md:10: 疑似错别字“为时一步”：“为时一步做好县睡以上…” — 应为“为进一步”",
        "提醒：content/articles/a.md:10: 疑似错别字“县睡以上”：“为时一步做好县睡以上干部的的培训…” — 应为“县处以上”",
        "提醒：content/articles/a.md:10: 重复的“的的”：“…做好县睡以上干部的的培训。” — 一般应删去一个“的”",
    ]
    assert result.stdout.startswith("检查通过：")
    strict = _run("check", "--strict", "--root", str(root))
    assert strict.returncode == 1
    assert strict.stderr.strip().split("\n")[-1] == "共 3 个问题，涉及 1 个文件。改正后重新运行。"


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("学习讲话的了 ,.;:?!()“”《》（）`[]\n\u3000#-*http:/w.征急为时一步")),
        max_size=200,
    ),
    st.integers(min_value=1, max_value=50),
)
def test_never_raises_and_every_line_lies_in_the_body(body, first_line):
    for finding in proofread("a.md", body, first_line, WORDS):
        assert first_line <= finding.line < first_line + len(body.split("\n"))
        assert finding.warning
