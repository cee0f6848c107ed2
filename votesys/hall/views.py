"""/hall/<session>: the big screen in the hall. Shows counts, never ballot contents."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from votesys.congress import services as congress
from votesys.extensions import db
from votesys.voting import casting, confirming, countdown, labels, present
from votesys.voting.models import Vote, VoteState

bp = Blueprint("hall", __name__, url_prefix="/hall")


def hall_state(session_id: int) -> dict:
    """What the screen shows: the roll figures; the open vote's count of ballots; else the
    latest published result. A closed but unpublished result stays off the screen."""
    sess = congress.get_session(session_id)
    quorum = congress.quorum(sess).as_dict()
    votes = db.session.scalars(
        select(Vote).where(Vote.session_id == sess.id).order_by(Vote.id.desc())
    ).all()
    current = next((v for v in votes if v.state == VoteState.OPEN), None)
    # The latest vote closed and not yet published: the screen says so (no figures).
    # A practice vote (试投票) closed is not awaiting anything: it is never published.
    waiting = next((v for v in votes if v.state == VoteState.CLOSED and not v.practice), None)
    published = next(
        (
            v
            for v in sorted(votes, key=lambda v: v.published_at or v.created_at, reverse=True)
            if v.state == VoteState.PUBLISHED
        ),
        None,
    )
    state: dict = {
        "session": sess.id,
        "name": sess.name,
        "quorum": quorum,
        "vote": None,
        "result": None,
        "awaiting": None,
        "scrutiny": None,  # confirmed by k of n scrutineers (r required): closed or published
    }
    if current is not None:
        state["vote"] = {
            "id": current.id,
            "title": labels.shown_title(current),
            "practice": current.practice,
            "state": current.state,
            "ballots_cast": casting.ballots_cast(current),
            "present_at_open": current.present_at_open,
            "paper": current.fallback_at is not None,  # switched to paper: tablets stopped
            **countdown.as_dict(current),  # the time limit: seconds left by the server's clock
        }
    elif waiting is not None and (published is None or waiting.id > published.id):
        state["awaiting"] = {"id": waiting.id, "title": waiting.title}
        state["scrutiny"] = confirming.figures(waiting)
    elif published is not None:
        state["result"] = present.result_dict(published)
        state["scrutiny"] = confirming.figures(published)
    return state


@bp.get("/<int:session_id>")
def screen(session_id: int):
    return render_template("hall/screen.html", state=hall_state(session_id))


@bp.get("/<int:session_id>/state.json")
def state(session_id: int):
    return hall_state(session_id)
