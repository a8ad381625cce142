"""The per-unit report (报送和采用情况): submitted, approved, carried by each outlet and bulletin.

Pure data here; the site page and the `report` command both render it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from xindelu.content.config import SiteConfig, Unit
from xindelu.content.records import Article, Bulletin


@dataclass(frozen=True)
class ReportRow:
    label: str
    unit: Unit | None  # None for subtotal and total rows
    submitted: int  # every piece the unit sent in, whatever its status
    approved: int
    outlets: tuple[int, ...]  # per config.outlets, in order
    bulletin: int  # pieces carried in bulletin issues


@dataclass(frozen=True)
class UnitReport:
    outlet_names: tuple[str, ...]
    groups: tuple[tuple[str, tuple[ReportRow, ...], ReportRow], ...]  # (group, unit rows, subtotal)
    total: ReportRow
    start: dt.date | None
    end: dt.date | None


def _add(label: str, rows: Sequence[ReportRow], width: int) -> ReportRow:
    return ReportRow(
        label,
        None,
        sum(r.submitted for r in rows),
        sum(r.approved for r in rows),
        tuple(sum(r.outlets[i] for r in rows) for i in range(width)),
        sum(r.bulletin for r in rows),
    )


def unit_report(
    articles: Sequence[Article],
    bulletins: Sequence[Bulletin],
    config: SiteConfig,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> UnitReport:
    """Count per unit in official order; ``start``/``end`` bound the article date (inclusive)."""
    chosen = [a for a in articles if (start is None or a.date >= start) and (end is None or a.date <= end)]
    outlet_names = tuple(o.name for o in config.outlets)
    in_bulletins: dict[str, int] = {}
    for bulletin in bulletins:
        for slug in bulletin.article_slugs:
            in_bulletins[slug] = in_bulletins.get(slug, 0) + 1
    by_unit: dict[str, list[Article]] = {}
    for article in chosen:
        by_unit.setdefault(article.unit.name, []).append(article)
    groups = []
    for group in config.unit_groups:
        rows = []
        for unit in group.units:
            mine = by_unit.get(unit.name, [])
            approved = [a for a in mine if a.status == "approved"]
            rows.append(
                ReportRow(
                    unit.name,
                    unit,
                    len(mine),
                    len(approved),
                    tuple(sum(1 for a in approved for use in a.outlets if use.name == name) for name in outlet_names),
                    sum(in_bulletins.get(a.slug, 0) for a in approved),
                )
            )
        groups.append((group.name, tuple(rows), _add(f"{group.name}小计", rows, len(outlet_names))))
    total = _add("合计", [g[2] for g in groups], len(outlet_names))
    return UnitReport(outlet_names, tuple(groups), total, start, end)


# ---------------------------------------------------------------- the `report` command


def report_columns(report: UnitReport) -> tuple[str, ...]:
    return ("单位", "报送", "采用", *report.outlet_names, "编入专报")


def report_rows(report: UnitReport) -> list[tuple[str, ReportRow]]:
    """(kind, row) in print order: kind is "unit", "subtotal" or "total"."""
    rows: list[tuple[str, ReportRow]] = []
    for _name, units, subtotal in report.groups:
        rows += [("unit", row) for row in units]
        rows.append(("subtotal", subtotal))
    rows.append(("total", report.total))
    return rows


def _cells(row: ReportRow) -> list[str]:
    return [row.label, str(row.submitted), str(row.approved), *(str(n) for n in row.outlets), str(row.bulletin)]


def display_width(text: str) -> int:
    """Columns a terminal gives ``text``: CJK and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 0 if unicodedata.combining(ch) else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    space = " " * max(0, width - display_width(text))
    return space + text if right else text + space


def period_label(report: UnitReport) -> str:
    if report.start and report.end:
        return f"{report.start.isoformat()} 至 {report.end.isoformat()}"
    if report.start:
        return f"{report.start.isoformat()} 以来"
    if report.end:
        return f"截至 {report.end.isoformat()}"
    return "全部日期"


def format_table(report: UnitReport, title: str = "各单位报送和采用情况") -> str:
    """The report as aligned text for a terminal (CJK double width), with group subtotals and totals."""
    header = list(report_columns(report))
    body = report_rows(report)
    widths = [display_width(h) for h in header]
    for _kind, row in body:
        widths = [max(w, display_width(c)) for w, c in zip(widths, _cells(row), strict=True)]
    gap = "  "

    def line(cells: list[str]) -> str:
        return gap.join(_pad(c, w, i > 0) for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    rule_width = sum(widths) + len(gap) * (len(widths) - 1)
    # ASCII rules: box-drawing characters are "ambiguous width" and double up in Chinese consoles.
    out = [f"{title}（{period_label(report)}）", line(header), "-" * rule_width]
    for kind, row in body:
        if kind != "unit":
            out.append(("-" if kind == "subtotal" else "=") * rule_width)
        out.append(line(_cells(row)))
        if kind == "subtotal":
            out.append("")
    out.append("说明：报送为该单位在此期间的全部稿件（不论是否采用），采用为已审定（approved）的稿件；")
    out.append("各媒体列为刊用篇数，编入专报为收入各期专报的篇次，都只计已采用的稿件。")
    return "\n".join(out) + "\n"


def csv_text(report: UnitReport) -> str:
    """The report as CSV text: a 分组 column, then the table's columns; subtotal and total rows included."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["分组", *report_columns(report)])
    for group, units, subtotal in report.groups:
        for row in (*units, subtotal):
            writer.writerow([group, *_cells(row)])
    writer.writerow(["", *_cells(report.total)])
    return buffer.getvalue()
