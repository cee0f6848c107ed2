"""The organisers' desk: congresses, sessions, rosters and the check-in desk."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from votesys import importing
from votesys.auth.views import roles_required
from votesys.congress import services
from votesys.congress.forms import CheckInForm, CongressForm, SessionForm, UploadForm
from votesys.congress.models import Congress, CongressSession, Deputy
from votesys.errors import DomainError, NotFound
from votesys.extensions import db
from votesys.integrity.services import audit

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
        flash(_("Please complete every required field."), "error")
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
        flash(err.message, "error")
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
    """Import deputies from .xlsx/.csv: all rows or none."""
    body = _congress(congress_id)
    form = UploadForm()
    errors = None
    if not form.validate_on_submit():
        errors = [importing.RowError(0, "", _("choose an .xlsx or .csv file"))]
    else:
        upload = form.file.data
        try:
            rows = importing.read_table(upload.filename or "", upload.read())
            parsed = importing.deputies(rows, services.existing_deputy_codes)
        except importing.ImportRefused as refused:
            errors = refused.errors
        else:
            for d in parsed:
                services.add_deputy(
                    body, d["code"], d["name"], d["pin"], d["delegation"], d["status"]
                )
            db.session.flush()
            audit(
                "roster_imported",
                f"congress:{body.id}",
                file=upload.filename,
                deputies=[d["code"] for d in parsed],
            )
            flash(_("%(n)s deputies imported.", n=len(parsed)), "ok")
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


@bp.post("/deputies/<int:deputy_id>/unlock")
@roles_required(*ORGANISERS)
def unlock_pin(deputy_id: int):
    """Unlock a deputy's PIN locked after too many wrong tries (audited)."""
    deputy = db.session.get(Deputy, deputy_id)
    if deputy is None:
        raise NotFound("not_found")
    services.unlock_pin(current_user, deputy)
    who = f"{deputy.name} ({deputy.code})"
    flash(_("The PIN of %(name)s is unlocked.", name=who), "ok")
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
    if form.validate_on_submit():
        action = request.form.get("action", "in")
        try:
            deputy = (services.undo_check_in if action == "undo" else services.check_in)(
                sess, form.code.data
            )
        except DomainError as err:
            flash(err.message, "error")
        else:
            message = (
                _("%(name)s checked in.") if action != "undo" else _("%(name)s: check-in undone.")
            )
            flash(message % {"name": f"{deputy.name} ({deputy.code})"}, "ok")
        return redirect(url_for(".checkin", session_id=sess.id, q=request.form.get("q", "")))
    return render_template(
        "congress/checkin.html",
        sess=sess,
        form=form,
        query=query,
        results=services.search_deputies(sess, query, limit=50),
        present=services.checked_in_ids(sess),
        quorum=services.quorum(sess),
    )
