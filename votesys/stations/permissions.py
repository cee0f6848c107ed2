"""Who may do what at the stations, and the look-ups by id that the checks are made on."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from votesys.auth.models import Role, User
from votesys.congress import services as congress
from votesys.congress.models import CongressSession, Deputy
from votesys.congress.services import subtree_ids
from votesys.errors import Forbidden, NotFound, invalid
from votesys.extensions import db
from votesys.stations.models import Opinion, OpinionDeputy, Station, Step
from votesys.voting.models import Candidate


def is_staff_of(user: object, station_id: int | None) -> bool:
    return (
        isinstance(user, User)
        and user.role == Role.STATION_STAFF
        and station_id is not None
        and user.station_id == station_id
    )


def may_manage_station(user: object, station: Station) -> bool:
    return is_staff_of(user, station.id) or congress.manages(user, station.jurisdiction)


def ensure_manages_station(user: object, station: Station) -> None:
    if not may_manage_station(user, station):
        raise Forbidden("out_of_scope" if isinstance(user, User) else "forbidden")


def may_handle(user: object, opinion: Opinion) -> bool:
    """Staff of the station that holds it, or organisers of its jurisdiction."""
    return is_staff_of(user, opinion.station_id) or congress.manages(user, opinion.jurisdiction)


def ensure_may_handle(user: object, opinion: Opinion) -> None:
    if not may_handle(user, opinion):
        raise Forbidden("out_of_scope" if isinstance(user, User) else "forbidden")


def may_see_personal(user: object, opinion: Opinion) -> bool:
    """A citizen's name and phone in full: only the staff of the station holding it; an
    opinion sent online to a jurisdiction (no station), its own organisers — the office
    that must call the citizen back — and nobody above or beside them."""
    if opinion.station_id is not None:
        return is_staff_of(user, opinion.station_id)
    return (
        isinstance(user, User)
        and user.role == Role.ORGANISER
        and user.jurisdiction_id == opinion.jurisdiction_id
    )


def ensure_deputy_feedback(deputy: Deputy, opinion: Opinion, target: object) -> None:
    """A deputy records feedback on an opinion they received or signed, and nothing else."""
    if target != Step.FEEDBACK:
        raise Forbidden("forbidden")
    linked = db.session.scalar(
        select(OpinionDeputy.deputy_id).where(
            OpinionDeputy.opinion_id == opinion.id, OpinionDeputy.deputy_id == deputy.id
        )
    )
    if linked is None:
        raise Forbidden("forbidden")


def get_station(station_id: int) -> Station:
    station = db.session.get(Station, station_id)
    if station is None:
        raise NotFound("not_found")
    return station


def get_opinion(opinion_id: int) -> Opinion:
    opinion = db.session.get(Opinion, opinion_id)
    if opinion is None:
        raise NotFound("not_found")
    return opinion


def get_candidate(candidate_id: int) -> Candidate:
    candidate = db.session.get(Candidate, candidate_id)
    if candidate is None:
        raise invalid("candidate", _l("no such candidate"))
    return candidate


def get_congress_session(session_id: int) -> CongressSession:
    sess = db.session.get(CongressSession, session_id)
    if sess is None:
        raise invalid("session", _l("no such session"))
    return sess


def managed_stations(user: User) -> list[Station]:
    if user.role == Role.STATION_STAFF:
        return [user.station] if user.station is not None else []
    query = select(Station).order_by(Station.jurisdiction_id, Station.name)
    if user.jurisdiction_id is not None:
        query = query.where(Station.jurisdiction_id.in_(subtree_ids(user.jurisdiction_id)))
    return list(db.session.scalars(query))
