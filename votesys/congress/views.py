"""The organisers' desk: congresses, sessions, rosters and the check-in desk."""

from __future__ import annotations

from functools import partial

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from votesys import importing
from votesys.auth.views import roles_required
from votesys.congress import jobs, services
from votesys.congress.forms import CheckInForm, CongressForm, SessionForm, UploadForm
from votesys.congress.models import Congress, CongressSession, Deputy
from votesys.errors import DomainError, NotFound
from votesys.extensions import db
from votesys.form_errors import describe, flash_errors
from votesys.formats import paren
from votesys.integrity.services import audit, current_actor

bp = Blueprint("congress", __name__, url_prefix="/desk")
ORGANISERS = ("organiser", "admin")


def _congress(congress_id: int) -> Congress:
    body = db.session.get(Congress, congress_id)
    if body is None:
        raise NotFound("not_found")
    services.ensure_manages(current_user, body.jurisdiction)
    return body


@bp.get("/")
@roles_required(*ORGANISERS)
def desk():
    congresses = services.managed_congresses(current_user)
    sessions = {
        c.id: db.session.scalars(
            db.select(CongressSession)
            .where(CongressSession.congress_id == c.id)
            .order_by(CongressSession.date.desc())
        ).all()
        for c in congresses
    }
    return render_template(
        "congress/desk.html", congresses=congresses, sessions=sessions, form=CongressForm()
    )


@bp.post("/congresses")
@roles_required(*ORGANISERS)
def create_congress():
    form = CongressForm()
    if not form.validate_on_submit():
        flash_errors(form, flash)
        return redirect(url_for(".desk"))
    try:
        node = services.find_or_create_jurisdiction(
            form.jurisdiction_code.data.strip(),
            form.jurisdiction_name.data.strip(),
            form.level.data,
            (form.parent_code.data or "").strip() or None,
        )
        services.ensure_manages(current_user, node)
    except DomainError as err:
        db.session.rollback()
        flash(describe(err, form), "error")
        return redirect(url_for(".desk"))
    body = Congress(jurisdiction=node, name=form.name.data.strip(), term=form.term.data)
    db.session.add(body)
    db.session.flush()
    audit("congress_created", f"congress:{body.id}", jurisdiction=node.code, name=body.name)
    flash(_("Congress created."), "ok")
    return redirect(url_for(".congress", congress_id=body.id))


@bp.get("/congresses/<int:congress_id>")
@roles_required(*ORGANISERS)
def congress(congress_id: int):
    body = _congress(congress_id)
    deputies = db.session.scalars(
        db.select(Deputy).where(Deputy.congress_id == body.id).order_by(Deputy.code)
    ).all()
    sessions = db.session.scalars(
        db.select(CongressSession).where(CongressSession.congress_id == body.id)
    ).all()
    return render_template(
        "congress/congress.html",
        congress=body,
        deputies=deputies,
        sessions=sessions,
        current=services.current_deputies_count(body.id),
        locked=sum(1 for d in deputies if d.pin_locked),
        upload=UploadForm(),
        session_form=SessionForm(),
        import_errors=None,
    )


@bp.post("/congresses/<int:congress_id>/sessions")
@roles_required(*ORGANISERS)
def create_session(congress_id: int):
    body = _congress(congress_id)
    form = SessionForm()
    if not form.validate_on_submit():
        flash(_("Please give the session a name and a date."), "error")
        return redirect(url_for(".congress", congress_id=body.id))
    sess = services.create_session(body, form.name.data.strip(), form.date.data)
    return redirect(url_for(".session", session_id=sess.id))


@bp.post("/congresses/<int:congress_id>/roster")
@roles_required(*ORGANISERS)
def import_roster(congress_id: int):
    """Import deputies from .xlsx/.csv: all rows or none. A large file becomes a background
    job: the answer is its page, with a progress bar."""
    body = _congress(congress_id)
    form = UploadForm()
    errors = None
    if not form.validate_on_submit():
        errors = [importing.RowError(0, "", _("choose an .xlsx or .csv file"))]
    else:
        file = form.file.data
        try:
            upload = importing.read_upload(
                file.filename or "", file.read(), importing.DEPUTY_COLUMNS
            )
            work = partial(_roster_work, body.id, upload, current_actor())
            if jobs.in_background(upload):
                job = jobs.start(
                    "roster",
                    jurisdiction=body.jurisdiction,
                    obj=f"congress:{body.id}",
                    upload=upload,
                    user=current_user,
                    work=work,
                )
                return redirect(url_for(".job", job_id=job.id))
            result = work(importing.INLINE)
        except importing.ImportRefused as refused:
            errors = refused.errors
        else:
            flash(_("%(n)s deputies imported.", n=result["imported"]), "ok")
            return redirect(url_for(".congress", congress_id=body.id))
    deputies = db.session.scalars(
        db.select(Deputy).where(Deputy.congress_id == body.id).order_by(Deputy.code)
    ).all()
    return render_template(
        "congress/congress.html",
        congress=body,
        deputies=deputies,
        sessions=[],
        current=services.current_deputies_count(body.id),
        locked=0,
        upload=form,
        session_form=SessionForm(),
        import_errors=errors,
    ), 422


