"""`python build.py report`: the per-unit table in the terminal and the CSV for Excel, end to end."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys

from conftest import REPO, article

from xindelu.site.report import display_width


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, str(REPO / "build.py"), *args], capture_output=True, text=True, env=env)


BULLETIN = """\
number: 1
date: 2026-05-12
issuer: 中共湖南省委讲师团
signer: 某某
sections:
  - name: 经验交流
    articles: [a1, b1]
distribution: {bao: 省委常委, song: 各市州委宣传部, fa: 县处以上党委中心组}
"""


def site(make_site, **extra):
    files = {
        # 长沙市: three sent (one rejected, one still submitted), one approved and carried twice.
        "content/articles/a1.md": article(unit="长沙", outlets="[{name: 湖南日报, date: 2026-04-10}, 红网]"),
        "content/articles/a2.md": article(unit="长沙市", status="submitted"),
        "content/articles/a3.md": article(unit="长沙市委宣传部", status="rejected", date="2026-06-20"),
        # 湘西: one approved, in the bulletin; 省委讲师团: one approved in July.
        "content/articles/b1.md": article(unit="湘西州", form="微心得"),
        "content/articles/c1.md": article(unit="讲师团", date="2026-07-01", outlets="[新湘评论]"),
        "content/bulletins/2026-001.yaml": BULLETIN,
    }
    files.update(extra)
    return make_site(files)


def rows_of(table: str) -> dict[str, list[str]]:
    return {line.split()[0]: line.split()[1:] for line in table.splitlines() if line and line.split()[0][0] > "\u3000"}


def test_table_counts_per_unit_with_subtotals_and_total(make_site):
    root = site(make_site)
    result = run("report", "--root", str(root))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "各单位报送和采用情况（全部日期）"
    assert lines[1].split() == ["单位", "报送", "采用", "微心得专报", "湖南日报", "新湘评论", "红网", "华声在线", "编入专报"]  # fmt: skip
    rows = rows_of(result.stdout)
    assert rows["长沙市"] == ["3", "1", "0", "1", "0", "1", "0", "1"]
    assert rows["湘西土家族苗族自治州"] == ["1", "1", "0", "0", "0", "0", "0", "1"]
    assert rows["株洲市"] == ["0"] * 8
    assert rows["市州小计"] == ["4", "2", "0", "1", "0", "1", "0", "2"]
    assert rows["省委讲师团"] == ["1", "1", "0", "0", "1", "0", "0", "0"]
    assert rows["省直单位小计"] == ["1", "1", "0", "0", "1", "0", "0", "0"]
    assert rows["合计"] == ["5", "3", "0", "1", "1", "1", "0", "2"]
    # Official order: 市州 first in config order, then 省直单位.
    units = [line.split()[0] for line in lines[3:] if line[:1] not in ("-", "=", "") and not line.startswith("说明")]
    assert units[:3] == ["长沙市", "株洲市", "湘潭市"]
    assert units.index("市州小计") < units.index("省直机关工委") < units.index("省直单位小计") < units.index("合计")


def test_columns_line_up_in_display_width(make_site):
    result = run("report", "--root", str(site(make_site)))
    table = [line for line in result.stdout.splitlines()[1:] if line and line[0] not in "-=说各"]
    # Every number column ends at the same terminal column, whatever the width of the unit name.
    for line in table:
        assert display_width(line) == display_width(table[0]), line
    header_ends = [display_width(table[0][: table[0].index(name) + len(name)]) for name in ("报送", "编入专报")]
    for line in table[1:]:
        cells = line.split()
        assert display_width(line[: line.index(cells[1]) + len(cells[1])]) == header_ends[0]
    assert display_width("湘西土家族苗族自治州") == 20


def test_dates_filter_the_articles(make_site):
    root = site(make_site)
    result = run("report", "--root", str(root), "--from", "2026-06-01", "--to", "2026-06-30")
    assert result.returncode == 0
    assert result.stdout.splitlines()[0] == "各单位报送和采用情况（2026-06-01 至 2026-06-30）"
    rows = rows_of(result.stdout)
    assert rows["长沙市"] == ["1", "0", "0", "0", "0", "0", "0", "0"]
    assert rows["合计"] == ["1", "0", "0", "0", "0", "0", "0", "0"]


def test_csv_is_utf8_with_bom_and_holds_every_row(make_site, tmp_path):
    root = site(make_site)
    target = tmp_path / "out" / "报送情况.csv"
    result = run("report", "--root", str(root), "--csv", str(target))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == f"已另存为 {target}（UTF-8 带 BOM，可用 Excel 直接打开）"
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["分组", "单位", "报送", "采用", "微心得专报", "湖南日报", "新湘评论", "红网", "华声在线", "编入专报"]  # fmt: skip
    assert rows[1] == ["市州", "长沙市", "3", "1", "0", "1", "0", "1", "0", "1"]
    assert ["市州", "市州小计", "4", "2", "0", "1", "0", "1", "0", "2"] in rows
    assert rows[-1] == ["", "合计", "5", "3", "0", "1", "1", "1", "0", "2"]
    assert len(rows) == 1 + 14 + 1 + 9 + 1 + 1
    assert b"\r\n" in data


def test_bad_dates_are_usage_errors(make_site):
    root = site(make_site)
    bad = run("report", "--root", str(root), "--from", "2026-02-30")
    assert bad.returncode == 2
    assert bad.stderr == "日期“2026-02-30”无效（--from） — 请按 年-月-日 写，如 --from 2026-04-01\n"
    swapped = run("report", "--root", str(root), "--from", "2026-06-01", "--to", "2026-05-01")
    assert swapped.returncode == 2
    assert "请交换 --from 和 --to" in swapped.stderr


def test_a_broken_file_is_reported_and_left_out(make_site):
    root = site(make_site, **{"content/articles/z.md": article(unit="长沙县")})
    result = run("report", "--root", str(root))
    assert result.returncode == 1
    assert rows_of(result.stdout)["合计"][0] == "5"
    assert result.stderr.splitlines()[0].startswith("content/articles/z.md:4: 单位“长沙县”未登记")
    assert result.stderr.splitlines()[-1] == (
        "注意：1 个文件有错误，没有计入上表。改正后重新运行 python build.py report。"
    )
