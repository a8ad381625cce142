"""The per-unit report (报送和采用情况): submitted, approved, carried by each outlet and bulletin.

Pure data here; the site page and the `report` command both render it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from .config import SiteConfig, Unit
from .records import Article, Bulletin


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