def _roster_work(congress_id: int, upload, actor: str, progress) -> dict:
    """The roster's import, in the request or in a job's thread (which has its own session)."""
    body = db.session.get(Congress, congress_id)
    return services.import_roster(body, upload, actor=actor, progress=progress)


@bp.get("/jobs/<int:job_id>")
@roles_required(*ORGANISERS)
def job(job_id: int):
    """A background import: its progress (a bar that desk.js keeps current; without
    scripts, the page's reload link), then its outcome: the counts, or the rows refused."""
    found = jobs.get_job(job_id, current_user)
    state = jobs.as_dict(found, url_for(".job_state", job_id=found.id))
    return render_template(
        "congress/job.html",
        job=found,
        state=state,
        title=jobs.KIND_LABELS.get(found.kind, found.kind),
        back=_job_back(found),
        done_text=jobs.done_text(found),
        import_errors=jobs.row_errors(found) if state.get("error") == "import_refused" else None,
    )


@bp.get("/jobs/<int:job_id>/state.json")
@roles_required(*ORGANISERS)
def job_state(job_id: int):
    """The job page's progress, polled by desk.js."""
    found = jobs.get_job(job_id, current_user)
    return jobs.as_dict(found, url_for(".job_state", job_id=found.id))


def _job_back(found) -> str:
    """The page the imported rows belong to."""
    kind, _, key = found.object.partition(":")
    if kind == "congress":
        return url_for(".congress", congress_id=int(key))
    if kind == "session":
        return url_for("voting.session", session_id=int(key))
    return url_for("projects.register")


@bp.post("/deputies/<int:deputy_id>/unlock")
@roles_required(*ORGANISERS)
def unlock_pin(deputy_id: int):
    """Unlock a deputy's PIN locked after too many wrong tries (audited)."""
    deputy = db.session.get(Deputy, deputy_id)
    if deputy is None:
        raise NotFound("not_found")
    services.unlock_pin(current_user, deputy)
    who = deputy.name + paren(deputy.code)
    flash(_("The PIN of %(name)s is unlocked.", name=who), "ok")
    # From the check-in desk, back to it (with the search as it was): not to the top of the
    # congress's long page.
    checkin = request.form.get("checkin", type=int)
    if checkin is not None:
        sess = services.get_session(checkin, current_user)
        if sess.congress_id == deputy.congress_id:
            return redirect(url_for(".checkin", session_id=sess.id, q=request.form.get("q", "")))
    return redirect(url_for(".congress", congress_id=deputy.congress_id))


@bp.post("/congresses/<int:congress_id>/unlock")
@roles_required(*ORGANISERS)
def unlock_all_pins(congress_id: int):
    """Unlock every locked PIN of the congress at once (audited)."""
    body = _congress(congress_id)
    codes = services.unlock_all_pins(current_user, body)
    flash(_("%(n)s PINs unlocked.", n=len(codes)), "ok")
    return redirect(url_for(".congress", congress_id=body.id))


@bp.route("/sessions/<int:session_id>/checkin", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def checkin(session_id: int):
    """签到 desk: search by code or name, or scan the seat card's code, then mark present."""
    sess = services.get_session(session_id, current_user)
    form = CheckInForm()
    query = request.args.get("q", "")
    show = request.args.get("show", "all")
    if show not in CHECKIN_FILTERS:
        show = "all"
    if form.validate_on_submit():
        action = request.form.get("action", "in")
        try:
            deputy = (services.undo_check_in if action == "undo" else services.check_in)(
                sess, form.code.data
            )
        except DomainError as err:
            flash(describe(err, form), "error")
        else:
            message = (
                _("%(name)s checked in.") if action != "undo" else _("%(name)s: check-in undone.")
            )
            flash(message % {"name": deputy.name + paren(deputy.code)}, "ok")
        return redirect(
            url_for(
                ".checkin",
                session_id=sess.id,
                q=request.form.get("q", ""),
                show=request.form.get("show", "all"),
            )
        )
    # Every deputy of the congress (no silent cut at 50), with filters and their counts.
    found = services.search_deputies(sess, query, limit=None)
    present = services.checked_in_ids(sess)

    def group(d) -> str:
        if not d.mandate_current:
            return "terminated"
        return "present" if d.id in present else "absent"

    counts = {key: 0 for key in CHECKIN_FILTERS}
    for d in found:
        counts[group(d)] += 1
    counts["all"] = len(found)
    return render_template(
        "congress/checkin.html",
        sess=sess,
        form=form,
        query=query,
        show=show,
        counts=counts,
        filters=CHECKIN_FILTERS,
        results=[d for d in found if show == "all" or group(d) == show],
        present=present,
        quorum=services.quorum(sess),
    )


# The check-in desk's filters, in the order shown.
CHECKIN_FILTERS = {
    "all": _l("All"),
    "absent": _l("Not checked in"),
    "present": _l("Checked in"),
    "terminated": _l("Mandate terminated"),
}
