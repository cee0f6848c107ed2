"""Reading the register: the funding sources, a project, the list, a project's history."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import current_app
from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import selectinload

from votesys import clock
from votesys.congress.models import Jurisdiction
from votesys.congress.services import subtree_ids
from votesys.errors import NotFound
from votesys.extensions import db
from votesys.projects import rules
from votesys.projects.models import (
    ChangeRequest,
    Funding,
    Project,
    Report,
    SupervisionRecord,
    Target,
)


def sources() -> tuple[str, ...]:
    """The funding sources in use: configurable (FUNDING_SOURCES), 省级/市级/县级/乡镇/社会 by
    default."""
    return tuple(current_app.config.get("FUNDING_SOURCES") or rules.DEFAULT_SOURCES)


def get_project(project_id: int) -> Project:
    project = db.session.get(Project, project_id)
    if project is None:
        raise NotFound("not_found")
    return project


def list_projects(
    *, jurisdiction: Jurisdiction | None = None, year: int | None = None, status: str | None = None
) -> list[Project]:
    """The register: a year's projects, and earlier ones still under rectification (整改),
    which are carried into every later year's register until a rating clears them."""
    query = select(Project)
    if jurisdiction is not None:
        query = query.where(Project.jurisdiction_id.in_(subtree_ids(jurisdiction.id)))
    if year is not None:
        query = query.where(
            or_(Project.year == year, (Project.year < year) & Project.rectification)
        )
    if status is not None:
        query = query.where(Project.status == status)
    # What a list row shows (place, unit, overdue milestones, planned money, whether in
    # planning) is loaded with the list, in five queries whatever its length, not up to
    # five per project.
    query = query.options(
        selectinload(Project.jurisdiction),
        selectinload(Project.unit),
        selectinload(Project.milestones),
        selectinload(Project.funding),
        selectinload(Project.targets),
    )
    return list(
        db.session.scalars(query.order_by(Project.year, Project.jurisdiction_id, Project.id))
    )


def reports_of(project: Project) -> list[Report]:
    """The history, newest first, each report with its values, spending and photos (what
    its readers show of it): four statements whatever its length, not three per report."""
    return list(
        db.session.scalars(
            select(Report)
            .where(Report.project_id == project.id)
            .options(
                selectinload(Report.values),
                selectinload(Report.spending),
                selectinload(Report.photos),
            )
            .order_by(Report.reported_on.desc(), Report.id.desc())
        )
    )


def latest_report(project: Project) -> Report | None:
    reports = reports_of(project)
    return reports[0] if reports else None


def changes_of(project: Project) -> list[ChangeRequest]:
    return list(
        db.session.scalars(
            select(ChangeRequest)
            .where(ChangeRequest.project_id == project.id)
            .order_by(ChangeRequest.id)
        )
    )


def supervision_of(project: Project) -> list[SupervisionRecord]:
    return list(
        db.session.scalars(
            select(SupervisionRecord)
            .where(SupervisionRecord.project_id == project.id)
            .order_by(SupervisionRecord.held_on, SupervisionRecord.id)
        )
    )


def overdue(project: Project, today: date | None = None) -> bool:
    return rules.is_overdue(
        project.status,
        today or clock.today(),
        [(m.planned_date, m.done_on) for m in project.milestones],
        project.planned_finish,
    )


def planned_total(project: Project) -> Decimal:
    return sum((f.amount_wan for f in project.funding), Decimal("0.00"))


def spent_by_source(project: Project) -> dict[str, Decimal]:
    report = latest_report(project)
    return {s.source: s.amount_wan for s in report.spending} if report else {}


def missing_plan(project: Project) -> list[str]:
    """The parts of the project's implementation plan still to be given (rules.PLAN_PARTS)."""
    return rules.missing_plan(
        has_unit=project.unit_id is not None,
        planned_finish=project.planned_finish,
        funding={f.source: f.amount_wan for f in project.funding},
        targets=len(project.targets),
    )


def in_planning(project: Project) -> bool:
    """计划编制中: approved, not started, and its plan not yet complete. Shown instead of
    "not started, 0%", which would read as a project that stalls."""
    return project.status == "not_started" and bool(missing_plan(project))


def in_planning_clause() -> ColumnElement[bool]:
    """``in_planning`` as SQL, for counting in one statement (tests hold the two equal)."""
    funding = select(Funding.project_id).where(Funding.project_id == Project.id)
    settled = funding.where(Funding.source != rules.PENDING_SOURCE)
    pending = funding.where(Funding.source == rules.PENDING_SOURCE, Funding.amount_wan > 0)
    targets = select(Target.project_id).where(Target.project_id == Project.id)
    return and_(
        Project.status == "not_started",
        or_(
            Project.unit_id.is_(None),
            Project.planned_finish.is_(None),
            ~exists(settled),
            exists(pending),
            ~exists(targets),
        ),
    )


def approved_plans(vote_ids: list[int]) -> list[tuple[Project, list[str]]]:
    """The projects the given votes approved (terminated ones aside), each with what its
    plan still lacks (empty once complete): three statements whatever their number."""
    if not vote_ids:
        return []
    found = db.session.scalars(
        select(Project)
        .where(Project.vote_id.in_(vote_ids), Project.status != "terminated")
        .options(selectinload(Project.funding), selectinload(Project.targets))
        .order_by(Project.ref)
    )
    return [(p, missing_plan(p)) for p in found]


def latest_reports(project_ids):
    """A subquery of each project's reports (id, project_id) ranked newest first (``n`` = 1:
    its latest, by date then by entry); ``project_ids`` a list or a subquery."""
    return (
        select(
            Report.id,
            Report.project_id,
            func.row_number()
            .over(
                partition_by=Report.project_id,
                order_by=(Report.reported_on.desc(), Report.id.desc()),
            )
            .label("n"),
        )
        .where(Report.project_id.in_(project_ids))
        .subquery()
    )
