"""Following a project: progress reports, their photos, milestones ticked off."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import undefer

from votesys import clock, fields
from votesys.errors import Conflict, NotFound, invalid
from votesys.extensions import db
from votesys.integrity.services import audit, current_actor
from votesys.photos import process_photo
from votesys.projects import queries, rules
from votesys.projects.models import Milestone, Photo, Project, Report, ReportValue, Spending
from votesys.projects.parsing import MAX_TEXT, funding_field, object_field
from votesys.projects.queries import latest_report

MAX_PHOTOS = 6


def add_report(
    project: Project, data: Mapping[str, Any], photos: Iterable[tuple[str, bytes]] = ()
) -> Report:
    """进度报告: validate everything first; store the report, its values, spending and photos;
    the latest report (by date, then by entry) becomes the project's state. A report may not
    be dated after today."""
    photos = list(photos)
    said = ("status", "progress", "values", "spent", "narrative")
    if not photos and not any(key in data for key in said):
        # Left-out fields keep the last report's: a report must still say something.
        raise invalid("status", _l("a report gives a status, progress, figures, text or photos"))
    checked = check_report(project, data)
    reported_on, status, progress = checked["reported_on"], checked["status"], checked["progress"]
    narrative, values, spent = checked["narrative"], checked["values"], checked["spent"]
    correction = checked["correction"]
    if len(photos) > MAX_PHOTOS:
        raise invalid("photos", _l("at most %(n)s photos", n=MAX_PHOTOS))
    images = [process_photo(name, content, i) for i, (name, content) in enumerate(photos)]
    report = Report(
        project_id=project.id,
        reported_on=reported_on,
        status=status,
        progress=progress,
        narrative=narrative,
        correction=correction,
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
        **({"correction": correction} if correction else {}),
    )
    return report


def check_report(
    project: Project, data: Mapping[str, Any], history: list[Report] | None = None
) -> dict[str, Any]:
    """A report's fields, each checked as the API reads it (InvalidInput, Conflict); nothing
    is written. The project's targets are read by id or name. ``history``: the project's
    reports, newest first, if the caller has them (an import: with its own earlier rows)."""
    if project.status == "terminated":
        raise Conflict("project_terminated")
    allowed = {"reported_on", "status", "progress", "values", "spent", "narrative", "correction"}
    if unknown := sorted(set(data) - allowed):
        raise invalid(unknown[0], _l("unknown field"))
    reported_on = (
        fields.date(data.get("reported_on"), "reported_on", required=False) or clock.today()
    )
    if reported_on > clock.today():
        # The latest report by date is the project's state: one dated ahead would hold it.
        raise invalid("reported_on", _l("not in the future"))
    before, after = neighbours(project, reported_on, history)
    # What a report leaves out stays as it was: the state of the report before it.
    status = fields.choice(
        data["status"] if "status" in data else (before.status if before else None),
        "status",
        rules.REPORT_STATUSES,
    )
    if "progress" in data:
        progress = fields.integer(data["progress"], "progress", low=0, high=100)
    elif status == "completed":
        progress = 100  # a completed project is at 100%, whatever the report before said
    else:
        progress = fields.integer(before.progress if before else None, "progress", low=0, high=100)
    if status == "completed" and progress != 100:
        raise invalid("progress", _l("a completed project is at 100%"))
    narrative = fields.text(data.get("narrative"), "narrative", max_len=MAX_TEXT, required=False)
    correction = fields.text(data.get("correction"), "correction", 500, required=False) or None
    targets = {str(t.id): t for t in project.targets} | {t.name: t for t in project.targets}
    values: dict[int, Decimal] = {}
    for key, raw in object_field(data.get("values", {}), "values").items():
        target = targets.get(str(key))
        if target is None:
            raise invalid(f"values.{str(key)[:40]}", _l("not a target of this project"))
        values[target.id] = fields.money(raw, f"values.{key}")
    spent = cumulative_spending(
        before, after, funding_field(data.get("spent", {}), "spent"), correction
    )
    return {
        "reported_on": reported_on,
        "status": status,
        "progress": progress,
        "narrative": narrative,
        "values": values,
        "spent": spent,
        "correction": correction,
    }


def neighbours(
    project: Project, on: date, history: list[Report] | None = None
) -> tuple[Report | None, Report | None]:
    """The reports just before and just after a new one dated ``on`` (a new report comes
    after those of its own date: entries order reports of one day)."""
    # newest first, by date then entry
    reports = queries.reports_of(project) if history is None else history
    before = next((r for r in reports if r.reported_on <= on), None)
    after = next((r for r in reversed(reports) if r.reported_on > on), None)
    return before, after


def cumulative_spending(
    before: Report | None,
    after: Report | None,
    given: Mapping[str, Decimal],
    correction: str | None,
) -> dict[str, Decimal]:
    """Each source's total spent so far, as of the new report. Spending is cumulative: a
    source the report leaves out keeps the total of the report before it, and a total may
    not fall below the one before it (nor rise above a later report's) unless the report
    says why, as a correction the project's history shows."""
    previous = {s.source: s.amount_wan for s in before.spending} if before else {}
    later = {s.source: s.amount_wan for s in after.spending} if after else {}
    if correction is None:
        for source, amount in given.items():
            if amount < previous.get(source, Decimal(0)):
                raise invalid(
                    f"spent.{source}",
                    _l(
                        "spending is counted from the start: %(amount)s is less than the "
                        "%(before)s 万元 reported before; to lower it, say why in the correction",
                        amount=amount,
                        before=previous[source],
                    ),
                )
            if source in later and amount > later[source]:
                raise invalid(
                    f"spent.{source}",
                    _l(
                        "a later report gives %(later)s 万元 spent; an earlier one cannot "
                        "give more without a correction",
                        later=later[source],
                    ),
                )
    return {**previous, **given}


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


def get_photo(project: Project, photo_id: int) -> Photo:
    """The photo, with its bytes, if it is of one of the project's reports: one statement."""
    photo = db.session.scalar(
        select(Photo)
        .join(Report, Report.id == Photo.report_id)
        .where(Photo.id == photo_id, Report.project_id == project.id)
        .options(undefer(Photo.data))
    )
    if photo is None:
        raise NotFound("not_found")
    return photo


def tick_milestone(project: Project, milestone_id: int, done_on: Any) -> Milestone:
    """A milestone ticked off with its actual date."""
    milestone = db.session.get(Milestone, milestone_id)
    if milestone is None or milestone.project_id != project.id:
        raise NotFound("not_found")
    when = fields.date(done_on, "done_on")
    if when > clock.today():
        raise invalid("done_on", _l("not in the future"))
    milestone.done_on = when
    db.session.flush()
    audit("milestone_done", f"project:{project.id}", milestone=milestone.id, done_on=str(when))
    return milestone
