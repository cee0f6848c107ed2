"""The tablet home's links to a scrutineer's work (issue 18): their page (/tablet/scrutiny)
when they are a scrutineer of their congress's current session (saying how many counted
results wait for their signature), and the paper totals that wait for their four eyes
(/tablet/votes/<id>/paper). A deputy who is not a scrutineer there sees neither."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from votesys.congress.models import CongressSession, Deputy
from votesys.extensions import db
from votesys.voting import confirming, paper_part
from votesys.voting.models import Vote, VoteState
from votesys.voting.scrutiny_models import Scrutineer


@dataclass(frozen=True)
class ScrutineerLinks:
    session: CongressSession | None = None  # the current session they scrutinise, or None
    paper: list[Vote] = field(default_factory=list)  # open votes whose paper totals wait
    to_confirm: int = 0  # counted votes of the session they have not confirmed yet


def current_session(deputy: Deputy) -> CongressSession | None:
    """The deputy's congress's current session: the latest by date."""
    return db.session.scalar(
        select(CongressSession)
        .where(CongressSession.congress_id == deputy.congress_id)
        .order_by(CongressSession.date.desc(), CongressSession.id.desc())
        .limit(1)
    )


def for_deputy(deputy: Deputy) -> ScrutineerLinks:
    sess = current_session(deputy)
    if sess is None or db.session.get(Scrutineer, (sess.id, deputy.id)) is None:
        return ScrutineerLinks()
    votes = db.session.scalars(
        select(Vote).where(Vote.session_id == sess.id, Vote.state == VoteState.OPEN)
    )
    counted = [v for v in confirming.awaiting(deputy) if v.session_id == sess.id]
    return ScrutineerLinks(
        session=sess,
        paper=[v for v in votes if paper_part.paper_awaiting(v)],
        to_confirm=sum(1 for v in counted if confirming.confirmed_by(v, deputy) is None),
    )
