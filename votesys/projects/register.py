"""Registering projects: units, projects, approved candidates after a vote, the plan."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from votesys import fields
from votesys.categories import CATEGORIES
from votesys.congress.models import Deputy, Jurisdiction
from votesys.errors import Conflict, invalid
from votesys.extensions import db
from votesys.integrity.services import audit
from votesys.projects import rules
from votesys.projects.models import (
    Funding,
    Milestone,
    Project,
    StageTarget,
    Supervisor,
    Target,
    Unit,
)
from votesys.projects.parsing import MAX_TEXT, funding_field, list_field, object_field
from votesys.projects.permissions import deputy_of
from votesys.projects.rating import apply_rating
from votesys.voting.signals import result_published


def find_or_create_unit(jurisdiction: Jurisdiction, name: str) -> Unit:
    name = fields.text(name, "unit")
    unit = db.session.scalar(
        select(Unit).where(Unit.jurisdiction_id == jurisdiction.id, Unit.name == name)
    )
    if unit is None:
        unit = Unit(jurisdiction_id=jurisdiction.id, name=name)
        db.session.add(unit)
        db.session.flush()
        audit("unit_created", f"unit:{unit.id}", name=name, jurisdiction=jurisdiction.code)
    return unit


def create_project(
    jurisdiction: Jurisdiction,
    *,
    year: int,
    title: str,
    unit_name: str = "",
    completion: str = "this_year",
    summary: str = "",
    category: str = "other",
    funding: Mapping[str, Decimal] | None = None,
    targets: Iterable[Mapping[str, Any]] = (),
    status: str = "not_started",
    progress: int = 0,
    vote_id: int | None = None,
    candidate_id: int | None = None,
) -> Project:
    """Register a project (already validated input); flushes and audits."""
    project = Project(
        ref=next_ref(jurisdiction, year),
        jurisdiction_id=jurisdiction.id,
        year=year,
        title=title,
        summary=summary,
        category=category,
        completion=completion,
        status=status,
        progress=progress,
        vote_id=vote_id,
        candidate_id=candidate_id,
        unit=find_or_create_unit(jurisdiction, unit_name) if unit_name else None,
    )
    project.funding = [Funding(source=k, amount_wan=v) for k, v in (funding or {}).items()]
    project.targets = [
        Target(name=t["name"], unit=t["unit"], target=t["target"], actual=t.get("actual"))
        for t in targets
    ]
    db.session.add(project)
    db.session.flush()
    audit(
        "project_registered",
        f"project:{project.id}",
        title=title,
        jurisdiction=jurisdiction.code,
        year=year,
        vote=vote_id,
        candidate=candidate_id,
        funding={k: str(v) for k, v in (funding or {}).items()},
    )
    return project


def next_ref(jurisdiction: Jurisdiction, year: int) -> str:
    """The next readable id in a jurisdiction's year: ``2026-430212-07``."""
    count = db.session.scalar(
        select(func.count(Project.id)).where(
            Project.jurisdiction_id == jurisdiction.id, Project.year == year
        )
    )
    return rules.project_ref(year, jurisdiction.code, (count or 0) + 1)


def register_approved(vote) -> list[Project]:
    """After a vote is published, its approved candidates become the year's projects of the
    vote's jurisdiction. A candidate is registered once (a runoff registers its own). What the
    deputies voted on is carried in: the title, summary and responsible unit, and the budget
    as planned investment whose source is to be settled, until the plan names the sources."""
    sess = vote.session
    out = []
    for entry in vote.entries:
        if not entry.approved:
            continue
        if db.session.scalar(select(Project.id).where(Project.candidate_id == entry.candidate_id)):
            continue
        c = entry.candidate
        out.append(
            create_project(
                sess.congress.jurisdiction,
                year=sess.date.year,
                title=c.title,
                summary=c.summary,
                unit_name=c.responsible_unit,
                funding={rules.PENDING_SOURCE: c.budget_wan} if c.budget_wan else None,
                vote_id=vote.id,
                candidate_id=c.id,
            )
        )
    return out


