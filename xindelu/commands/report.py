"""`report`: the per-unit submitted/adopted table in the terminal, and as CSV with --csv."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

from xindelu.build.pipeline import BuildOptions, check
from xindelu.content.records import parse_date
from xindelu.site.report import UnitReport, csv_text, format_table, unit_report


def write_csv(report: UnitReport, path: Path) -> None:
    """UTF-8 with BOM, so Excel opens it in Chinese; written to a temp file and moved into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp")
    try:
        temp.write_bytes(csv_text(report).encode("utf-8-sig"))
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def run_report(options: BuildOptions, start: str | None, end: str | None, csv_path: Path | None) -> int:
    """Print the report; 0 done, 1 content has errors (report still printed, those files not counted), 2 bad dates."""
    dates: list[dt.date | None] = []
    for flag, value in (("--from", start), ("--to", end)):
        parsed = parse_date(value) if value else None
        if value and parsed is None:
            sys.stderr.write(f"日期“{value}”无效（{flag}） — 请按 年-月-日 写，如 {flag} 2026-04-01\n")
            return 2
        dates.append(parsed)
    first, last = dates
    if first and last and first > last:
        sys.stderr.write(f"起始日期 {first} 晚于截止日期 {last} — 请交换 --from 和 --to\n")
        return 2
    result = check(options)
    if result.config is None or result.content is None:
        for problem in result.errors:
            sys.stderr.write(problem.format() + "\n")
        return 1
    report = unit_report(result.content.articles, result.content.bulletins, result.config, first, last)
    sys.stdout.write(format_table(report))
    if result.errors:
        files = sorted({e.path for e in result.errors})
        for problem in result.errors:
            sys.stderr.write(problem.format() + "\n")
        sys.stderr.write(f"注意：{len(files)} 个文件有错误，没有计入上表。改正后重新运行 python build.py report。\n")
    if csv_path is not None:
        target = csv_path if csv_path.is_absolute() else Path.cwd() / csv_path
        try:
            write_csv(report, target)
        except OSError as exc:
            sys.stderr.write(
                f"{csv_path}: 无法写入 CSV（{exc.strerror}） — 请关闭在 Excel 中打开的这个文件，或换一个文件名\n"
            )
            return 1
        print(f"已另存为 {csv_path}（UTF-8 带 BOM，可用 Excel 直接打开）")
    return 1 if result.errors else 0
