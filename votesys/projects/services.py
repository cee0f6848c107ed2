"""What organisers, responsible units and deputies do with the register. Services flush;
the request commits."""

from __future__ import annotations

import io
import json
import re
import warnings
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from votesys import clock
from votesys.auth.models import Role, User
from votesys.categories import CATEGORIES
from votesys.congress import services as congress
from votesys.congress.models import Deputy, Jurisdiction
from votesys.congress.services import subtree_ids
from votesys.errors import Conflict, Forbidden, InvalidInput, NotFound, invalid
from votesys.extensions import db
from votesys.integrity.services import audit, current_actor
from votesys.models_base import MAX_ID, utcnow
from votesys.projects import rules
from votesys.projects.models import (
    ChangeRequest,
    Funding,
    Milestone,
    Photo,
    Project,
    Report,
    ReportValue,
    Spending,
    StageTarget,
    SupervisionRecord,
    Supervisor,
    Target,
    Unit,
)
from votesys.voting import services as voting
from votesys.voting.models import RatedProject
from votesys.voting.rating import rated_project_ids
from votesys.voting.rules import RATINGS, UNSATISFIED
from votesys.voting.signals import result_published

MAX_TEXT = 5000
MAX_PHOTOS = 6
PHOTO_MAX_SIDE = 2000


# --- reading ------------------------------------------------------------------------------


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
    # What a list row shows (place, unit, overdue milestones, planned money) is loaded with
    # the list, in four queries whatever its length, not up to four per project.
    query = query.options(
        selectinload(Project.jurisdiction),
        selectinload(Project.unit),
        selectinload(Project.milestones),
        selectinload(Project.funding),
    )
    return list(
        db.session.scalars(query.order_by(Project.year, Project.jurisdiction_id, Project.id))
    )


def reports_of(project: Project) -> list[Report]:
    """The history, newest first."""
    return list(
        db.session.scalars(
            select(Report)
            .where(Report.project_id == project.id)
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


# --- permissions --------------------------------------------------------------------------


def is_organiser_of(user: object, project: Project) -> bool:
    return congress.manages(user, project.jurisdiction)


def ensure_organiser_of(user: object, project: Project) -> None:
    congress.ensure_manages(user, project.jurisdiction)


def ensure_may_report(user: object, project: Project) -> None:
    """A responsible unit reports on its own projects only; organisers on those they manage."""
    if isinstance(user, User) and user.role == Role.UNIT:
        if user.unit_id is None or user.unit_id != project.unit_id:
            raise Forbidden("not_your_unit")
        return
    ensure_organiser_of(user, project)


def unit_projects(user: User) -> list[Project]:
    return list(
        db.session.scalars(
            select(Project)
            .where(Project.unit_id == user.unit_id)
            .order_by(Project.year.desc(), Project.id)
        )
    )


def managed_projects(user: User, year: int | None = None) -> list[Project]:
    return [p for p in list_projects(year=year) if congress.manages(user, p.jurisdiction)]


def dashboard(user: User, today: date | None = None) -> list[tuple[Project, bool]]:
    """Projects needing attention: overdue or reported delayed, among those the user manages."""
    out = []
    for p in managed_projects(user):
        late = overdue(p, today)
        if late or p.status == "delayed":
            out.append((p, late))
    return out


# --- parsing ------------------------------------------------------------------------------


def text_field(value: Any, field: str, *, max_len: int = 200, required: bool = True) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise invalid(field, _l("must be text"))
    value = value.strip()
    if required and not value:
        raise invalid(field, _l("required"))
    if len(value) > max_len:
        raise invalid(field, _l("at most %(n)s characters", n=max_len))
    return value


def date_field(value: Any, field: str, *, required: bool = True) -> date | None:
    if value in (None, "") and not required:
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):  # anything else (a number, a list, a missing value) is refused
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
    raise invalid(field, _l("a date as YYYY-MM-DD"))


def int_field(value: Any, field: str, *, low: int, high: int) -> int:
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,9}", value.strip()):
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(field, _l("a whole number"))
    if not low <= value <= high:
        raise invalid(field, _l("between %(low)s and %(high)s", low=low, high=high))
    return value


