"""`python build.py new` end to end, and its prompts with scripted answers."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from conftest import REPO

from xindelu.build.pipeline import BuildOptions
from xindelu.commands.new import run_new
from xindelu.core.source import split_front_matter

FLAGS = [
    "--title",
    "在读原著中悟原理",
    "--author",
    "张三",
    "--unit",
    "长沙",
    "--category",
    "学而思",
    "--form",
    "微心得",
]


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "SOURCE_DATE_EPOCH": "1775606400"}  # 2026-04-08 08:00 in China
    return subprocess.run(
        [sys.executable, str(REPO / "build.py"), *args], input=stdin, capture_output=True, text=True, env=env
    )


def test_new_writes_a_valid_submitted_article(make_site):
    root = make_site()
    result = run("new", "--root", str(root), *FLAGS, "--position", "某县委宣传部副部长")
    assert result.returncode == 0, result.stderr
    path = root / "content/articles/2026/zai-du-yuan-zhu-zhong-wu-yuan-li.md"
    assert result.stdout.splitlines()[0] == "已创建 content/articles/2026/zai-du-yuan-zhu-zhong-wu-yuan-li.md"
    source, errors = split_front_matter("a.md", path.read_text("utf-8"))
    assert not errors and source is not None
    assert dict(source.front_matter) == {
        "title": "在读原著中悟原理",
        "author": "张三",
        "position": "某县委宣传部副部长",
        "unit": "长沙市",  # the alias 长沙 is written as the registered name
        "category": "学而思",
        "form": "微心得",
        "date": "2026-04-08",
        "status": "submitted",
        "slug": "zai-du-yuan-zhu-zhong-wu-yuan-li",
    }
    # The only problem check finds is the empty body, which the editor is about to write.
    check = run("check", "--root", str(root))
    assert check.returncode == 1
    assert check.stderr.splitlines()[0] == (
        "content/articles/2026/zai-du-yuan-zhu-zhong-wu-yuan-li.md:12: 正文是空的 — 请在第二个 --- 之后写正文"
    )
    path.write_text(path.read_text("utf-8") + "学习讲话，重在联系实际。\n", encoding="utf-8")
    assert run("check", "--root", str(root)).returncode == 0


def test_new_takes_slug_date_co_authors_and_quotes_colons(make_site):
    root = make_site()
    result = run(
        "new", "--root", str(root), *FLAGS[:2], "--author", "张三、李四", *FLAGS[4:],
        "--title", "学习: 一点体会", "--slug", "xue-xi", "--date", "2025-12-31",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    source, _ = split_front_matter("a.md", (root / "content/articles/2025/xue-xi.md").read_text("utf-8"))
    assert source is not None
    assert source.front_matter["title"] == "学习: 一点体会"
    assert source.front_matter["author"] == ["张三", "李四"]
    assert source.front_matter["date"] == "2025-12-31"


def test_missing_flags_are_listed_in_chinese_without_a_terminal(make_site):
    root = make_site()
    result = run("new", "--root", str(root), "--title", "在读原著中悟原理")
    assert result.returncode == 2
    assert result.stderr.splitlines()[:2] == [
        "没有创建文件：",
        "  缺少：作者（--author）、单位（--unit）、类别（--category）、体裁（--form）。例如：python build.py new"
        " --title 在读原著中悟原理 --author 张三 --unit 长沙 --category 学而思 --form 微心得",
    ]
    assert not (root / "content").exists()


def test_bad_values_get_did_you_mean(make_site):
    root = make_site()
    result = run(
        "new", "--root", str(root), "--title", "标题", "--author", "张三", "--unit", "长沙县",
        "--category", "学而想", "--form", "体会", "--date", "2026-02-30", "--slug", "Bad_Slug",
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "没有创建文件：",
        "  --unit：单位“长沙县”未登记，是否指“长沙市”？",
        "  --category：类别“学而想”未登记，是否指“学而行”？",
        "  --form：体裁“体会”未登记，是否指“体会文章”？",
        "  --date：日期“2026-02-30”无效，请按 年-月-日 写，如 2026-04-08",
        "  --slug：网址名“Bad_Slug”不合规：只能用小写字母、数字和连字符，如 bad-slug",
    ]


def test_new_refuses_to_overwrite(make_site):
    root = make_site()
    assert run("new", "--root", str(root), *FLAGS).returncode == 0
    path = root / "content/articles/2026/zai-du-yuan-zhu-zhong-wu-yuan-li.md"
    path.write_text(path.read_text("utf-8") + "已经写好的正文。\n", encoding="utf-8")
    before = path.read_bytes()
    again = run("new", "--root", str(root), *FLAGS)
    assert again.returncode == 1
    assert "原文件未改动" in again.stderr
    assert "--slug zai-du-yuan-zhu-zhong-wu-yuan-li-2" in again.stderr
    assert path.read_bytes() == before


def test_prompts_ask_for_what_is_missing_and_re_ask_on_mistakes(make_site, capsys):
    root = make_site()
    answers = iter(["王五", "", "湘西", "9", "3", "体会", "2", "2026-5-1", ""])
    prompts: list[str] = []

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        return next(answers)

    args = argparse.Namespace(title="换个标题", author=None, position=None, unit=None, category=None, form=None)
    args.date = args.slug = None
    code = run_new(BuildOptions(root, dt.date(2026, 4, 8)), args, interactive=True, ask=ask)
    assert code == 0
    out = capsys.readouterr().out
    assert "类别“9”未登记" in out  # out of range: asked again
    assert "体裁“体会”未登记，是否指“体会文章”？" in out
    assert [p.split("，")[0] for p in prompts] == ["作者", "职务（可不填）", "单位", "类别", "类别", "体裁", "体裁", "日期（可不填）", "网址名（可不填）"]  # fmt: skip
    text = Path(root / "content/articles/2026/huan-ge-biao-ti.md").read_text("utf-8")
    assert "unit: 湘西土家族苗族自治州\ncategory: 学而用\nform: 体会文章\ndate: 2026-05-01\n" in text


def test_windows_device_name_is_refused_as_slug(make_site):
    import subprocess
    import sys

    from conftest import REPO

    root = make_site()
    result = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "new", "--root", str(root), "--title", "测试", "--author", "张三",
         "--unit", "长沙市", "--category", "学而思", "--form", "微心得", "--date", "2026-04-08", "--slug", "con"],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert "网址名“con”不能用" in result.stderr
    assert not (root / "content" / "articles").exists() or not list((root / "content" / "articles").rglob("*.md"))
