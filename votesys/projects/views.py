"""The register's pages: the organisers' register and dashboard, a project's page, and the
responsible unit's desk where it reports progress."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from votesys import clock
from votesys.auth.views import roles_required
from votesys.errors import DomainError
from votesys.extensions import db
from votesys.form_errors import describe, flash_errors
from votesys.projects import (
    changes,
    labels,
    permissions,
    plan_form,
    present,
    queries,
    reports,
    rules,
    supervision,
)
from votesys.projects.forms import (
    ChangeForm,
    DecisionForm,
    MilestoneForm,
    PlanForm,
    ReportForm,
    SupervisionForm,
)
from votesys.projects.register import set_plan
from votesys.voting.models import Vote
from votesys.voting.views import session_section

bp = Blueprint("projects", __name__, url_prefix="/desk/projects")
ORGANISERS = ("organiser", "admin")
EVERYONE = ("organiser", "admin", "unit")


@bp.get("/")
@roles_required(*ORGANISERS)
def register():
    """The register of the projects the organiser manages, and what needs attention."""
    year = request.args.get("year", type=int)
    projects = permissions.managed_projects(current_user, year)
    return render_template(
        "projects/register.html",
        projects=projects,
        attention=permissions.dashboard(current_user),
        year=year,
        labels=labels,
        queries=queries,
        rules=rules,
    )


@bp.get("/register.csv")
@roles_required(*ORGANISERS)
def register_csv():
    projects = permissions.managed_projects(current_user, request.args.get("year", type=int))
    return Response(
        present.register_csv(projects),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=register.csv"},
    )


@bp.get("/unit")
@roles_required("unit")
def unit_desk():
    """责任单位: its own projects, to report on."""
    return render_template(
        "projects/unit.html",
        projects=permissions.unit_projects(current_user),
        labels=labels,
        queries=queries,
    )


def _project(project_id: int):
    project = queries.get_project(project_id)
    if current_user.role == "unit":
        permissions.ensure_may_report(current_user, project)
    else:
        permissions.ensure_organiser_of(current_user, project)
    return project


@bp.get("/<int:project_id>")
@roles_required(*EVERYONE)
def project(project_id: int):
    return _page(_project(project_id))


def _page(found, plan: PlanForm | None = None, rows: dict | None = None) -> str:
    organiser = current_user.role != "unit"
    return render_template(
        "projects/project.html",
        project=found,
        detail=present.project_detail(found, personal=True),
        organiser=organiser,
        missing_plan=[labels.PLAN_PART_LABELS[m] for m in queries.missing_plan(found)],
        plan_form=plan or plan_form.initial_form(found),
        plan_rows=rows or plan_form.initial_rows(found),
        # A new report starts from the last one: a field left as it is stays as it was.
        report_form=ReportForm(
            reported_on=clock.today(),
            progress=found.progress,
            status=found.status if found.status in rules.REPORT_STATUSES else None,
        ),
        milestone_form=MilestoneForm(done_on=clock.today()),
        change_form=ChangeForm(),
        decision_form=DecisionForm(),
        supervision_form=SupervisionForm(held_on=clock.today()),
        sources=queries.sources(),
        labels=labels,
        rules=rules,
    )


def _back(project_id: int):
    return redirect(url_for(".project", project_id=project_id))


def _refused(err: DomainError, project_id: int, form=None, names=None):
    """Nothing is stored: roll back, then say why on the project's page, an invalid field
    named by its label (the form's, or ``names``')."""
    db.session.rollback()
    flash(describe(err, form, names), "error")
    return _back(project_id)


def _incomplete(form, project_id: int):
    """The form's errors, every one, each naming its field."""
    flash_errors(form, flash)
    return _back(project_id)


def _report_names(project) -> dict[str, str]:
    """The report form's inputs that are not fields of ReportForm, by the names the service
    gives them: each target's actual value, each source's money spent, the photos."""
    names = {f"values.{t.id}": f"{t.name}（{t.unit}）{_('actual')}" for t in project.targets}
    names |= {
        f"spent.{s}": f"{labels.source_label(s)} {_('spent (万元)')}" for s in queries.sources()
    }
    return names | {
        "photos": _("Photos (JPEG or PNG)"),
        "values": _("Targets"),
        "spent": _("Spent"),
    }


