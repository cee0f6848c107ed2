"""The register's cells of the roll-ups (votesys.congress.rollups), kind "p", period the
projects' year: counts by status, completion and rating; investment by source; spent as of
each project's latest report; the day each open project falls overdue; rectification;
planning; reported. ``projects.figures.summary`` reads them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, func, literal, select, union_all

from votesys.congress import rollups
from votesys.congress.rollup_sql import iso_date
from votesys.projects import rules
from votesys.projects.models import (
    Funding,
    Milestone,
    Project,
    Report,
    Spending,
    Target,
)
from votesys.projects.queries import in_planning_clause, latest_reports

KIND = "p"
OPEN_STATUSES = tuple(s for s in rules.STATUSES if s not in rules.CLOSED_STATUSES)


def cells(units: list[tuple[int, int | None]] | None) -> Any:
    """The cells of the projects of these units (jurisdiction, year), or of all."""
    p = Project
    where = [] if units is None else [rollups.unit_filter(units, p.jurisdiction_id, _year)]
    chosen = select(p.id).where(*where)

    def count(name, *conditions, by=()):
        return (
            select(*rollups.cell_row(p.jurisdiction_id, p.year, name, func.count()))
            .where(*where, *conditions)
            .group_by(p.jurisdiction_id, p.year, *by)
        )

    latest = latest_reports(chosen)
    spent = (
        select(
            *rollups.cell_row(
                p.jurisdiction_id,
                p.year,
                literal("p.spent"),
                func.count(),
                func.sum(Spending.amount_wan),
            )
        )
        .join(latest, latest.c.project_id == p.id)
        .join(Spending, Spending.report_id == latest.c.id)
        .where(*where, latest.c.n == 1)
        .group_by(p.jurisdiction_id, p.year)
    )
    invested = (
        select(
            *rollups.cell_row(
                p.jurisdiction_id,
                p.year,
                literal("p.invest:") + Funding.source,
                func.count(),
                func.sum(Funding.amount_wan),
            )
        )
        .join(Funding, Funding.project_id == p.id)
        .where(*where)
        .group_by(p.jurisdiction_id, p.year, Funding.source)
    )
    # An open project falls overdue the day after its planned finish or after a milestone's
    # planned date passes undone, whichever comes first.
    dates = union_all(
        select(p.id.label("pid"), p.planned_finish.label("d")).where(
            *where, p.planned_finish.is_not(None)
        ),
        select(Milestone.project_id, Milestone.planned_date).where(
            Milestone.project_id.in_(chosen), Milestone.done_on.is_(None)
        ),
    ).subquery()
    first = select(dates.c.pid, func.min(dates.c.d).label("d")).group_by(dates.c.pid).subquery()
    overdue = (
        select(
            *rollups.cell_row(
                p.jurisdiction_id,
                p.year,
                literal("p.overdue_from:") + iso_date(first.c.d),
                func.count(),
            )
        )
        .join(first, first.c.pid == p.id)
        .where(*where, p.status.in_(OPEN_STATUSES))
        .group_by(p.jurisdiction_id, p.year, first.c.d)
    )
    reported = exists(select(Report.id).where(Report.project_id == p.id))
    return union_all(
        count(literal("p.projects")),
        count(literal("p.status:") + p.status, by=(p.status,)),
        count(literal("p.completion:") + p.completion, by=(p.completion,)),
        count(literal("p.rating:") + func.coalesce(p.rating, "unrated"), by=(p.rating,)),
        count(literal("p.rectification"), p.rectification.is_(True)),
        count(literal("p.planning"), in_planning_clause()),
        count(literal("p.reported"), reported),
        invested,
        spent,
        overdue,
    )


def _year(year: int):
    return Project.year == year


TRACKED = {
    Project: ("jurisdiction_id", "year"),
    Funding: ("project_id",),
    Target: ("project_id",),
    Milestone: ("project_id",),
    Report: ("project_id",),
    Spending: ("report_id",),
}


def units(conn, found: list[tuple[type, tuple]]) -> set[tuple[int, int]]:
    """The (jurisdiction, year) of the projects, or of the projects of the funding, targets,
    milestones, reports and spending, found in a flush."""
    out = {values for model, values in found if model is Project and None not in values}
    project_ids = {v[0] for model, v in found if model not in (Project, Spending) and v[0]}
    report_ids = {v[0] for model, v in found if model is Spending and v[0]}
    if report_ids:
        project_ids.update(conn.scalars(select(Report.project_id).where(Report.id.in_(report_ids))))
    if project_ids:
        out.update(
            conn.execute(
                select(Project.jurisdiction_id, Project.year).where(Project.id.in_(project_ids))
            ).all()
        )
    return out


rollups.register(KIND, cells, TRACKED, units)
