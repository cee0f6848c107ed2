"""JSON endpoints of the register: figures, projects, reports, plan, changes, supervision,
the satisfaction rating, import and export."""

from __future__ import annotations

import json
from functools import partial

from flask import Blueprint, Response, g, request, url_for
from flask_babel import lazy_gettext as _l

from votesys import fields
from votesys.api_support import api_auth, bearer_principal, json_body
from votesys.congress import jobs
from votesys.congress import services as congress
from votesys.congress.models import Jurisdiction
from votesys.errors import BadRequest, invalid
from votesys.extensions import db
from votesys.importing import INLINE, ImportRefused, read_upload
from votesys.integrity.services import current_actor
from votesys.projects import (
    changes,
    figures,
    importing,
    permissions,
    present,
    queries,
    rating,
    register,  # also connects register.on_publish to voting.signals.result_published
    reports,
    rules,
    supervision,
)
from votesys.public_cache import public_cached
from votesys.voting import present as vote_present
from votesys.voting.jurisdiction_rules_api import optional

bp = Blueprint("projects_api", __name__, url_prefix="/api/v1")
ORGANISERS = ("organiser", "admin")
REPORTERS = ("unit", "organiser", "admin")


def _year(raw: str | None, *, required: bool) -> int | None:
    if raw is None and not required:
        return None
    return fields.integer(raw or "", "year", low=1949, high=2200)


def _given(name: str) -> str | None:
    """An optional query parameter: None when left out; given, it needs a value (422
    ``invalid`` naming it otherwise), as in the public API. The pages' filter forms, which
    send empty fields, are the lenient ones."""
    value = request.args.get(name)
    if value is not None and not value.strip():
        raise invalid(name, _l("give a value or leave the parameter out"))
    return value


@bp.get("/jurisdictions/<code>/summary")
@public_cached
def summary(code: str):
    """Public: a jurisdiction's figures for a year, sub-jurisdictions rolled up."""
    node = congress.jurisdiction_by_code(code[:32])
    return figures.summary(node, _year(request.args.get("year"), required=True))


@bp.get("/projects")
@public_cached
def index():
    """Public: the register, filtered by jurisdiction (with everything under it), year and
    status. A year's register carries earlier projects still under rectification. Cached
    and answered with an ETag like the public API (/api/v1/public/projects), whose rows
    are the public site's; these are the register's own, with ids for the endpoints below."""
    code = _given("jurisdiction")
    node = congress.jurisdiction_by_code(code[:32]) if code else None
    status = _given("status")
    if status is not None:
        fields.choice(status, "status", rules.STATUSES)
    projects = queries.list_projects(
        jurisdiction=node, year=_year(_given("year"), required=False), status=status
    )
    return {"projects": [present.project_row(p) for p in projects]}


@bp.get("/projects/<int:project_id>")
def show(project_id: int):
    """Public, without personal data; in full for its organisers and its unit."""
    project = queries.get_project(project_id)
    principal = bearer_principal()
    own_unit = (
        project.unit_id is not None and getattr(principal, "unit_id", None) == project.unit_id
    )
    personal = principal is not None and (
        permissions.is_organiser_of(principal, project) or own_unit
    )
    return present.project_detail(project, personal=personal)


@bp.get("/projects/<int:project_id>/photos/<int:photo_id>")
def photo(project_id: int, photo_id: int):
    found = reports.get_photo(queries.get_project(project_id), photo_id)
    return Response(found.data, mimetype=found.mime, headers={"Cache-Control": "max-age=86400"})


@bp.post("/projects/<int:project_id>/reports")
@api_auth(*REPORTERS)
def report(project_id: int):
    """进度报告 by the project's responsible unit: JSON, or multipart with the JSON in a
    ``report`` field and up to six ``photos`` (JPEG/PNG)."""
    project = queries.get_project(project_id)
    permissions.ensure_may_report(g.principal, project)
    if request.mimetype == "multipart/form-data":
        try:
            data = json.loads(request.form.get("report") or "{}")
        except ValueError:
            raise BadRequest("bad_json") from None
        if not isinstance(data, dict):
            raise BadRequest("bad_json")
        if request.form.getlist("photos"):  # a part named photos that is not a file
            raise invalid("photos", _l("a JPEG or PNG photo"))
        photos = [(f.filename or "photo", f.read()) for f in request.files.getlist("photos")]
    else:
        data, photos = json_body(), []
    created = reports.add_report(project, data, photos)
    return {"report": created.id, "project": present.project_row(project)}, 201


@bp.post("/projects/<int:project_id>/milestones/<int:milestone_id>/done")
@api_auth(*REPORTERS)
def milestone_done(project_id: int, milestone_id: int):
    project = queries.get_project(project_id)
    permissions.ensure_may_report(g.principal, project)
    done = reports.tick_milestone(project, milestone_id, json_body().get("done_on"))
    return {"milestone": done.id, "done_on": done.done_on.isoformat()}


@bp.post("/projects/<int:project_id>/plan")
@api_auth(*ORGANISERS)
def plan(project_id: int):
    project = queries.get_project(project_id)
    permissions.ensure_organiser_of(g.principal, project)
    register.set_plan(project, json_body())
    return present.project_detail(project, personal=True)