def money_field(value: Any, field: str) -> Decimal:
    try:
        return rules.money(value)
    except ValueError as err:
        raise invalid(field, err.args[0]) from None


def choice_field(value: Any, field: str, allowed: Iterable[str]) -> str:
    allowed = tuple(allowed)
    if value not in allowed:
        raise invalid(field, _l("one of %(values)s", values=", ".join(allowed)))
    return value


def funding_field(value: Any, field: str) -> dict[str, Decimal]:
    """{source: amount}: every source known, every amount a non-negative 万元 decimal."""
    if not isinstance(value, Mapping):
        raise invalid(field, _l("an object of source: amount"))
    known = sources()
    out = {}
    for key, amount in value.items():
        if key not in known:
            raise InvalidInput("unknown_source", source=str(key)[:40], known=", ".join(known))
        out[key] = money_field(amount, f"{field}.{key}")
    return out


def _list(value: Any, field: str) -> list:
    if not isinstance(value, list):
        raise invalid(field, _l("a list"))
    return value


def _object(value: Any, field: str) -> Mapping:
    if not isinstance(value, Mapping):
        raise invalid(field, _l("an object"))
    return value


# --- units and projects -------------------------------------------------------------------


def find_or_create_unit(jurisdiction: Jurisdiction, name: str) -> Unit:
    name = text_field(name, "unit")
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
    vote's jurisdiction. A candidate is registered once (a runoff registers its own)."""
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
        project.lead_official = text_field(data["lead_official"], "lead_official", max_len=100)
        changes["lead_official"] = project.lead_official
    if "summary" in data:
        project.summary = text_field(data["summary"], "summary", max_len=MAX_TEXT, required=False)
    if "completion" in data:
        project.completion = choice_field(data["completion"], "completion", rules.COMPLETIONS)
        changes["completion"] = project.completion
    if "category" in data:
        project.category = choice_field(data["category"], "category", CATEGORIES)
        changes["category"] = project.category
    for key in ("planned_start", "planned_finish"):
        if key in data:
            setattr(project, key, date_field(data[key], key, required=False))
            changes[key] = str(getattr(project, key))
    if project.planned_start and project.planned_finish:
        if project.planned_finish < project.planned_start:
            raise invalid("planned_finish", _l("before the planned start"))
    if "funding" in data:
        _replace_funding(project, funding_field(data["funding"], "funding"))
        changes["funding"] = {f.source: str(f.amount_wan) for f in project.funding}
    if "targets" in data:
        _merge_targets(project, _list(data["targets"], "targets"))
        changes["targets"] = [[t.name, t.unit, str(t.target)] for t in project.targets]
    if "milestones" in data:
        _merge_milestones(project, _list(data["milestones"], "milestones"))
        changes["milestones"] = [[m.name, str(m.planned_date)] for m in project.milestones]
    if "stages" in data:
        _replace_stages(project, _list(data["stages"], "stages"))
        changes["stages"] = {s.year: s.description for s in project.stages}
    if "supervisors" in data:
        _replace_supervisors(project, _list(data["supervisors"], "supervisors"))
        changes["supervisors"] = sorted(s.deputy.code for s in project.supervisors)
    db.session.flush()
    audit("plan_set", f"project:{project.id}", **changes)
    return project


def _replace_funding(project: Project, funding: Mapping[str, Decimal]) -> None:
    project.funding = []
    db.session.flush()
    project.funding = [Funding(source=k, amount_wan=v) for k, v in funding.items()]


