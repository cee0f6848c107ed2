"""The home page's and statistics' other reads: published votes, reception days, figures."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from votesys.clock import iso_day as _d
from votesys.congress.models import Congress, CongressSession, Jurisdiction
from votesys.extensions import db
from votesys.projects.rules import quarter_dates
from votesys.stations.figures import stats
from votesys.stations.models import Reception, Station
from votesys.voting.models import Vote, VoteCandidate


def opinion_figures(
    root_id: int, ids: list[int], year: int, quarter: int | None = None
) -> dict[str, Any]:
    """The stations' figures of a jurisdiction's subtree (``ids``) for a calendar year or a
    quarter."""
    start, end = quarter_dates(year, quarter)
    return stats(jurisdiction_ids=ids, start=start, end=end, root_id=root_id)


def published_votes(ids: list[int] | None, limit: int | None = None) -> list[dict[str, Any]]:
    """Published votes, newest first, with how many candidates were approved: one query."""
    approved = (
        select(func.count())
        .select_from(VoteCandidate)
        .where(VoteCandidate.vote_id == Vote.id, VoteCandidate.approved.is_(True))
        .correlate(Vote)
        .scalar_subquery()
    )
    listed = (
        select(func.count())
        .select_from(VoteCandidate)
        .where(VoteCandidate.vote_id == Vote.id)
        .correlate(Vote)
        .scalar_subquery()
    )
    query = (
        select(Vote, CongressSession, Congress, Jurisdiction, approved, listed)
        .join(CongressSession, CongressSession.id == Vote.session_id)
        .join(Congress, Congress.id == CongressSession.congress_id)
        .join(Jurisdiction, Jurisdiction.id == Congress.jurisdiction_id)
        .where(Vote.state == "published")
        .order_by(Vote.published_at.desc(), Vote.id.desc())
    )
    if ids is not None:
        query = query.where(Congress.jurisdiction_id.in_(ids))
    if limit:
        query = query.limit(limit)
    return [
        {
            "id": vote.id,
            "title": vote.title,
            "style": vote.style,
            "mode": vote.mode,
            "session": sess.name,
            "session_id": sess.id,
            "held_on": _d(sess.date),
            "jurisdiction": j.code,
            "jurisdiction_name": j.name,
            "published_on": _d(vote.published_at),
            "candidates": n_listed,
            "approved": n_approved,
            "seats": vote.seats,
            "void": vote.void_reason,
        }
        for vote, sess, congress, j, n_approved, n_listed in db.session.execute(query)
    ]


def next_receptions(ids: list[int] | None, today: date, limit: int = 5) -> list[dict[str, Any]]:
    """The next published reception days at the stations of a jurisdiction subtree (None:
    of every jurisdiction)."""
    query = (
        select(Reception, Station)
        .join(Station, Station.id == Reception.station_id)
        .where(Reception.published_at.is_not(None), Reception.date >= today)
        .order_by(Reception.date, Station.name)
        .limit(limit)
    )
    if ids is not None:
        query = query.where(Station.jurisdiction_id.in_(ids))
    found = db.session.execute(query).all()
    return [
        {
            "station": s.id,
            "station_name": s.name,
            "address": s.address,
            "date": _d(r.date),
            "hours": r.hours,
            "topic": r.topic,
        }
        for r, s in found
    ]
