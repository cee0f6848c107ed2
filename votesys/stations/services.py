"""What happens at the stations: set-up, reception days, opinions, the seven steps, figures."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from votesys import clock, personal
from votesys.auth.models import Role, User
from votesys.categories import Category
from votesys.congress import services as congress
from votesys.congress.models import CongressSession, Deputy, Jurisdiction
from votesys.congress.services import subtree_ids
from votesys.errors import Forbidden, InvalidInput, NotFound, invalid
from votesys.extensions import db
from votesys.integrity.services import audit, current_actor
from votesys.models_base import MAX_ID, utcnow
from votesys.stations import rules
from votesys.stations.labels import STEP_LABELS
from votesys.stations.models import (
    Feedback,
    Opinion,
    OpinionDeputy,
    OpinionStep,
    Reception,
    ReceptionDuty,
    ReserveItem,
    Route,
    Source,
    Station,
    StationDeputy,
    StationKind,
    Step,
)
from votesys.voting import services as voting
from votesys.voting.models import Candidate

HANDED_ON = (Route.TOWNSHIP_ORDINARY, Route.TOWNSHIP_MAJOR, Route.COUNTY_OR_ABOVE)
OPEN_STEPS = (Step.HANDLING, Step.SUPERVISED)
DEFAULT_DUE = {
    Route.TOWNSHIP_ORDINARY: {"days": 15},
    Route.TOWNSHIP_MAJOR: {"days": 30},
    Route.COUNTY_OR_ABOVE: {"months": 3},
}


def today() -> date:
    """The date at the congress (Asia/Shanghai); see ``votesys.clock``."""
    return clock.today()


# --- who may do what -------------------------------------------------------------------------


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
    """A citizen's name and phone in full: only the staff of the station holding it."""
    return is_staff_of(user, opinion.station_id)


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


# --- stations and reception days -------------------------------------------------------------


def _text(value: Any, field: str, max_len: int, *, required: bool = True) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise invalid(field, _l("must be text"))
    value = value.strip()
    if required and not value:
        raise invalid(field, _l("must not be empty"))
    if len(value) > max_len:
        raise invalid(field, _l("at most %(n)s characters", n=max_len))
    return value


def create_station(
    jurisdiction: Jurisdiction,
    name: str,
    kind: str = StationKind.STATION,
    *,
    address: str = "",
    opening_hours: str = "",
    contact: str = "",
    reception_days: Iterable[int] = (),
) -> Station:
    if kind not in tuple(StationKind):
        raise invalid("kind", _l("station, room, reception_room, building or industrial_park"))
    try:
        days = rules.parse_reception_days(reception_days)
    except ValueError:
        raise invalid("reception_days", _l("distinct days of the month, 1 to 31")) from None
    station = Station(
        jurisdiction=jurisdiction,
        name=_text(name, "name", 200),
        kind=kind,
        address=_text(address, "address", 300, required=False),
        opening_hours=_text(opening_hours, "opening_hours", 200, required=False),
        contact=_text(contact, "contact", 200, required=False),
        reception_days=days,
    )
    db.session.add(station)
    db.session.flush()
    audit("station_created", f"station:{station.id}", name=station.name)
    return station


def station_deputy(station: Station, code: str) -> Deputy:
    """A deputy by code, of any congress (a deputy of any level may be stationed)."""
    code = (code or "").strip()[:32]
    deputy = db.session.scalar(select(Deputy).where(Deputy.code == code)) if code else None
    if deputy is None:
        raise invalid("deputy", _l("no deputy with code %(code)s", code=code))
    return deputy


def station_deputies(station: Station) -> list[Deputy]:
    return list(
        db.session.scalars(
            select(Deputy)
            .join(StationDeputy, StationDeputy.deputy_id == Deputy.id)
            .where(StationDeputy.station_id == station.id)
            .order_by(Deputy.code)
        )
    )


def station_deputy_counts(station_ids: list[int]) -> dict[int, int]:
    if not station_ids:
        return {}
    return dict(
        db.session.execute(
            select(StationDeputy.station_id, func.count())
            .where(StationDeputy.station_id.in_(station_ids))
            .group_by(StationDeputy.station_id)
        ).all()
    )