def _merge_targets(project: Project, items: list) -> None:
    by_name = {t.name: t for t in project.targets}
    for i, raw in enumerate(items):
        item = _object(raw, f"targets[{i}]")
        name = text_field(item.get("name"), f"targets[{i}].name")
        unit = text_field(item.get("unit"), f"targets[{i}].unit", max_len=20)
        target = money_field(item.get("target"), f"targets[{i}].target")
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
        item = _object(raw, f"milestones[{i}]")
        name = text_field(item.get("name"), f"milestones[{i}].name")
        planned = date_field(item.get("planned_date"), f"milestones[{i}].planned_date")
        if name in by_name:
            by_name[name].planned_date = planned
        else:
            by_name[name] = Milestone(name=name, planned_date=planned)
            project.milestones.append(by_name[name])


def _replace_stages(project: Project, items: list) -> None:
    stages: dict[int, str] = {}
    for i, raw in enumerate(items):
        item = _object(raw, f"stages[{i}]")
        year = int_field(item.get("year"), f"stages[{i}].year", low=project.year, high=2200)
        if year in stages:
            raise invalid(f"stages[{i}].year", _l("duplicate"))
        stages[year] = text_field(item.get("description"), f"stages[{i}].description", max_len=500)
    if stages and project.completion == "this_year":
        raise invalid("stages", _l("only multi-year and long-term projects have stages"))
    project.stages = []
    db.session.flush()
    project.stages = [StageTarget(year=y, description=d) for y, d in sorted(stages.items())]


def _replace_supervisors(project: Project, codes: list) -> None:
    deputies = []
    for i, code in enumerate(codes):
        deputy = db.session.scalar(select(Deputy).where(Deputy.code == str(code)))
        if deputy is None or not _deputy_of(deputy, project):
            raise invalid(f"supervisors[{i}]", _l("no deputy %(code)s of this congress", code=code))
        if deputy not in deputies:
            deputies.append(deputy)
    project.supervisors = []
    db.session.flush()
    project.supervisors = [Supervisor(deputy=d) for d in deputies]


def _deputy_of(deputy: Deputy, project: Project) -> bool:
    """A deputy of the project's jurisdiction's congress, or of one above it."""
    return deputy.congress.jurisdiction_id in {
        j.id for j in project.jurisdiction.ancestors_and_self()
    }


# --- following: reports, milestones -------------------------------------------------------


def add_report(
    project: Project, data: Mapping[str, Any], photos: Iterable[tuple[str, bytes]] = ()
) -> Report:
    """进度报告: validate everything first; store the report, its values, spending and photos;
    the latest report (by date) becomes the project's state."""
    if project.status == "terminated":
        raise Conflict("project_terminated")
    allowed = {"reported_on", "status", "progress", "values", "spent", "narrative"}
    if unknown := sorted(set(data) - allowed):
        raise invalid(unknown[0], _l("unknown field"))
    reported_on = (
        date_field(data.get("reported_on"), "reported_on", required=False) or clock.today()
    )
    status = choice_field(data.get("status"), "status", rules.STATUSES)
    progress = int_field(data.get("progress"), "progress", low=0, high=100)
    if status == "completed" and progress != 100:
        raise invalid("progress", _l("a completed project is at 100%"))
    narrative = text_field(data.get("narrative"), "narrative", max_len=MAX_TEXT, required=False)
    targets = {str(t.id): t for t in project.targets} | {t.name: t for t in project.targets}
    values: dict[int, Decimal] = {}
    for key, raw in _object(data.get("values", {}), "values").items():
        target = targets.get(str(key))
        if target is None:
            raise invalid(f"values.{str(key)[:40]}", _l("not a target of this project"))
        values[target.id] = money_field(raw, f"values.{key}")
    spent = funding_field(data.get("spent", {}), "spent")
    photos = list(photos)
    if len(photos) > MAX_PHOTOS:
        raise invalid("photos", _l("at most %(n)s photos", n=MAX_PHOTOS))
    images = [process_photo(name, content, i) for i, (name, content) in enumerate(photos)]
    report = Report(
        project_id=project.id,
        reported_on=reported_on,
        status=status,
        progress=progress,
        narrative=narrative,
        author=current_actor(),
    )
    report.values = [ReportValue(target_id=k, actual=v) for k, v in values.items()]
    report.spending = [Spending(source=k, amount_wan=v) for k, v in spent.items()]
    report.photos = [Photo(**img) for img in images]
    db.session.add(report)
    db.session.flush()
    _refresh_state(project)
    audit(
        "progress_reported",
        f"project:{project.id}",
        report=report.id,
        reported_on=reported_on.isoformat(),
        status=status,
        progress=progress,
        values={str(k): str(v) for k, v in values.items()},
        spent={k: str(v) for k, v in spent.items()},
        photos=len(images),
    )
    return report


