"""The desk's side of the calls for staff (voting.calls): the live list the vote page and the
check-in desk show (calls.js asks for it every few seconds), the "answered" button, and the
same for the API."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from votesys.api_support import api_auth
from votesys.auth.views import roles_required
from votesys.congress import services as congress
from votesys.errors import DomainError
from votesys.extensions import db
from votesys.voting import calls

ORGANISERS = ("organiser", "admin")
bp = Blueprint("calls", __name__)
api = Blueprint("calls_api", __name__, url_prefix="/api/v1")


@bp.app_context_processor
def _calls_values() -> dict:
    """The calls waiting in a session, for the desk pages that include voting/_staff_calls."""
    return {"staff_calls": calls.open_calls}


@bp.app_template_filter("local_clock")
def local_clock(at) -> str:
    """A stored time as the hall's clock reads it: "14:05"."""
    return calls.local_clock(at)


@bp.get("/desk/sessions/<int:session_id>/calls")
@roles_required(*ORGANISERS)
def desk_calls(session_id: int):
    """The session's calls waiting for staff: names and codes, the oldest first."""
    return calls.calls_dict(congress.get_session(session_id, current_user))


@bp.post("/desk/sessions/<int:session_id>/calls/<int:deputy_id>/answer")
@roles_required(*ORGANISERS)
def desk_answer(session_id: int, deputy_id: int):
    """Staff have gone to the deputy: the call goes off every desk and the tablet."""
    sess = congress.get_session(session_id, current_user)
    try:
        call = calls.answer_call(sess, deputy_id, current_user)
    except DomainError as err:
        db.session.rollback()
        if request.accept_mimetypes.best == "application/json":
            return err.to_json(), err.status
        flash(err.message, "error")
    else:
        if request.accept_mimetypes.best == "application/json":
            return calls.call_dict(call)
        flash(_("%(name)s: call answered.", name=call.deputy.name), "ok")
    back = request.form.get("next", "")
    if not back.startswith("/desk/") or "//" in back or "\\" in back:
        back = url_for("voting.session", session_id=sess.id)
    return redirect(back, 303)


@api.get("/sessions/<int:session_id>/calls")
@api_auth(*ORGANISERS)
def api_calls(session_id: int):
    """The session's calls waiting for staff (organisers who manage it)."""
    return calls.calls_dict(congress.get_session(session_id, g.principal))


@api.post("/sessions/<int:session_id>/calls/<int:deputy_id>/answer")
@api_auth(*ORGANISERS)
def api_answer(session_id: int, deputy_id: int):
    """Answer the deputy's call: 200 with the call; 409 ``no_open_call`` if none waits."""
    sess = congress.get_session(session_id, g.principal)
    return calls.call_dict(calls.answer_call(sess, deputy_id, g.principal))