def add_station_deputy(station: Station, code: str) -> Deputy:
    deputy = station_deputy(station, code)
    if db.session.get(StationDeputy, (station.id, deputy.id)) is None:
        db.session.add(StationDeputy(station_id=station.id, deputy_id=deputy.id))
        db.session.flush()
        audit("deputy_stationed", f"station:{station.id}", deputy=deputy.code)
    return deputy


def remove_station_deputy(station: Station, code: str) -> None:
    deputy = station_deputy(station, code)
    row = db.session.get(StationDeputy, (station.id, deputy.id))
    if row is not None:
        db.session.delete(row)
        db.session.flush()
        audit("deputy_unstationed", f"station:{station.id}", deputy=deputy.code)


def is_stationed(station_id: int, deputy_id: int) -> bool:
    return db.session.get(StationDeputy, (station_id, deputy_id)) is not None


def create_reception(
    station: Station, when: date, deputy_codes: Iterable[str], *, hours: str = "", topic: str = ""
) -> Reception:
    """A reception day with its deputies on duty; each must be stationed here."""
    codes = [c.strip() for c in deputy_codes if c and c.strip()]
    if not codes:
        raise invalid("deputies", _l("at least one deputy on duty"))
    if len(set(codes)) != len(codes):
        raise invalid("deputies", _l("a deputy appears twice"))
    deputies = []
    for code in codes:
        deputy = station_deputy(station, code)
        if not is_stationed(station.id, deputy.id):
            raise invalid("deputies", _l("%(code)s is not stationed here", code=code))
        deputies.append(deputy)
    reception = Reception(
        station=station,
        date=when,
        hours=_text(hours, "hours", 100, required=False),
        topic=_text(topic, "topic", 200, required=False),
    )
    db.session.add(reception)
    db.session.flush()
    for deputy in deputies:
        db.session.add(ReceptionDuty(reception_id=reception.id, deputy_id=deputy.id))
    db.session.flush()
    audit("reception_created", f"reception:{reception.id}", date=when.isoformat())
    return reception


def publish_reception(reception: Reception, *, on: date | None = None) -> Reception:
    """Make a reception day public: at least three days ahead, or not at all."""
    on = on or today()
    if reception.published_at is not None:
        return reception
    deadline = rules.publish_deadline(reception.date)
    if on > deadline:
        raise InvalidInput(
            "publish_too_late",
            date=reception.date.isoformat(),
            deadline=deadline.isoformat(),
            days=rules.PUBLISH_LEAD_DAYS,
        )
    reception.published_at = utcnow()
    db.session.flush()
    audit("reception_published", f"reception:{reception.id}", date=reception.date.isoformat())
    return reception


def duty_deputies(reception_ids: list[int]) -> dict[int, list[Deputy]]:
    out: dict[int, list[Deputy]] = {rid: [] for rid in reception_ids}
    if not reception_ids:
        return out
    rows = db.session.execute(
        select(ReceptionDuty.reception_id, Deputy)
        .join(Deputy, Deputy.id == ReceptionDuty.deputy_id)
        .where(ReceptionDuty.reception_id.in_(reception_ids))
        .order_by(Deputy.code)
    )
    for rid, deputy in rows:
        out[rid].append(deputy)
    return out


def receptions(station: Station, *, published_only: bool, since: date | None = None):
    query = select(Reception).where(Reception.station_id == station.id)
    if published_only:
        query = query.where(Reception.published_at.is_not(None))
    if since is not None:
        query = query.where(Reception.date >= since)
    return list(db.session.scalars(query.order_by(Reception.date)))


def upcoming_duties(deputy: Deputy, *, since: date | None = None) -> list[Reception]:
    return list(
        db.session.scalars(
            select(Reception)
            .join(ReceptionDuty, ReceptionDuty.reception_id == Reception.id)
            .where(ReceptionDuty.deputy_id == deputy.id, Reception.date >= (since or today()))
            .order_by(Reception.date)
        )
    )


# --- opinions --------------------------------------------------------------------------------


OPINION_FIELDS = ("title", "content", "category", "place", "citizen_name", "citizen_phone")


@dataclass(frozen=True)
class NewOpinion:
    title: str
    content: str
    category: str
    place: str = ""
    citizen_name: str = ""
    citizen_phone: str = ""