@bp.post("/projects/<int:project_id>/changes")
@api_auth(*REPORTERS)
def request_change(project_id: int):
    project = queries.get_project(project_id)
    permissions.ensure_may_report(g.principal, project)
    change = changes.request_change(project, json_body())
    return {"change": change.id, "state": change.state}, 201


@bp.post("/projects/<int:project_id>/status")
@api_auth(*ORGANISERS)
def correct_status(project_id: int):
    """An organiser corrects a wrongly recorded state: {"status": "in_progress", "reason": "…"}."""
    project = queries.get_project(project_id)
    permissions.ensure_organiser_of(g.principal, project)
    corrected = changes.correct_status(project, json_body())
    return {"project": corrected.id, "status": corrected.status}


@bp.post("/changes/<int:change_id>/decision")
@api_auth(*ORGANISERS)
def decide_change(change_id: int):
    """Approve or reject, citing the decision: {"approve": true, "decision_ref": "…"}."""
    change = changes.get_change(change_id)
    permissions.ensure_organiser_of(g.principal, queries.get_project(change.project_id))
    body = json_body()
    if not isinstance(body.get("approve"), bool):
        raise invalid("approve", _l("true or false"))
    change = changes.decide_change(
        change, approve=body["approve"], decision_ref=body.get("decision_ref")
    )
    return {"change": change.id, "state": change.state, "decision_ref": change.decision_ref}


@bp.post("/projects/<int:project_id>/supervision")
@api_auth("deputy", *ORGANISERS)
def supervise(project_id: int):
    record = supervision.add_supervision(queries.get_project(project_id), g.principal, json_body())
    return {"record": record.id, "kind": record.kind}, 201


@bp.get("/projects/dashboard")
@api_auth(*ORGANISERS)
def dashboard():
    """Organisers: the overdue and delayed projects they manage."""
    return {
        "projects": [
            present.project_row(p) | {"overdue": late}
            for p, late in permissions.dashboard(g.principal)
        ]
    }


@bp.post("/sessions/<int:session_id>/rating-votes")
@api_auth(*ORGANISERS)
def rating_vote(session_id: int):
    """满意度测评: create a rating vote on projects, then open, cast, close and publish it
    through /api/v1/votes like any vote."""
    sess = congress.get_session(session_id, g.principal)
    body = json_body()
    projects = body.get("projects")
    if not isinstance(projects, list):
        raise invalid("projects", _l("a list of project ids"))
    vote = rating.create_rating_vote(
        sess,
        title=body.get("title") or "",
        project_ids=projects,
        base=optional(body, "base"),  # none given: the jurisdiction's default
        exception_reason=optional(body, "exception_reason"),
    )
    return vote_present.vote_dict(vote), 201


@bp.get("/projects/export.<fmt>")
def export(fmt: str):
    """Public: the register as .csv or .xlsx, with the same filters as the list."""
    if fmt not in ("csv", "xlsx"):
        raise invalid("format", _l("csv or xlsx"))
    code = _given("jurisdiction")
    node = congress.jurisdiction_by_code(code[:32]) if code else None
    projects = queries.list_projects(jurisdiction=node, year=_year(_given("year"), required=False))
    if fmt == "csv":
        return Response(
            present.register_csv(projects),
            mimetype="text/csv",
            headers={"Content-Disposition": "attachment; filename=register.csv"},
        )
    return Response(
        present.register_xlsx(projects),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": "attachment; filename=register.xlsx"},
    )


@bp.post("/jurisdictions/<code>/projects/import")
@api_auth(*ORGANISERS)
def import_(code: str):
    """Organisers: a plan (kind=plan) or progress reports (kind=progress) from .xlsx/.csv.
    All or nothing: any bad row refuses the file, with every bad cell listed (422). A file of
    more than IMPORT_BACKGROUND_ROWS rows becomes a background job: 202, the job (Location:
    GET /api/v1/jobs/{id}), whose outcome holds the same rows when it refuses the file."""
    node = congress.jurisdiction_by_code(code[:32])
    congress.ensure_manages(g.principal, node)
    file = request.files.get("file")
    if file is None:
        raise invalid("file", _l("choose an .xlsx or .csv file"))
    kind = request.form.get("kind", "plan")
    if kind not in ("plan", "progress"):
        raise invalid("kind", _l("plan or progress"))
    try:
        upload = read_upload(file.filename or "", file.read(), importing.columns(kind))
        work = partial(_import_work, node.id, kind, upload, current_actor())
        if jobs.in_background(upload):
            job = jobs.start(
                kind,
                jurisdiction=node,
                obj=f"jurisdiction:{node.code}",
                upload=upload,
                user=g.principal,
                work=work,
            )
            url = url_for("congress_api.job", job_id=job.id)
            return {"job": jobs.as_dict(job, url)}, 202, {"Location": url}
        result = work(INLINE)
    except ImportRefused as refused:
        return {
            "error": "import_refused",
            "message": str(_l("Nothing was imported; correct these rows and try again.")),
            "rows": [
                {"row": e.row, "column": e.column, "reason": str(e.reason)} for e in refused.errors
            ],
        }, 422
    return {"imported": result["imported"]}, 201


def _import_work(jurisdiction_id: int, kind: str, upload, actor: str, progress) -> dict:
    """The import, in the request or in a job's thread (which has its own session)."""
    node = db.session.get(Jurisdiction, jurisdiction_id)
    return importing.run(node, kind, upload, actor=actor, progress=progress)
