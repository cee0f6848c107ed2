"""What the public may see of stations and opinions. Nothing here reads personal data."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from votesys.categories import CATEGORY_LABELS
from votesys.congress.models import CongressSession
from votesys.errors import NotFound
from votesys.extensions import db
from votesys.stations import campaign_report, common, receptions, rules
from votesys.stations.labels import FEEDBACK_LABELS, KIND_LABELS, STEP_LABELS
from votesys.stations.models import Opinion, Route, Station, Step
from votesys.voting.models import Vote, VoteCandidate, VoteState


def opinion_by_code(code: str) -> Opinion:
    canonical = rules.normalise_tracking_code(code)
    opinion = (
        db.session.scalar(select(Opinion).where(Opinion.tracking_code == canonical))
        if canonical
        else None
    )
    if opinion is None:
        raise NotFound("not_found")
    return opinion


def tracking_dict(opinion: Opinion) -> dict[str, Any]:
    """The citizen's view: steps with dates, the reply, what it became. No personal data and
    no internal notes."""
    return {
        "tracking_code": rules.format_tracking_code(opinion.tracking_code),
        "title": opinion.title,
        "category": opinion.category,
        "category_label": str(CATEGORY_LABELS[opinion.category]),
        "received_on": opinion.received_on.isoformat(),
        "station": opinion.station.name if opinion.station else None,
        "jurisdiction": opinion.jurisdiction.name,
        "status": opinion.status,
        "status_label": str(STEP_LABELS[opinion.status]),
        "next_step": Step.ARCHIVED
        if opinion.status == Step.HANDLING and opinion.route == Route.NOT_ACCEPTED
        else rules.next_step(opinion.status),
        "steps": [
            {
                "step": s.to_step,
                "label": str(STEP_LABELS[s.to_step]),
                "at": s.at.isoformat(timespec="minutes") + "Z",
                "date": local_date(s.at).isoformat(),
                "reopened": s.from_step is not None
                and rules.ORDER.index(s.to_step) < rules.ORDER.index(s.from_step),
            }
            for s in opinion.steps
        ],
        "handling_unit": opinion.handling_unit or None,
        "due": opinion.due_on.isoformat() if opinion.due_on else None,
        "reply": opinion.reply or None,
        "replied_on": opinion.replied_on.isoformat() if opinion.replied_on else None,
        "not_accepted_reason": opinion.reason if opinion.route == Route.NOT_ACCEPTED else None,
        "feedback": opinion.feedback,
        "feedback_label": str(FEEDBACK_LABELS[opinion.feedback]) if opinion.feedback else None,
        "candidate": candidate_trace(opinion),
        "reserve": {"title": opinion.reserve_item.title} if opinion.reserve_item else None,
        "campaign": campaign_report.story(opinion),  # 征集: screening, feasibility, adoption
    }


def local_date(at: datetime) -> date:
    """The day at the congress (Asia/Shanghai) of a stored UTC time."""
    return at.replace(tzinfo=UTC).astimezone(ZoneInfo("Asia/Shanghai")).date()


def candidate_trace(opinion: Opinion) -> dict[str, Any] | None:
    """ "Your opinion became candidate project X", and, once published, how X fared."""
    candidate = opinion.candidate
    if candidate is None:
        return None
    sess = db.session.get(CongressSession, candidate.session_id)
    votes = []
    rows = db.session.execute(
        select(Vote, VoteCandidate)
        .join(VoteCandidate, VoteCandidate.vote_id == Vote.id)
        .where(VoteCandidate.candidate_id == candidate.id)
        .order_by(Vote.id)
    )
    for vote, entry in rows:
        published = vote.state == VoteState.PUBLISHED
        votes.append(
            {
                "vote": vote.id,
                "title": vote.title,
                "published": published,
                "for": entry.votes_for if published else None,
                "against": entry.votes_against if published else None,
                "abstain": entry.votes_abstain if published else None,
                "approved": entry.approved if published else None,
            }
        )
    return {
        "id": candidate.id,
        "title": candidate.title,
        "session": sess.name,
        "session_date": sess.date.isoformat(),
        "votes": votes,
    }


def all_stations() -> list[Station]:
    """Every station with its jurisdiction (which station_dict reads) in one statement."""
    query = (
        select(Station)
        .options(joinedload(Station.jurisdiction))
        .order_by(Station.jurisdiction_id, Station.id)
    )
    return list(db.session.scalars(query))


def station_dict(station: Station) -> dict[str, Any]:
    return {
        "id": station.id,
        "name": station.name,
        "kind": station.kind,
        "kind_label": str(KIND_LABELS[station.kind]),
        "jurisdiction": station.jurisdiction.code,
        "jurisdiction_name": station.jurisdiction.name,
        "address": station.address,
        "opening_hours": station.opening_hours,
        "contact": station.contact,
        "reception_days": station.fixed_days,
    }


def station_detail(station: Station) -> dict[str, Any]:
    upcoming = receptions.receptions(station, published_only=True, since=common.today())
    duties = receptions.duty_deputies([r.id for r in upcoming])
    return {
        **station_dict(station),
        "deputies": [
            {"code": d.code, "name": d.name} for d in receptions.station_deputies(station)
        ],
        "receptions": [
            {
                "date": r.date.isoformat(),
                "hours": r.hours,
                "topic": r.topic,
                "deputies": [d.name for d in duties[r.id]],
            }
            for r in upcoming
        ],
    }