def check_opinion(raw: dict[str, Any]) -> NewOpinion:
    """The fields of a new opinion, checked; raises InvalidInput naming the first bad one."""
    category = raw.get("category")
    if category not in tuple(Category):
        raise invalid("category", _l("one of: %(keys)s", keys=", ".join(Category)))
    phone_text = _text(raw.get("citizen_phone"), "citizen_phone", 40, required=False)
    phone = ""
    if phone_text:
        phone = rules.normalise_phone(phone_text) or ""
        if not phone:
            raise invalid(
                "citizen_phone", _l("a mobile number (11 digits) or a landline with area code")
            )
    return NewOpinion(
        title=_text(raw.get("title"), "title", 200),
        content=_text(raw.get("content"), "content", rules.MAX_CONTENT),
        category=category,
        place=_text(raw.get("place"), "place", 200, required=False),
        citizen_name=_text(raw.get("citizen_name"), "citizen_name", 50, required=False),
        citizen_phone=phone,
    )


def _unused_tracking_code() -> str:
    while True:
        code = rules.new_tracking_code()
        if db.session.scalar(select(Opinion.id).where(Opinion.tracking_code == code)) is None:
            return code


def create_opinion(
    fields: NewOpinion,
    *,
    source: str,
    jurisdiction: Jurisdiction,
    station: Station | None = None,
    reception: Reception | None = None,
    deputies: Iterable[Deputy] = (),
    received_on: date | None = None,
    actor: str | None = None,
) -> Opinion:
    """Register a new opinion at step 接待 with a fresh tracking code."""
    actor = actor or current_actor()
    opinion = Opinion(
        tracking_code=_unused_tracking_code(),
        jurisdiction=jurisdiction,
        station=station,
        reception_id=reception.id if reception is not None else None,
        source=source,
        received_on=received_on or today(),
        title=fields.title,
        content=fields.content,
        category=fields.category,
        place=fields.place,
        citizen_name_enc=personal.encrypt(fields.citizen_name),
        citizen_phone_enc=personal.encrypt(fields.citizen_phone),
        status=Step.RECEIVED,
        created_by=actor,
    )
    db.session.add(opinion)
    db.session.flush()
    for deputy in {d.id: d for d in deputies}.values():
        db.session.add(OpinionDeputy(opinion_id=opinion.id, deputy_id=deputy.id, role="received"))
    db.session.add(
        OpinionStep(opinion_id=opinion.id, from_step=None, to_step=Step.RECEIVED, actor=actor)
    )
    db.session.flush()
    return opinion


def submit_online(raw: dict[str, Any]) -> Opinion:
    """A citizen's own submission: to a station (by id) or a jurisdiction (by code)."""
    fields = check_opinion(raw)
    station_ref, jurisdiction_ref = raw.get("station"), raw.get("jurisdiction")
    station = None
    if station_ref not in (None, ""):
        if isinstance(station_ref, bool) or not isinstance(station_ref, (int, str)):
            raise invalid("station", _l("a station's number"))
        if not str(station_ref).isdigit() or int(station_ref) > MAX_ID:
            raise invalid("station", _l("a station's number"))
        station = db.session.get(Station, int(station_ref))
        if station is None:
            raise invalid("station", _l("no such station"))
        jurisdiction = station.jurisdiction
    elif isinstance(jurisdiction_ref, str) and jurisdiction_ref.strip():
        jurisdiction = db.session.scalar(
            select(Jurisdiction).where(Jurisdiction.code == jurisdiction_ref.strip()[:32])
        )
        if jurisdiction is None:
            raise invalid("jurisdiction", _l("no such jurisdiction"))
    else:
        raise invalid("station", _l("choose the station (or jurisdiction) to send it to"))
    return create_opinion(
        fields, source=Source.ONLINE, jurisdiction=jurisdiction, station=station, actor="citizen"
    )


def personal_data(opinion: Opinion, user: object) -> dict[str, str]:
    """The citizen's name and phone as this user may see them: whole, masked, or not at all."""
    name, phone = (
        personal.decrypt(opinion.citizen_name_enc),
        personal.decrypt(opinion.citizen_phone_enc),
    )
    if may_see_personal(user, opinion):
        return {"name": name, "phone": phone, "masked": False}
    if may_handle(user, opinion):
        return {"name": rules.mask_name(name), "phone": rules.mask_phone(phone), "masked": True}
    return {"name": "", "phone": "", "masked": True}


