"""JSON endpoints of the stations: public submission and tracking, steps, figures."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, g, request
from flask_babel import lazy_gettext as _l

from votesys import fields
from votesys.api_support import api_auth, json_body
from votesys.congress import services as congress
from votesys.errors import invalid
from votesys.extensions import limiter
from votesys.integrity.services import current_actor
from votesys.models_base import MAX_ID
from votesys.public_cache import public_cached
from votesys.stations import (
    adoption,
    figures,
    intake,
    permissions,
    present,
    publicity,
    receptions,
    rules,
    steps,
)
from votesys.stations.models import Station

bp = Blueprint("stations_api", __name__, url_prefix="/api/v1")
STAFF = ("station_staff", "organiser", "admin")


def _opinion_limit() -> str:
    return current_app.config["OPINION_RATE_LIMIT"]


@bp.post("/opinions")
@limiter.shared_limit(_opinion_limit, scope="opinions", methods=["POST"])
def submit():
    """A citizen's opinion, no login: 201 with the tracking code to follow it by."""
    # Room for an over-long text to be read and refused by name, rather than as "too large".
    if request.mimetype == "multipart/form-data":  # with photos: the JSON in an ``opinion`` part
        body, photos = publicity.multipart_opinion(request.form, request.files)
        opinion = intake.submit_online(body, photos=photos)
    else:
        opinion = intake.submit_online(json_body(limit=256 * 1024))
    return {"tracking_code": rules.format_tracking_code(opinion.tracking_code)}, 201


@bp.get("/opinions/track/<code>")
def track(code: str):
    """What a citizen may see of their opinion: steps, replies, what it became."""
    return present.tracking_dict(present.opinion_by_code(code))


@bp.post("/opinions/track/<code>/feedback")
@limiter.shared_limit(_opinion_limit, scope="opinions", methods=["POST"])
def citizen_feedback(code: str):
    opinion = present.opinion_by_code(code)
    body = json_body()
    feedback = body.get("feedback")
    note = body.get("note", "")
    steps.record_feedback(opinion, feedback, note=note, actor="citizen")
    return present.tracking_dict(opinion)


@bp.post("/opinions/<int:opinion_id>/steps")
@api_auth(*STAFF, "deputy")
def step(opinion_id: int):
    """Move an opinion to its next step (staff), or record feedback (a deputy linked to it)."""
    opinion = permissions.get_opinion(opinion_id)
    body = json_body()
    target = body.get("to")
    if g.principal.is_deputy:
        permissions.ensure_deputy_feedback(g.principal, opinion, target)
        steps.record_feedback(
            opinion, body.get("feedback"), note=body.get("note", ""), actor=_actor()
        )
        return staff_dict(opinion), 201
    permissions.ensure_may_handle(g.principal, opinion)
    signers = body.get("signers") or []
    if not isinstance(signers, list) or not all(isinstance(s, str) for s in signers):
        raise invalid("signers", _l("a list of deputy codes"))
    if target == "feedback":
        steps.record_feedback(
            opinion, body.get("feedback"), note=body.get("note", ""), actor=_actor()
        )
    else:
        steps.move(
            opinion,
            target if isinstance(target, str) else "",
            note=body.get("note", ""),
            route=body.get("route"),
            unit=body.get("unit", ""),
            due=_date(body.get("due"), "due"),
            signers=signers,
            reason=body.get("reason", ""),
        )
    return staff_dict(opinion), 201


@bp.get("/opinions/<int:opinion_id>")
@api_auth(*STAFF)
def opinion(opinion_id: int):
    """An opinion for those who handle it; the citizen's name and phone whole only for the
    staff of the station holding it, masked for organisers."""
    opinion = permissions.get_opinion(opinion_id)
    permissions.ensure_may_handle(g.principal, opinion)
    return {**staff_dict(opinion), "citizen": intake.personal_data(opinion, g.principal)}


