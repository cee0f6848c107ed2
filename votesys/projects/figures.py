"""The register's figures: a jurisdiction's year rolled up, money spent per project."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select

from votesys import clock
from votesys.congress import rollups
from votesys.congress.models import Jurisdiction
from votesys.congress.services import subtree_ids
from votesys.extensions import db
from votesys.projects import rollup, rules
from votesys.projects.models import Funding, Milestone, Project, Spending
from votesys.projects.queries import in_planning_clause, latest_reports, sources
from votesys.voting.rules import RATINGS


def summary(node: Jurisdiction, year: int, today: date | None = None) -> dict[str, Any]:
    """A jurisdiction's figures for a year, its sub-jurisdictions rolled up."""
    figures = (
        summary_of_node(node.id, year, today)
        if rollups.built()
        else summary_from_rows(subtree_ids(node.id), year, today)
    )
    return {"jurisdiction": {"code": node.code, "name": node.name, "level": node.level}} | figures


def summary_of(root_id: int, ids: list[int], year: int) -> dict[str, Any]:
    """The figures of the jurisdiction ``root_id`` (whose subtree is ``ids``) for a year:
    from the roll-ups' cells when they are current, else counted from the rows."""
    if rollups.built():
        return summary_of_node(root_id, year)
    return summary_from_rows(ids, year)


def summary_of_node(root_id: int, year: int, today: date | None = None) -> dict[str, Any]:
    """A jurisdiction's figures for a year from its roll-up cells: two queries whatever the
    size of the subtree (the cells, and the funding sources' list)."""
    today = today or clock.today()
    cells = rollups.read(root_id, rollup.KIND, year, year)
    by_completion = {c: 0 for c in rules.COMPLETIONS}
    by_status = {s: 0 for s in rules.STATUSES}
    satisfaction = {r: 0 for r in RATINGS} | {"unrated": 0}
    by_source = {s: Decimal("0.00") for s in sources()}
    overdue = 0
    for name, (n, amount) in sorted(cells.items()):
        family, _, key = name.partition(":")
        if n <= 0:  # nothing of it left (a cell emptied by a correction or deletion)
            continue
        if family == "p.completion":
            by_completion[key] = by_completion.get(key, 0) + n
        elif family == "p.status":
            by_status[key] = by_status.get(key, 0) + n
        elif family == "p.rating":
            satisfaction[key] = satisfaction.get(key, 0) + n
        elif family == "p.invest":
            by_source[key] = amount
        elif family == "p.overdue_from" and key < today.isoformat():
            overdue += n
    return _figures(
        year,
        by_completion,
        by_status,
        satisfaction,
        by_source,
        spent=cells.get("p.spent", (0, Decimal("0.00")))[1],
        overdue=overdue,
        planning=cells.get("p.planning", (0, 0))[0],
        rectification=cells.get("p.rectification", (0, 0))[0],
    )


def summary_from_rows(ids: list[int], year: int, today: date | None = None) -> dict[str, Any]:
    """A jurisdiction subtree's figures for a year in a fixed number of aggregate queries
    over the rows (before the roll-ups are built): projects by completion, status and
    rating; investment by source with largest-remainder shares (adding up to 100.0); spent;
    overdue."""
    today = today or clock.today()
    scope = (Project.jurisdiction_id.in_(ids), Project.year == year)
    counts = db.session.execute(
        select(Project.completion, Project.status, Project.rating, func.count())
        .where(*scope)
        .group_by(Project.completion, Project.status, Project.rating)
    ).all()
    by_completion = {c: 0 for c in rules.COMPLETIONS}
    by_status = {s: 0 for s in rules.STATUSES}
    satisfaction = {r: 0 for r in RATINGS} | {"unrated": 0}
    for completion, status, rating, n in counts:
        by_completion[completion] = by_completion.get(completion, 0) + n
        by_status[status] = by_status.get(status, 0) + n
        satisfaction[rating or "unrated"] = satisfaction.get(rating or "unrated", 0) + n
    by_source = {s: Decimal("0.00") for s in sources()}
    for source, amount in db.session.execute(
        select(Funding.source, func.sum(Funding.amount_wan))
        .join(Project, Project.id == Funding.project_id)
        .where(*scope)
        .group_by(Funding.source)
    ):
        by_source[source] = Decimal(amount)
    project_ids = select(Project.id).where(*scope)
    spent = sum(
        (sum(v.values(), Decimal("0.00")) for v in spent_map(project_ids).values()),
        Decimal("0.00"),
    )
    open_statuses = [s for s in rules.STATUSES if s not in rules.CLOSED_STATUSES]
    late_milestone = (
        select(Milestone.project_id)
        .where(Milestone.done_on.is_(None), Milestone.planned_date < today)
        .scalar_subquery()
    )
    overdue = db.session.scalar(
        select(func.count())
        .select_from(Project)
        .where(
            *scope,
            Project.status.in_(open_statuses),
            or_(Project.planned_finish < today, Project.id.in_(late_milestone)),
        )
    )
    rectification = db.session.scalar(
        select(func.count()).select_from(Project).where(*scope, Project.rectification)
    )
    planning = db.session.scalar(
        select(func.count()).select_from(Project).where(*scope, in_planning_clause())
    )
    return _figures(
        year,
        by_completion,
        by_status,
        satisfaction,
        by_source,
        spent=spent,
        overdue=overdue or 0,
        planning=planning or 0,
        rectification=rectification or 0,
    )


def _figures(
    year,
    by_completion,
    by_status,
    satisfaction,
    by_source,
    *,
    spent,
    overdue,
    planning,
    rectification,
) -> dict[str, Any]:
    total = sum(by_source.values(), Decimal("0.00"))
    return {
        "year": year,
        "projects": sum(by_status.values()),
        "completed": by_status.get("completed", 0),
        "by_completion": by_completion,
        "status_counts": by_status,
        "investment_wan": rules.wan(total),
        "investment_by_source_wan": {k: rules.wan(v) for k, v in by_source.items()},
        "shares": {k: str(v) for k, v in rules.shares(by_source).items()},
        "spent_wan": rules.wan(spent),
        "overdue": overdue,
        "planning": planning,
        "satisfaction": satisfaction,
        "rectification": rectification,
    }


def spent_map(project_ids) -> dict[int, dict[str, Decimal]]:
    """Money spent per project and source, as of each project's latest report: one query.
    ``project_ids`` is a list or a subquery selecting them."""
    if isinstance(project_ids, list) and not project_ids:
        return {}
    latest = latest_reports(project_ids)
    out: dict[int, dict[str, Decimal]] = {}
    for project_id, source, amount in db.session.execute(
        select(latest.c.project_id, Spending.source, Spending.amount_wan)
        .join(Spending, Spending.report_id == latest.c.id)
        .where(latest.c.n == 1)
    ):
        out.setdefault(project_id, {})[source] = amount
    return out