def move(
    opinion: Opinion,
    target: str,
    *,
    note: str = "",
    route: str | None = None,
    unit: str = "",
    due: date | None = None,
    signers: Iterable[str] = (),
    reason: str = "",
    feedback: str | None = None,
    actor: str | None = None,
    on: date | None = None,
) -> Opinion:
    """Move an opinion one step, with what that step needs; refuse any other move."""
    on = on or today()
    note = _text(note, "note", rules.MAX_NOTE, required=False)
    if target not in tuple(Step):
        raise invalid("to", _l("one of: %(keys)s", keys=", ".join(Step)))
    if route is not None and route not in tuple(Route):
        raise invalid("route", _l("one of: %(keys)s", keys=", ".join(Route)))
    if feedback is not None and feedback not in tuple(Feedback):
        raise invalid("feedback", _l("one of: %(keys)s", keys=", ".join(Feedback)))
    current = opinion.status
    effective_route = route if target == Step.HANDLING and current == Step.REGISTERED else None
    if not rules.move_allowed(
        current,
        target,
        route=effective_route or opinion.route,
        feedback=feedback if target == Step.FEEDBACK else opinion.feedback,
    ):
        raise InvalidInput(
            "step_not_allowed", current=_step_label(current), target=_step_label(target)
        )
    if target == Step.HANDLING and current == Step.REGISTERED:
        _start_handling(opinion, route, unit, due, signers, reason, on)
    elif target == Step.HANDLING:  # 重新办理 after an unsatisfied feedback
        opinion.feedback = None
        opinion.replied_on = None
        opinion.due_on = rules.due_date(opinion.route, on, _due_periods())
    elif target == Step.REPLIED:
        opinion.reply = _text(note, "note", rules.MAX_NOTE)
        opinion.replied_on = on
    elif target == Step.FEEDBACK:
        if feedback is None:
            raise invalid("feedback", _l("satisfied, basically or unsatisfied"))
        opinion.feedback = feedback
    elif target == Step.ARCHIVED:
        opinion.closed_on = on
    opinion.status = target
    db.session.add(
        OpinionStep(
            opinion_id=opinion.id,
            from_step=current,
            to_step=target,
            actor=actor or current_actor(),
            note=note,
        )
    )
    db.session.flush()
    return opinion


def _start_handling(opinion, route, unit, due, signers, reason, on) -> None:
    if route is None:
        raise invalid("route", _l("classify the matter: %(keys)s", keys=", ".join(Route)))
    opinion.route = route
    if route == Route.NOT_ACCEPTED:
        opinion.reason = _text(reason, "reason", rules.MAX_NOTE)
        return
    if route == Route.COUNTY_OR_ABOVE:
        codes = [c.strip() for c in signers if c and c.strip()]
        if not codes:
            raise invalid("signers", _l("a deputy's suggestion needs at least one signing deputy"))
        for code in dict.fromkeys(codes):
            deputy = db.session.scalar(select(Deputy).where(Deputy.code == code[:32]))
            if deputy is None:
                raise invalid("signers", _l("no deputy with code %(code)s", code=code[:32]))
            db.session.add(OpinionDeputy(opinion_id=opinion.id, deputy_id=deputy.id, role="signed"))
        opinion.handling_unit = _text(unit, "unit", 200, required=False) or str(
            _l("Standing committee of the people's congress")
        )
    else:
        opinion.handling_unit = _text(unit, "unit", 200)
    opinion.handed_on_at = on
    if due is not None and due < on:
        raise invalid("due", _l("not before the day it is handed on"))
    opinion.due_on = due or rules.due_date(route, on, _due_periods())


def _due_periods() -> dict:
    return current_app.config.get("OPINION_DUE_PERIODS") or DEFAULT_DUE


def record_feedback(opinion: Opinion, feedback: str, *, note: str = "", actor: str) -> Opinion:
    """反馈 by the citizen or a deputy; 不满意 sends the opinion back to handling."""
    if opinion.status != Step.REPLIED:
        raise InvalidInput("feedback_not_expected")
    move(opinion, Step.FEEDBACK, feedback=feedback, note=note, actor=actor)
    if feedback == Feedback.UNSATISFIED:
        move(opinion, Step.HANDLING, note=str(_l("Handled again (重新办理)")), actor=actor)
    return opinion


