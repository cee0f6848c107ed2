"""群众满意度 as figures: per project, per responsible unit in a year, and year on year (by
the projects' year: this year's livelihood projects against last year's). Counts only:
never a phone's hash, never a comment. One statement for all three."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from votesys.congress.models import Jurisdiction
from votesys.extensions import db
from votesys.projects.citizen_ratings import CHOICES, figures
from votesys.projects.models import CitizenRating, Project, Unit


def _sum(items: list[dict[str, Any]]) -> dict[str, Any]:
    return figures(*(sum(i[c] for i in items) for c in CHOICES))


def overview(
    *, jurisdiction_ids: list[int] | None = None, project_ids: list[int] | None = None
) -> dict[str, Any]:
    """{"projects": one row per project (rated or not), "by_unit": {year: rows per unit of
    the projects rated}, "by_year": rows per year with the change of the share satisfied in
    percentage points} of the projects of these jurisdictions, or of these projects."""
    query = (
        select(
            Project.id,
            Project.ref,
            Project.title,
            Project.year,
            Project.status,
            Jurisdiction.name,
            Unit.name,
            CitizenRating.choice,
            func.count(CitizenRating.id),
        )
        .join(Jurisdiction, Jurisdiction.id == Project.jurisdiction_id)
        .outerjoin(Unit, Unit.id == Project.unit_id)
        .outerjoin(CitizenRating, CitizenRating.project_id == Project.id)
        .group_by(
            Project.id,
            Project.ref,
            Project.title,
            Project.year,
            Project.status,
            Jurisdiction.name,
            Unit.name,
            CitizenRating.choice,
        )
        .order_by(Project.year.desc(), Project.ref)
    )
    if jurisdiction_ids is not None:
        query = query.where(Project.jurisdiction_id.in_(jurisdiction_ids))
    if project_ids is not None:
        query = query.where(Project.id.in_(project_ids))
    shaped: dict[int, dict[str, Any]] = {}
    for pid, ref, title, year, status, place, unit, choice, n in db.session.execute(query):
        row = shaped.setdefault(
            pid,
            {
                "ref": ref,
                "title": title,
                "year": year,
                "status": status,
                "jurisdiction": place,
                "unit": unit or "",
            }
            | dict.fromkeys(CHOICES, 0),
        )
        if choice is not None:
            row[choice] = n
    projects = [row | figures(*(row[c] for c in CHOICES)) for row in shaped.values()]
    rated = [p for p in projects if p["total"]]
    by_unit: dict[int, list[dict[str, Any]]] = {}
    for year in sorted({p["year"] for p in rated}, reverse=True):
        units: dict[str, list[dict[str, Any]]] = {}
        for p in rated:
            if p["year"] == year:
                units.setdefault(p["unit"], []).append(p)
        by_unit[year] = [
            {"unit": name, "projects": len(items)} | _sum(items)
            for name, items in sorted(units.items())
        ]
    by_year = []
    for year in sorted({p["year"] for p in rated}):
        items = [p for p in rated if p["year"] == year]
        row = {"year": year, "projects": len(items)} | _sum(items)
        before = by_year[-1] if by_year and by_year[-1]["year"] == year - 1 else None
        row["change"] = change(before and before["satisfied_share"], row["satisfied_share"])
        by_year.append(row)
    return {"projects": projects, "by_unit": by_unit, "by_year": by_year[::-1]}


def change(before: str | None, now: str | None) -> str | None:
    """The share's change from last year, in percentage points with a sign ("+3.2", "-0.5",
    "0.0"); None without both years."""
    if before is None or now is None:
        return None
    diff = Decimal(now) - Decimal(before)
    return f"+{diff}" if diff > 0 else str(diff)