def _refresh_state(project: Project) -> None:
    latest = latest_report(project)
    if latest is None:
        return
    project.status, project.progress = latest.status, latest.progress
    # Each target's actual value is its latest reported one.
    for target in project.targets:
        value = db.session.scalar(
            select(ReportValue.actual)
            .join(Report, Report.id == ReportValue.report_id)
            .where(ReportValue.target_id == target.id)
            .order_by(Report.reported_on.desc(), Report.id.desc())
            .limit(1)
        )
        if value is not None:
            target.actual = value
    db.session.flush()


def process_photo(filename: str, content: bytes, index: int = 0) -> dict[str, Any]:
    """Check a photo (JPEG or PNG, within the size limit) and re-encode it: the stored bytes
    are Pillow's own, so EXIF (GPS, camera, owner) and any trailing data are gone."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    field = f"photos[{index}]"
    limit = current_app.config.get("PHOTO_MAX_BYTES", 5 * 1024 * 1024)
    if len(content) > limit:
        raise InvalidInput("photo_too_large", name=filename[:80], mb=limit // (1024 * 1024))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as img:
                if img.format not in ("JPEG", "PNG"):
                    raise invalid(field, _l("a JPEG or PNG photo"))
                fmt = img.format
                img.load()
                img = ImageOps.exif_transpose(img)
                img.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
                if fmt == "JPEG" and img.mode not in ("RGB", "L"):
                    img = img.convert("RGB")
                out = io.BytesIO()
                if fmt == "JPEG":
                    img.save(out, "JPEG", quality=85, optimize=True)
                else:
                    img.save(out, "PNG", optimize=True)
    except InvalidInput:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        ValueError,
        SyntaxError,
    ):
        raise invalid(field, _l("not a readable JPEG or PNG photo")) from None
    mime = "image/jpeg" if fmt == "JPEG" else "image/png"
    return {"mime": mime, "width": img.width, "height": img.height, "data": out.getvalue()}


def get_photo(project: Project, photo_id: int) -> Photo:
    photo = db.session.get(Photo, photo_id)
    if photo is None or db.session.get(Report, photo.report_id).project_id != project.id:
        raise NotFound("not_found")
    return photo


def tick_milestone(project: Project, milestone_id: int, done_on: Any) -> Milestone:
    """A milestone ticked off with its actual date."""
    milestone = db.session.get(Milestone, milestone_id)
    if milestone is None or milestone.project_id != project.id:
        raise NotFound("not_found")
    when = date_field(done_on, "done_on")
    if when > clock.today():
        raise invalid("done_on", _l("not in the future"))
    milestone.done_on = when
    db.session.flush()
    audit("milestone_done", f"project:{project.id}", milestone=milestone.id, done_on=str(when))
    return milestone


# --- changes ------------------------------------------------------------------------------


def request_change(project: Project, data: Mapping[str, Any]) -> ChangeRequest:
    """调整 / 暂缓 / 终止 requested: nothing of the plan changes until an organiser approves."""
    if project.status == "terminated":
        raise Conflict("project_terminated")
    kind = choice_field(data.get("kind"), "kind", rules.CHANGE_KINDS)
    reason = text_field(data.get("reason"), "reason", max_len=MAX_TEXT)
    proposal: dict[str, Any] = {}
    if data.get("new_finish") not in (None, ""):
        proposal["new_finish"] = date_field(data["new_finish"], "new_finish").isoformat()
    if data.get("funding") is not None:
        proposal["funding"] = {
            k: str(v) for k, v in funding_field(data["funding"], "funding").items()
        }
    if data.get("scope") not in (None, ""):
        proposal["scope"] = text_field(data["scope"], "scope", max_len=MAX_TEXT)
    if kind == "postpone" and "new_finish" not in proposal:
        raise invalid("new_finish", _l("a postponement names the new finish date"))
    if kind == "adjust" and not proposal:
        raise invalid("kind", _l("an adjustment changes the scope, the funding or the deadline"))
    if kind == "terminate" and proposal:
        raise invalid("kind", _l("a termination changes nothing else"))
    change = ChangeRequest(
        project_id=project.id,
        kind=kind,
        reason=reason,
        proposal=json.dumps(proposal, ensure_ascii=False, sort_keys=True),
        requested_by=current_actor(),
    )
    db.session.add(change)
    db.session.flush()
    audit("change_requested", f"project:{project.id}", change=change.id, kind=kind, **proposal)
    return change


def get_change(change_id: int) -> ChangeRequest:
    change = db.session.get(ChangeRequest, change_id)
    if change is None:
        raise NotFound("not_found")
    return change


def decide_change(change: ChangeRequest, *, approve: bool, decision_ref: Any) -> ChangeRequest:
    """An organiser approves or rejects, citing the decision (人大常委会 or township congress).
    Only an approved change alters the plan."""
    if change.state != "pending":
        raise Conflict("change_decided")
    ref = text_field(decision_ref, "decision_ref")
    project = get_project(change.project_id)
    change.state = "approved" if approve else "rejected"
    change.decision_ref = ref
    change.decided_by = current_actor()
    change.decided_at = utcnow()
    if approve:
        proposal = json.loads(change.proposal)
        if "new_finish" in proposal:
            project.planned_finish = date.fromisoformat(proposal["new_finish"])
        if "funding" in proposal:
            _replace_funding(project, {k: Decimal(v) for k, v in proposal["funding"].items()})
        if "scope" in proposal:
            project.summary = proposal["scope"]
        if change.kind == "postpone":
            project.status = "suspended"
        if change.kind == "terminate":
            project.status = "terminated"
    db.session.flush()
    audit(
        "change_decided",
        f"project:{project.id}",
        change=change.id,
        state=change.state,
        decision_ref=ref,
    )
    return change


# --- supervision --------------------------------------------------------------------------


def add_supervision(project: Project, principal: object, data: Mapping[str, Any]):
    """监督: a deputy records an inspection or a comment on a project of their congress;
    organisers record hearings (and may record a deputy's inspection for them). Who may is
    checked before what was sent."""
    if isinstance(principal, Deputy):
        if not _deputy_of(principal, project):
            raise Forbidden("out_of_scope")
    else:
        ensure_organiser_of(principal, project)
    kind = choice_field(data.get("kind"), "kind", rules.SUPERVISION_KINDS)
    held_on = date_field(data.get("held_on"), "held_on", required=False) or clock.today()
    text = text_field(data.get("text"), "text", max_len=MAX_TEXT)
    deputy = None
    if isinstance(principal, Deputy):
        if kind == "hearing":
            raise Forbidden("forbidden")
        deputy = principal
    else:
        if data.get("deputy"):
            deputy = db.session.scalar(select(Deputy).where(Deputy.code == str(data["deputy"])))
            if deputy is None or not _deputy_of(deputy, project):
                raise invalid(
                    "deputy", _l("no deputy %(code)s of this congress", code=data["deputy"])
                )
    record = SupervisionRecord(
        project_id=project.id,
        kind=kind,
        held_on=held_on,
        deputy_id=deputy.id if deputy else None,
        text=text,
        author=current_actor(),
    )
    db.session.add(record)
    db.session.flush()
    audit("supervision_recorded", f"project:{project.id}", record=record.id, kind=kind)
    return record


# --- the satisfaction rating --------------------------------------------------------------


def create_rating_vote(sess, *, title: str, project_ids: list[int], base: str = "all_deputies"):
    """满意度测评: a rating vote in a session of the projects' congress, through the same
    engine as every vote. Each project is put on the ballot as a candidate linked to it."""

    if not project_ids:
        raise invalid("projects", _l("at least one project"))
    if len(set(project_ids)) != len(project_ids):
        raise invalid("projects", _l("a project appears twice"))
    jurisdiction = sess.congress.jurisdiction
    candidate_ids = []
    for i, pid in enumerate(project_ids):
        is_id = isinstance(pid, int) and not isinstance(pid, bool) and 0 < pid <= MAX_ID
        project = db.session.get(Project, pid) if is_id else None
        if project is None:
            raise invalid(f"projects[{i}]", _l("no such project"))
        if project.jurisdiction_id != jurisdiction.id:
            raise invalid(f"projects[{i}]", _l("not a project of this congress's jurisdiction"))
        candidate = voting.add_candidate(
            sess, project.title, project.summary, project.unit.name if project.unit else ""
        )
        db.session.add(RatedProject(candidate_id=candidate.id, project_id=project.id))
        candidate_ids.append(candidate.id)
    n = len(candidate_ids)
    return voting.create_vote(
        sess,
        title=title,
        candidate_ids=candidate_ids,
        seats=n,
        max_for=n,
        style="rating",
        base=base,
    )


def apply_rating(vote) -> None:
    """A published rating sets each project's rating; 不满意 flags it for rectification
    (整改), carried into later registers until a later rating clears it."""
    links = rated_project_ids(vote)
    year = vote.session.date.year
    for entry in vote.entries:
        project = db.session.get(Project, links[entry.candidate_id])
        project.rating = entry.rating
        project.rating_year = year
        project.rectification = entry.rating == UNSATISFIED
        audit(
            "project_rated",
            f"project:{project.id}",
            vote=vote.id,
            rating=entry.rating,
            rectification=project.rectification,
        )
    db.session.flush()


@result_published.connect
def on_publish(vote, **_extra) -> None:
    """A vote's result was published (voting.signals): register the approved projects, or
    apply a rating."""
    if vote.style == "rating":
        apply_rating(vote)
    else:
        register_approved(vote)


# --- figures ------------------------------------------------------------------------------


def summary(node: Jurisdiction, year: int, today: date | None = None) -> dict[str, Any]:
    """A jurisdiction's figures for a year, its sub-jurisdictions rolled up."""
    return {"jurisdiction": {"code": node.code, "name": node.name, "level": node.level}} | (
        summary_of(subtree_ids(node.id), year, today)
    )


def summary_of(ids: list[int], year: int, today: date | None = None) -> dict[str, Any]:
    """A jurisdiction subtree's figures for a year in a fixed number of aggregate queries:
    projects by completion, status and rating; investment by source with largest-remainder
    shares (adding up to 100.0); spent; overdue."""
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
        "overdue": overdue or 0,
        "satisfaction": satisfaction,
        "rectification": rectification or 0,
    }


def spent_map(project_ids) -> dict[int, dict[str, Decimal]]:
    """Money spent per project and source, as of each project's latest report: one query.
    ``project_ids`` is a list or a subquery selecting them."""
    if isinstance(project_ids, list) and not project_ids:
        return {}
    latest = (
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
    out: dict[int, dict[str, Decimal]] = {}
    for project_id, source, amount in db.session.execute(
        select(latest.c.project_id, Spending.source, Spending.amount_wan)
        .join(Spending, Spending.report_id == latest.c.id)
        .where(latest.c.n == 1)
    ):
        out.setdefault(project_id, {})[source] = amount
    return out