def set_plan(project: Project, data: Mapping[str, Any]) -> Project:
    """实施计划: set any of the plan's parts. Targets and milestones are matched by name
    (updated, or added); funding, stage targets and supervisors are replaced whole."""
    if project.status == "terminated":
        raise Conflict("project_terminated")
    allowed = {
        "unit",
        "lead_official",
        "completion",
        "category",
        "planned_start",
        "planned_finish",
        "summary",
        "funding",
        "targets",
        "milestones",
        "stages",
        "supervisors",
    }
    if unknown := sorted(set(data) - allowed):
        raise invalid(unknown[0], _l("unknown field"))
    changes: dict[str, Any] = {}
    if "unit" in data:
        project.unit = find_or_create_unit(project.jurisdiction, data["unit"])
        changes["unit"] = project.unit.name
    if "lead_official" in data:
        project.lead_official = fields.text(data["lead_official"], "lead_official", max_len=100)
        changes["lead_official"] = project.lead_official
    if "summary" in data:
        project.summary = fields.text(data["summary"], "summary", max_len=MAX_TEXT, required=False)
    if "completion" in data:
        project.completion = fields.choice(data["completion"], "completion", rules.COMPLETIONS)
        changes["completion"] = project.completion
    if "category" in data:
        project.category = fields.choice(data["category"], "category", CATEGORIES)
        changes["category"] = project.category
    for key in ("planned_start", "planned_finish"):
        if key in data:
            setattr(project, key, fields.date(data[key], key, required=False))
            changes[key] = str(getattr(project, key))
    if project.planned_start and project.planned_finish:
        if project.planned_finish < project.planned_start:
            raise invalid("planned_finish", _l("before the planned start"))
    if "funding" in data:
        replace_funding(project, funding_field(data["funding"], "funding", pending=True))
        changes["funding"] = {f.source: str(f.amount_wan) for f in project.funding}
    if "targets" in data:
        _merge_targets(project, list_field(data["targets"], "targets"))
        changes["targets"] = [[t.name, t.unit, str(t.target)] for t in project.targets]
    if "milestones" in data:
        _merge_milestones(project, list_field(data["milestones"], "milestones"))
        changes["milestones"] = [[m.name, str(m.planned_date)] for m in project.milestones]
    if "stages" in data:
        _replace_stages(project, list_field(data["stages"], "stages"))
        changes["stages"] = {s.year: s.description for s in project.stages}
    if "supervisors" in data:
        _replace_supervisors(project, list_field(data["supervisors"], "supervisors"))
        changes["supervisors"] = sorted(s.deputy.code for s in project.supervisors)
    db.session.flush()
    audit("plan_set", f"project:{project.id}", **changes)
    return project


def replace_funding(project: Project, funding: Mapping[str, Decimal]) -> None:
    project.funding = []
    db.session.flush()
    project.funding = [Funding(source=k, amount_wan=v) for k, v in funding.items()]


def _merge_targets(project: Project, items: list) -> None:
    by_name = {t.name: t for t in project.targets}
    for i, raw in enumerate(items):
        item = object_field(raw, f"targets[{i}]")
        name = fields.text(item.get("name"), f"targets[{i}].name")
        unit = fields.text(item.get("unit"), f"targets[{i}].unit", max_len=20)
        target = fields.money(item.get("target"), f"targets[{i}].target")
        if target <= 0:
            raise invalid(f"targets[{i}].target", _l("must be more than zero"))
        if name in by_name:
            by_name[name].unit, by_name[name].target = unit, target
        else:
            by_name[name] = Target(name=name, unit=unit, target=target)
            project.targets.append(by_name[name])


def _merge_milestones(project: Project, items: list) -> None:
    by_name = {m.name: m for m in project.milestones}
    for i, raw in enumerate(items):
        item = object_field(raw, f"milestones[{i}]")
        name = fields.text(item.get("name"), f"milestones[{i}].name")
        planned = fields.date(item.get("planned_date"), f"milestones[{i}].planned_date")
        if name in by_name:
            by_name[name].planned_date = planned
        else:
            by_name[name] = Milestone(name=name, planned_date=planned)
            project.milestones.append(by_name[name])


def _replace_stages(project: Project, items: list) -> None:
    stages: dict[int, str] = {}
    for i, raw in enumerate(items):
        item = object_field(raw, f"stages[{i}]")
        year = fields.integer(item.get("year"), f"stages[{i}].year", low=project.year, high=2200)
        if year in stages:
            raise invalid(f"stages[{i}].year", _l("duplicate"))
        stages[year] = fields.text(item.get("description"), f"stages[{i}].description", max_len=500)
    if stages and project.completion == "this_year":
        raise invalid("stages", _l("only multi-year and long-term projects have stages"))
    project.stages = []
    db.session.flush()
    project.stages = [StageTarget(year=y, description=d) for y, d in sorted(stages.items())]


def _replace_supervisors(project: Project, codes: list) -> None:
    deputies = []
    for i, code in enumerate(codes):
        deputy = db.session.scalar(select(Deputy).where(Deputy.code == str(code)))
        if deputy is None or not deputy_of(deputy, project):
            raise invalid(f"supervisors[{i}]", _l("no deputy %(code)s of this congress", code=code))
        if deputy not in deputies:
            deputies.append(deputy)
    project.supervisors = []
    db.session.flush()
    project.supervisors = [Supervisor(deputy=d) for d in deputies]


@result_published.connect
def on_publish(vote, **_extra) -> None:
    """A vote's result was published (voting.signals): register the approved projects, or
    apply a rating."""
    if vote.style == "rating":
        apply_rating(vote)
    else:
        register_approved(vote)
