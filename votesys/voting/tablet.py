"""The deputy's tablet: wait for the vote, mark the ballot, review, cast, see the receipt."""

from __future__ import annotations

import secrets

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import select

from votesys.auth.views import roles_required
from votesys.congress.models import CongressSession
from votesys.errors import DomainError, Forbidden, InvalidInput
from votesys.extensions import db
from votesys.voting import rules, services, waiting
from votesys.voting.models import Vote, VoteMode, VoteState

bp = Blueprint("tablet", __name__, url_prefix="/tablet")


@bp.after_request
def _no_store(response):
    """A tablet may be shared: Back must not bring a previous deputy's marks into view."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _open_vote() -> Vote | None:
    """The open electronic vote of the deputy's congress, if any."""
    return db.session.scalar(
        select(Vote)
        .join(CongressSession, CongressSession.id == Vote.session_id)
        .where(
            CongressSession.congress_id == current_user.congress_id,
            Vote.state == VoteState.OPEN,
            Vote.mode == VoteMode.ELECTRONIC,
        )
        .order_by(Vote.id)
    )


def _refusal(vote: Vote) -> DomainError | None:
    """Why this deputy cannot cast in this vote now, or None: the same check as casting."""
    try:
        services.ensure_can_cast(vote, current_user)
    except DomainError as err:
        return err
    return None


def _status() -> dict:
    vote = _open_vote()
    voted = bool(vote and services.has_voted(vote, current_user))
    refusal = _refusal(vote) if vote is not None and not voted else None
    return {
        "mandate_current": current_user.mandate_current,
        "vote": vote.id if vote else None,
        "voted": voted,
        "refusal": refusal.code if refusal else None,
    }


@bp.get("/")
@roles_required("deputy")
def home():
    status = _status()
    vote = db.session.get(Vote, status["vote"]) if status["vote"] else None
    refusal = _refusal(vote) if vote is not None and status["refusal"] else None
    return render_template("tablet/home.html", vote=vote, status=status, refusal=refusal)


@bp.get("/state.json")
@roles_required("deputy")
def state():
    """The waiting tablet's state. With ``?wait=<vote>|<y/n>`` (what the page last saw:
    the open vote's id, or nothing, and whether the deputy voted in it) the answer waits
    until that changes or TABLET_WAIT_SECONDS pass: the page asks again at once, and a
    vote opened or closed reaches it within the watcher's interval."""
    known = request.args.get("wait")
    if known is None:
        return _status()
    return _wait(known)


def _wait(known: str) -> dict:
    """Long polling, lean on purpose: thousands of tablets wait at once. The answer carries
    the open vote and, when the vote is the one the page knows, whether the deputy voted
    (``voted`` is null when the vote changed: the page reloads and the page says the rest)."""
    known_vote, _, known_voted = known.partition("|")
    known_id = int(known_vote) if known_vote.isdigit() else None
    deputy_id, congress_id = current_user.id, current_user.congress_id
    mandate = current_user.mandate_current
    watch = waiting.watch(current_app._get_current_object())
    vote_id = watch.wait(congress_id, known_id, 0)
    if vote_id == known_id and vote_id is not None:
        voted = services.has_voted_id(vote_id, deputy_id)
        if ("y" if voted else "n") != known_voted:
            return {"mandate_current": mandate, "vote": vote_id, "voted": voted}
    db.session.close()  # no connection is held while waiting
    vote_id = watch.wait(congress_id, known_id, current_app.config["TABLET_WAIT_SECONDS"])
    voted = services.has_voted_id(vote_id, deputy_id) if vote_id == known_id and vote_id else None
    if vote_id is None:
        voted = False
    return {"mandate_current": mandate, "vote": vote_id, "voted": voted}


def _vote_for_deputy(vote_id: int) -> Vote:
    vote = services.get_vote(vote_id)
    if vote.session.congress_id != current_user.congress_id:
        raise Forbidden("forbidden")
    return vote


def _choices_from_form(vote: Vote) -> dict[str, str]:
    """Read c<candidate_id> fields; absent ones are left out (counted as abstain)."""
    choices = {}
    for e in vote.entries:
        value = request.form.get(f"c{e.candidate_id}", "")
        if value:
            choices[str(e.candidate_id)] = value
    return choices


def _ballot(vote: Vote, choices: dict[str, str], error: str | None = None, status: int = 200):
    voted = services.has_voted(vote, current_user)
    refusal = None if voted else _refusal(vote)
    if refusal is not None and refusal.code != "vote_not_open":
        return render_template("tablet/refused.html", vote=vote, error=refusal), refusal.status
    return render_template(
        "tablet/ballot.html",
        vote=vote,
        choices=choices,
        error=error,
        voted=voted,
    ), status


@bp.get("/votes/<int:vote_id>")
@roles_required("deputy")
def ballot(vote_id: int):
    return _ballot(_vote_for_deputy(vote_id), {})


@bp.post("/votes/<int:vote_id>/edit")
@roles_required("deputy")
def edit(vote_id: int):
    """Back from the review screen with the marks kept."""
    vote = _vote_for_deputy(vote_id)
    return _ballot(vote, _choices_from_form(vote))


@bp.post("/votes/<int:vote_id>/review")
@roles_required("deputy")
def review(vote_id: int):
    vote = _vote_for_deputy(vote_id)
    choices = _choices_from_form(vote)
    try:
        rules.ballot_marks(
            choices, services.candidate_ids(vote), style=vote.style, max_for=vote.max_for
        )
    except InvalidInput as err:
        return _ballot(vote, choices, err.message, 422)
    if services.has_voted(vote, current_user) or _refusal(vote) is not None:
        return _ballot(vote, choices)
    unmarked = [e for e in vote.entries if str(e.candidate_id) not in choices]
    return render_template(
        "tablet/review.html",
        vote=vote,
        choices=choices,
        unmarked=unmarked,
        count_for=sum(1 for c in choices.values() if c == rules.FOR),
        idempotency_key=secrets.token_urlsafe(16),
    )


@bp.post("/votes/<int:vote_id>/cast")
@roles_required("deputy")
def cast(vote_id: int):
    vote = _vote_for_deputy(vote_id)
    choices = _choices_from_form(vote)
    try:
        outcome = services.cast_ballot(
            vote, current_user, choices, request.form.get("idempotency_key") or None
        )
    except DomainError as err:
        db.session.rollback()
        return render_template("tablet/refused.html", vote=vote, error=err), err.status
    return render_template("tablet/done.html", vote=vote, receipt=outcome.receipt), 201
