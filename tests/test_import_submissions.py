"""Import a folder of real-looking submissions (tests/make_submissions.py): after `import`, an editor
only has to fill the category and the date — title, author and unit are right, and no cover,
statement or TOC line is left in any body."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import REPO
from make_submissions import make_all

from xindelu.core.source import split_front_matter


def test_a_folder_of_submissions_needs_only_category_and_date(make_site, tmp_path):
    root = make_site()
    inbox = tmp_path / "收件箱"
    expected = make_all(inbox)
    env = {**os.environ, "PYTHONPATH": str(REPO), "SOURCE_DATE_EPOCH": "1775606400"}
    result = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "import", str(inbox), "--root", str(root)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].startswith("共 8 个文件：导入 8 篇，跳过 0 篇（已导入过），失败 0 个。")
    written = {line.split(" → ")[0]: line.split(" → ")[1] for line in result.stdout.splitlines() if " → " in line}
    assert set(written) == set(expected)
    for name, fields in expected.items():
        text = (root / written[name]).read_text("utf-8")
        source, errors = split_front_matter(written[name], text)
        assert source is not None and not errors
        got = {k: source.front_matter.get(k) for k in fields}
        assert got == fields, name
        body = source.body
        for leftover in (
            "学    号",
            "学号",
            "指导教师",
            "郑重声明",
            "目录",
            "附件2",
            "通讯员",
            "编辑：",
            "题目",
            "论 文",
        ):
            assert leftover not in body, (name, leftover)
        assert "未能识别" not in result.stdout.split(f"{name} → ")[1].split("\n  识别")[0]
    # Nothing else to fix: `check` passes with the defaulted category and the import date.
    check = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "check", "--root", str(root)], capture_output=True, text=True, env=env
    )
    assert check.returncode == 0, check.stderr
    block = result.stdout.split("课程论文.docx → ")[1].split("\n\n")[0]
    assert "未能识别" not in block
    assert "未导入：页眉页脚 1 处（“省委党校在职研究生课程论文”）；目录 4 行（目录域）；封面 7 行" in block