def is_overdue(opinion: Opinion, on: date | None = None) -> bool:
    return (
        opinion.status in OPEN_STEPS
        and opinion.due_on is not None
        and opinion.due_on < (on or today())
    )


def _step_label(step: str) -> str:
    return str(STEP_LABELS.get(step, step))


# --- from opinions to projects ---------------------------------------------------------------


def _opinions_for_merge(ids: Iterable[int], user: object) -> list[Opinion]:
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise invalid("opinions", _l("choose at least one opinion"))
    rows = list(db.session.scalars(select(Opinion).where(Opinion.id.in_(ids))))
    if len(rows) != len(ids):
        raise invalid("opinions", _l("no such opinion"))
    for opinion in rows:
        ensure_may_handle(user, opinion)
    return rows


def merge_into_candidate(
    opinion_ids: Iterable[int],
    user: object,
    *,
    session: CongressSession | None = None,
    candidate: Candidate | None = None,
    title: str = "",
    summary: str = "",
    responsible_unit: str = "",
) -> Candidate:
    """Make the opinions one candidate project of a (next year's) session, or link them to an
    existing candidate. The link is kept both ways."""
    opinions = _opinions_for_merge(opinion_ids, user)
    if candidate is None:
        if session is None:
            raise invalid("session", _l("choose the session the candidate goes before"))
        congress.ensure_manages(user, session.congress.jurisdiction)
        candidate = voting.add_candidate(
            session,
            _text(title, "title", 200),
            _text(summary, "summary", 2000, required=False),
            _text(responsible_unit, "responsible_unit", 200, required=False),
            None,
        )
        db.session.flush()
    else:
        congress.ensure_manages(
            user, db.session.get(CongressSession, candidate.session_id).congress.jurisdiction
        )
    for opinion in opinions:
        opinion.candidate_id = candidate.id
    db.session.flush()
    audit(
        "opinions_merged",
        f"candidate:{candidate.id}",
        opinions=sorted(o.id for o in opinions),
    )
    return candidate


def merge_into_reserve(
    opinion_ids: Iterable[int], user: object, *, title: str, summary: str = ""
) -> ReserveItem:
    opinions = _opinions_for_merge(opinion_ids, user)
    item = ReserveItem(
        jurisdiction_id=opinions[0].jurisdiction_id,
        title=_text(title, "title", 200),
        summary=_text(summary, "summary", 2000, required=False),
    )
    db.session.add(item)
    db.session.flush()
    for opinion in opinions:
        opinion.reserve_item_id = item.id
    db.session.flush()
    audit("opinions_reserved", f"reserve:{item.id}", opinions=sorted(o.id for o in opinions))
    return item


def opinions_of_candidate(candidate_id: int) -> list[Opinion]:
    return list(
        db.session.scalars(
            select(Opinion).where(Opinion.candidate_id == candidate_id).order_by(Opinion.id)
        )
    )


# --- the figures -----------------------------------------------------------------------------


def _days_between(later, earlier):
    """Whole days from ``earlier`` to ``later``, in SQL on either database."""
    if db.engine.dialect.name == "postgresql":
        return later - earlier
    return func.julianday(later) - func.julianday(earlier)


