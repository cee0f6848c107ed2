"""JSON endpoints of the congress: check-in and the live quorum."""

from __future__ import annotations

from flask import Blueprint, g, url_for
from flask_babel import lazy_gettext as _l

from votesys.api_support import api_auth, json_body
from votesys.congress import jobs, services
from votesys.congress.models import Congress, Deputy
from votesys.errors import NotFound, invalid
from votesys.extensions import db

bp = Blueprint("congress_api", __name__, url_prefix="/api/v1")
ORGANISERS = ("organiser", "admin")


@bp.post("/sessions/<int:session_id>/attendance")
@api_auth(*ORGANISERS)
def check_in(session_id: int):
    sess = services.get_session(session_id, g.principal)
    code = json_body().get("deputy_code")
    if not isinstance(code, str) or not code.strip():
        raise invalid("deputy_code", _l("required"))
    deputy = services.check_in(sess, code)
    return _attendance(sess, deputy, checked_in=True), 201


@bp.delete("/sessions/<int:session_id>/attendance/<deputy_code>")
@api_auth(*ORGANISERS)
def undo_check_in(session_id: int, deputy_code: str):
    sess = services.get_session(session_id, g.principal)
    deputy = services.undo_check_in(sess, deputy_code)
    return _attendance(sess, deputy, checked_in=False)


def _attendance(sess, deputy, *, checked_in: bool) -> dict:
    return {
        "deputy_code": deputy.code,
        "checked_in": checked_in,
        "quorum": services.quorum(sess).as_dict(),
    }


@bp.get("/sessions/<int:session_id>/quorum")
@api_auth(*ORGANISERS)
def quorum(session_id: int):
    sess = services.get_session(session_id, g.principal)
    return services.quorum(sess).as_dict()


@bp.post("/deputies/<deputy_code>/unlock")
@api_auth(*ORGANISERS)
def unlock(deputy_code: str):
    """Unlock a deputy's PIN after too many wrong tries: organisers of the deputy's
    jurisdiction (or above) only."""
    deputy = db.session.scalar(db.select(Deputy).where(Deputy.code == deputy_code[:32]))
    if deputy is None:
        raise NotFound("not_found")
    services.unlock_pin(g.principal, deputy)
    return {"deputy_code": deputy.code, "locked": False}


@bp.post("/congresses/<int:congress_id>/unlock")
@api_auth(*ORGANISERS)
def unlock_all(congress_id: int):
    """Unlock every locked PIN of a congress at once."""
    body = db.session.get(Congress, congress_id)
    if body is None:
        raise NotFound("not_found")
    return {"unlocked": services.unlock_all_pins(g.principal, body)}


@bp.get("/jobs/<int:job_id>")
@api_auth(*ORGANISERS)
def job(job_id: int):
    """A background import: its state and progress, then its outcome (the counts, or every
    row refused): for the organiser who started it and those who manage its jurisdiction."""
    found = jobs.get_job(job_id, g.principal)
    return jobs.as_dict(found, url_for(".job", job_id=found.id))
