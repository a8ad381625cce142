"""The report page's chart: submitted against adopted per unit, as inline SVG made at build
time (no script, no web font). Laid out for a phone: one row per unit in official order,
the name on the left, two bars and their figures on the right, in a 360-unit-wide viewBox
that scales to the column's width."""

from __future__ import annotations

from xindelu.core.xmltext import xml_text
from xindelu.site.report import UnitReport

WIDTH = 360
LABEL = 134  # right edge of the unit names: ten characters at 13 units fit
BAR_START = LABEL + 6
BAR_END = WIDTH - 30  # room for the figure after the longest bar
ROW = 32
GROUP = 24
TOP = 30
SUBMITTED = "#e6a8a8"
ADOPTED = "#c00000"


def report_chart(report: UnitReport, title: str, description: str) -> str:
    """An <svg role="img"> with a <title> and a <desc> (its text alternative: the totals, and that
    the table below holds every figure)."""
    rows = [row for _, unit_rows, _ in report.groups for row in unit_rows]
    top = max([row.submitted for row in rows] + [1])
    scale = (BAR_END - BAR_START) / top
    parts: list[str] = []
    y = TOP
    for name, unit_rows, _ in report.groups:
        if len(report.groups) > 1:
            parts.append(
                f'<text x="0" y="{y + 15}" font-size="13" font-weight="700" fill="#9b0000">{xml_text(name)}</text>'
            )
            y += GROUP
        for row in unit_rows:
            sub = round(row.submitted * scale, 1)
            ado = round(row.approved * scale, 1)
            label = row.label if len(row.label) <= 10 else row.label[:9] + "…"
            parts.append(
                f'<text x="{LABEL}" y="{y + 19}" font-size="13" text-anchor="end" fill="#1a1a1a">{xml_text(label)}</text>'
                f'<rect x="{BAR_START}" y="{y + 3}" width="{sub}" height="12" fill="{SUBMITTED}"/>'
                f'<text x="{BAR_START + sub + 4}" y="{y + 14}" font-size="12" fill="#5c5c5c">{row.submitted}</text>'
                f'<rect x="{BAR_START}" y="{y + 16}" width="{ado}" height="12" fill="{ADOPTED}"/>'
                f'<text x="{BAR_START + ado + 4}" y="{y + 27}" font-size="12" fill="#1a1a1a">{row.approved}</text>'
            )
            y += ROW
    height = y + 4
    legend = (
        f'<rect x="{BAR_START}" y="6" width="12" height="10" fill="{SUBMITTED}"/>'
        f'<text x="{BAR_START + 16}" y="15" font-size="12" fill="#1a1a1a">报送</text>'
        f'<rect x="{BAR_START + 58}" y="6" width="12" height="10" fill="{ADOPTED}"/>'
        f'<text x="{BAR_START + 74}" y="15" font-size="12" fill="#1a1a1a">采用</text>'
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}"'
        ' role="img" aria-labelledby="chart-title chart-desc" font-family="sans-serif">'
        f'<title id="chart-title">{xml_text(title)}</title><desc id="chart-desc">{xml_text(description)}</desc>'
        f"{legend}{''.join(parts)}</svg>"
    )