@bp.post("/<int:project_id>/reports")
@roles_required(*EVERYONE)
def report(project_id: int):
    found = _project(project_id)
    form = ReportForm()
    if not form.validate_on_submit():
        return _incomplete(form, project_id)
    data = {
        "reported_on": form.reported_on.data.isoformat(),
        "status": form.status.data,
        "progress": form.progress.data,
        "narrative": form.narrative.data or "",
        "correction": form.correction.data or "",
        "spent": {
            s: request.form[f"spent_{s}"]
            for s in queries.sources()
            if request.form.get(f"spent_{s}", "").strip()
        },
        "values": {
            str(t.id): request.form[f"value_{t.id}"]
            for t in found.targets
            if request.form.get(f"value_{t.id}", "").strip()
        },
    }
    photos = [
        (f.filename or "photo", f.read()) for f in request.files.getlist("photos") if f.filename
    ]
    try:
        reports.add_report(found, data, photos)
    except DomainError as err:
        return _refused(err, project_id, form, _report_names(found))
    flash(_("Progress report saved."), "ok")
    return _back(project_id)


@bp.post("/<int:project_id>/plan")
@roles_required(*ORGANISERS)
def plan(project_id: int):
    """实施计划 at the desk, as the plan API sets it; refused, nothing is stored and the
    form comes back with what was typed and every error beside it."""
    found = _project(project_id)
    form = PlanForm()
    rows = plan_form.rows_sent(found)
    if not form.validate_on_submit():
        return _page(found, form, rows), 422
    try:
        set_plan(found, plan_form.plan_data(form, rows))
    except DomainError as err:
        db.session.rollback()
        flash(describe(err, form, plan_form.field_names(rows)), "error")
        return _page(queries.get_project(project_id), form, rows), 422
    db.session.commit()
    flash(_("Implementation plan saved."), "ok")
    return _back(project_id)


@session_section
def _plans_of(sess) -> str:
    """On a session's desk page: the projects its votes approved, and which of them still
    need a plan, with what each lacks."""
    vote_ids = list(db.session.scalars(select(Vote.id).where(Vote.session_id == sess.id)))
    approved = queries.approved_plans(vote_ids)
    if not approved:
        return ""
    return Markup(
        render_template(
            "projects/_plans_needed.html",
            approved=approved,
            needed=[
                (p, [labels.PLAN_PART_LABELS[m] for m in missing])
                for p, missing in approved
                if missing
            ],
        )
    )


@bp.post("/<int:project_id>/milestones/<int:milestone_id>")
@roles_required(*EVERYONE)
def milestone(project_id: int, milestone_id: int):
    found = _project(project_id)
    form = MilestoneForm()
    if not form.validate_on_submit():
        return _incomplete(form, project_id)
    try:
        reports.tick_milestone(found, milestone_id, form.done_on.data)
    except DomainError as err:
        return _refused(err, project_id, form)
    return _back(project_id)


@bp.post("/<int:project_id>/changes")
@roles_required(*EVERYONE)
def change(project_id: int):
    found = _project(project_id)
    form = ChangeForm()
    if not form.validate_on_submit():
        return _incomplete(form, project_id)
    data = {"kind": form.kind.data, "reason": form.reason.data, "scope": form.scope.data or None}
    if form.new_finish.data:
        data["new_finish"] = form.new_finish.data.isoformat()
    try:
        changes.request_change(found, data)
    except DomainError as err:
        return _refused(err, project_id, form)
    flash(_("Change request submitted; it takes effect once approved."), "ok")
    return _back(project_id)


@bp.post("/changes/<int:change_id>")
@roles_required(*ORGANISERS)
def decide(change_id: int):
    found = changes.get_change(change_id)
    project_id = found.project_id
    _project(project_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _incomplete(form, project_id)
    try:
        changes.decide_change(
            found, approve=form.decision.data == "approve", decision_ref=form.decision_ref.data
        )
    except DomainError as err:
        return _refused(err, project_id, form)
    return _back(project_id)


@bp.post("/<int:project_id>/supervision")
@roles_required(*ORGANISERS)
def supervise(project_id: int):
    found = _project(project_id)
    form = SupervisionForm()
    if not form.validate_on_submit():
        return _incomplete(form, project_id)
    try:
        supervision.add_supervision(
            found,
            current_user,
            {
                "kind": form.kind.data,
                "held_on": form.held_on.data.isoformat(),
                "text": form.text.data,
                "deputy": form.deputy.data or None,
            },
        )
    except DomainError as err:
        return _refused(err, project_id, form)
    return _back(project_id)


@bp.get("/<int:project_id>/photos/<int:photo_id>")
@roles_required(*EVERYONE)
def photo(project_id: int, photo_id: int):
    found = reports.get_photo(_project(project_id), photo_id)
    return Response(found.data, mimetype=found.mime)
