"""The stations' figures (SQL aggregates) and a deputy's record (一人一档)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select

from votesys.categories import Category
from votesys.congress import rollups
from votesys.congress.models import Deputy
from votesys.congress.rollup_sql import quarters
from votesys.extensions import db
from votesys.stations import rollup
from votesys.stations.common import today
from votesys.stations.models import (
    Feedback,
    Opinion,
    OpinionDeputy,
    Reception,
    ReceptionDuty,
    Station,
    Step,
)
from votesys.stations.steps import OPEN_STEPS

HANDED_ON = rollup.HANDED_ON


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
    root_id: int | None = None,
) -> dict[str, Any]:
    """The organisers' figures for some stations or jurisdictions and a period (inclusive).

    Opinions are counted by the day they were received; reception sessions and attendances
    (人次) by the day held, counting only published sessions held by ``on``. A jurisdiction's
    subtree (``root_id``, whose ids are ``jurisdiction_ids``) over whole quarters is read
    from the roll-ups' cells when they are current; anything else is counted from the rows.
    """
    on = on or today()
    span = quarters(start, end)
    if root_id is not None and station_ids is None and span and rollups.built():
        return _from_cells(root_id, *span, on)

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


def _from_cells(root_id: int, first: int | None, last: int | None, on: date) -> dict[str, Any]:
    """``stats`` of a subtree over whole quarters from its cells: two queries."""
    opinions = rollups.read(root_id, rollup.OPINIONS, first, last)
    receptions = rollups.read(root_id, rollup.RECEPTIONS, first, last)
    day = on.isoformat()

    def n(name: str) -> int:
        return opinions.get(name, (0, 0))[0]

    def held(family: str) -> int:
        return sum(
            count
            for name, (count, _) in receptions.items()
            if name.startswith(family) and name[len(family) :] <= day
        )

    overdue = sum(
        count
        for name, (count, _) in opinions.items()
        if name.startswith("o.open_due:") and name[len("o.open_due:") :] < day
    )
    replied, days = opinions.get("o.replied", (0, 0))
    feedback = {f.value: n(f"o.feedback:{f.value}") for f in Feedback}
    rated = sum(feedback.values())
    content = feedback[Feedback.SATISFIED] + feedback[Feedback.BASICALLY]
    return {
        "reception_sessions": held("r.sessions:"),
        "deputy_attendances": held("r.attend:"),
        "opinions_collected": n("o.collected"),
        "handed_on": n("o.handed"),
        "closed": n("o.closed"),
        "closure_rate": _percent(n("o.closed"), n("o.collected")),
        "overdue": overdue,
        "average_days_to_reply": (f"{float(Decimal(days) / replied):.1f}" if replied else None),
        "feedback": feedback,
        "satisfaction_rate": _percent(content, rated),
        "by_category": {
            c.value: {"collected": n(f"o.cat:{c.value}"), "closed": n(f"o.cat_closed:{c.value}")}
            for c in Category
        },
        "by_status": {s.value: n(f"o.status:{s.value}") for s in Step},
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
        # sent to them by citizens from their poster (代表码)
        "opinions_addressed": [op for role, op in links if role == "addressed"],
    }