def stats(
    *,
    station_ids: list[int] | None = None,
    jurisdiction_ids: list[int] | None = None,
    start: date | None = None,
    end: date | None = None,
    on: date | None = None,
) -> dict[str, Any]:
    """The organisers' figures for some stations or jurisdictions and a period (inclusive).

    Opinions are counted by the day they were received; reception sessions and attendances
    (人次) by the day held, counting only published sessions held by ``on``.
    """
    on = on or today()

    def scoped(query, station_col, jurisdiction_col=None):
        if station_ids is not None:
            query = query.where(station_col.in_(station_ids))
        if jurisdiction_ids is not None and jurisdiction_col is not None:
            query = query.where(jurisdiction_col.in_(jurisdiction_ids))
        return query

    held = select(Reception.id).where(Reception.published_at.is_not(None), Reception.date <= on)
    if start:
        held = held.where(Reception.date >= start)
    if end:
        held = held.where(Reception.date <= end)
    held = scoped(
        held.join(Station, Station.id == Reception.station_id),
        Reception.station_id,
        Station.jurisdiction_id,
    ).subquery()
    sessions = db.session.scalar(select(func.count()).select_from(held))
    attendances = db.session.scalar(
        select(func.count())
        .select_from(ReceptionDuty)
        .where(ReceptionDuty.reception_id.in_(select(held.c.id)))
    )

    base = select(Opinion)
    if start:
        base = base.where(Opinion.received_on >= start)
    if end:
        base = base.where(Opinion.received_on <= end)
    base = scoped(base, Opinion.station_id, Opinion.jurisdiction_id).subquery()
    o = base.c
    handed = case((o.route.in_(HANDED_ON), 1), else_=0)
    closed = case((o.status == Step.ARCHIVED, 1), else_=0)
    overdue = case(((o.status.in_(OPEN_STEPS)) & (o.due_on < on), 1), else_=0)
    row = db.session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(handed), 0),
            func.coalesce(func.sum(closed), 0),
            func.coalesce(func.sum(overdue), 0),
            func.avg(_days_between(o.replied_on, o.received_on)),
        ).select_from(base)
    ).one()
    collected, handed_on, closed_n, overdue_n, avg_days = row
    by_category = {
        cat: {"collected": n, "closed": c}
        for cat, n, c in db.session.execute(
            select(o.category, func.count(), func.coalesce(func.sum(closed), 0))
            .select_from(base)
            .group_by(o.category)
        )
    }
    by_status = dict(
        db.session.execute(
            select(o.status, func.count()).select_from(base).group_by(o.status)
        ).all()
    )
    feedback = dict(
        db.session.execute(
            select(o.feedback, func.count())
            .select_from(base)
            .where(o.feedback.is_not(None))
            .group_by(o.feedback)
        ).all()
    )
    # Feedback of opinions that went back to handling is cleared; the count is of the latest.
    rated = sum(feedback.values())
    content = feedback.get(Feedback.SATISFIED, 0) + feedback.get(Feedback.BASICALLY, 0)
    return {
        "reception_sessions": sessions,
        "deputy_attendances": attendances,
        "opinions_collected": collected,
        "handed_on": int(handed_on),
        "closed": int(closed_n),
        "closure_rate": _percent(int(closed_n), collected),
        "overdue": int(overdue_n),
        "average_days_to_reply": None if avg_days is None else f"{float(avg_days):.1f}",
        "feedback": {f.value: feedback.get(f, 0) for f in Feedback},
        "satisfaction_rate": _percent(content, rated),
        "by_category": {
            c.value: by_category.get(c, {"collected": 0, "closed": 0}) for c in Category
        },
        "by_status": {s.value: by_status.get(s, 0) for s in Step},
    }


def _percent(part: int, whole: int) -> str | None:
    """A percentage with one decimal, rounded half up; None when there is nothing to divide."""
    if not whole:
        return None
    tenths = (part * 1000 * 2 + whole) // (2 * whole)
    return f"{tenths // 10}.{tenths % 10}"


def deputy_record(deputy: Deputy, *, on: date | None = None) -> dict[str, Any]:
    """一人一档: receptions attended, opinions received, suggestions signed, and their fate."""
    on = on or today()
    attended = db.session.scalar(
        select(func.count())
        .select_from(ReceptionDuty)
        .join(Reception, Reception.id == ReceptionDuty.reception_id)
        .where(
            ReceptionDuty.deputy_id == deputy.id,
            Reception.published_at.is_not(None),
            Reception.date <= on,
        )
    )
    links = db.session.execute(
        select(OpinionDeputy.role, Opinion)
        .join(Opinion, Opinion.id == OpinionDeputy.opinion_id)
        .where(OpinionDeputy.deputy_id == deputy.id)
        .order_by(Opinion.received_on.desc(), Opinion.id.desc())
    ).all()
    received = [op for role, op in links if role == "received"]
    signed = [op for role, op in links if role == "signed"]
    return {
        "receptions_attended": attended,
        "opinions_received": received,
        "suggestions_signed": signed,
    }


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