@bp.post("/opinions/merge")
@api_auth(*STAFF)
def merge():
    """Merge opinions into a candidate project (of ``session``, or the existing
    ``candidate``) or, with ``reserve``: true, into the reserve pool."""
    body = json_body()
    ids = body.get("opinions")
    if not isinstance(ids, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) and 0 < i <= MAX_ID for i in ids
    ):
        raise invalid("opinions", _l("a list of opinion numbers"))
    reserve = body.get("reserve", False)
    if not isinstance(reserve, bool):
        raise invalid("reserve", _l("true or false"))
    # Read even when linking to an existing candidate, which takes none of them.
    title = fields.text(body.get("title"), "title", 200, required=False)
    summary = fields.text(body.get("summary"), "summary", 2000, required=False)
    unit = fields.text(body.get("responsible_unit"), "responsible_unit", 200, required=False)
    if reserve:
        item = adoption.merge_into_reserve(ids, g.principal, title=title, summary=summary)
        return {"reserve": item.id}, 201
    candidate = None
    if body.get("candidate") is not None:
        candidate = permissions.get_candidate(_id(body.get("candidate"), "candidate"))
    session = None
    if body.get("session") is not None:
        session = permissions.get_congress_session(_id(body.get("session"), "session"))
    made = adoption.merge_into_candidate(
        ids,
        g.principal,
        session=session,
        candidate=candidate,
        title=title,
        summary=summary,
        responsible_unit=unit,
    )
    return {"candidate": made.id}, 201


def _id(value, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        raise invalid(field, _l("a number"))
    return value


@bp.get("/deputies/me/record")
@api_auth("deputy")
def my_record():
    """一人一档 of the deputy holding the token, and their upcoming reception duties."""
    record = figures.deputy_record(g.principal)
    return {
        "receptions_attended": record["receptions_attended"],
        "opinions_received": [_brief(o) for o in record["opinions_received"]],
        "suggestions_signed": [_brief(o) for o in record["suggestions_signed"]],
        "opinions_addressed": [_brief(o) for o in record["opinions_addressed"]],
        "upcoming_duties": [
            {"date": r.date.isoformat(), "station": r.station.name, "hours": r.hours}
            for r in receptions.upcoming_duties(g.principal)
        ],
    }


def _brief(opinion) -> dict:
    return {
        "id": opinion.id,
        "title": opinion.title,
        "received_on": opinion.received_on.isoformat(),
        "status": opinion.status,
        "route": opinion.route,
        "feedback": opinion.feedback,
    }


def _actor() -> str:
    return current_actor()


def staff_dict(opinion) -> dict:
    data = present.tracking_dict(opinion)
    data["id"] = opinion.id
    data["route"] = opinion.route
    data["handling_unit"] = opinion.handling_unit
    data["due"] = opinion.due_on.isoformat() if opinion.due_on else None
    data["overdue"] = steps.is_overdue(opinion)
    return data


@bp.get("/stations")
@public_cached
def stations():
    """The public directory: every station, its kind, address and fixed reception days."""
    return {"stations": [present.station_dict(s) for s in present.all_stations()]}


@bp.get("/stations/<int:station_id>")
@public_cached
def station(station_id: int):
    return present.station_detail(permissions.get_station(station_id))


@bp.get("/stations/<int:station_id>/stats")
@public_cached
def station_stats(station_id: int):
    """The station's figures for a period (``from``/``to``, inclusive, YYYY-MM-DD)."""
    st: Station = permissions.get_station(station_id)
    start, end = _period()
    return {
        "station": st.id,
        "from": start.isoformat() if start else None,
        "to": end.isoformat() if end else None,
        **figures.stats(station_ids=[st.id], start=start, end=end),
    }


@bp.get("/jurisdictions/<code>/opinion-stats")
@public_cached
def jurisdiction_stats(code: str):
    """The same figures for a jurisdiction with all its sub-jurisdictions."""
    node = congress.jurisdiction_by_code(code)
    start, end = _period()
    return {
        "jurisdiction": node.code,
        "from": start.isoformat() if start else None,
        "to": end.isoformat() if end else None,
        **figures.stats(
            jurisdiction_ids=congress.subtree_ids(node.id), start=start, end=end, root_id=node.id
        ),
    }


def _period() -> tuple[date | None, date | None]:
    """``from`` and ``to``, each given with a date or left out (an empty one is refused, as
    every query parameter of the API)."""
    for name in ("from", "to"):
        if name in request.args and not request.args[name].strip():
            raise invalid(name, _l("give a value or leave the parameter out"))
    start = _date(request.args.get("from"), "from")
    end = _date(request.args.get("to"), "to")
    if start and end and start > end:
        raise invalid("to", _l("not before “from”"))
    return start, end


def _date(value, field: str) -> date | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) != 10:
        raise invalid(field, _l("a date as YYYY-MM-DD"))
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise invalid(field, _l("a date as YYYY-MM-DD")) from None
