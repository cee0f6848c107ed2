"""JSON endpoints of votes: state, open/close/publish, ballots, results, runoffs, paper totals."""

from __future__ import annotations

from flask import Blueprint, g, request
from flask_babel import lazy_gettext as _l

from votesys.api_support import api_auth, bearer_principal, json_body, read_body_now
from votesys.congress.models import Deputy
from votesys.errors import Forbidden, Unauthorized, invalid
from votesys.voting import casting, counting, present, services
from votesys.voting.models import VoteState

bp = Blueprint("voting_api", __name__, url_prefix="/api/v1")
ORGANISERS = ("organiser", "admin")


@bp.get("/votes/<int:vote_id>")
def show(vote_id: int):
    """The vote's definition and how many have voted. Public once published."""
    vote = services.get_vote(vote_id)
    if vote.state != VoteState.PUBLISHED:
        _ensure_may_see(vote)
    return present.vote_dict(vote)


def _ensure_may_see(vote) -> None:
    principal = bearer_principal()
    if principal is None:
        raise Unauthorized("unauthorized")
    if isinstance(principal, Deputy):
        if principal.congress_id != vote.session.congress_id:
            raise Forbidden("forbidden")
    else:
        services.get_managed_vote(vote.id, principal)


@bp.post("/votes/<int:vote_id>/open")
@api_auth(*ORGANISERS)
def open_(vote_id: int):
    vote = services.open_vote(services.get_managed_vote(vote_id, g.principal))
    return present.vote_dict(vote)


@bp.post("/votes/<int:vote_id>/close")
@api_auth(*ORGANISERS)
def close(vote_id: int):
    vote = counting.close_vote(services.get_managed_vote(vote_id, g.principal))
    return present.result_dict(vote)


@bp.post("/votes/<int:vote_id>/publish")
@api_auth(*ORGANISERS)
def publish(vote_id: int):
    vote = services.publish_vote(services.get_managed_vote(vote_id, g.principal))
    return present.result_dict(vote)


@bp.get("/votes/<int:vote_id>/not-voted")
@api_auth(*ORGANISERS)
def not_voted(vote_id: int):
    """Who of the deputies present at the opening has not voted yet: names, never choices."""
    vote = services.get_managed_vote(vote_id, g.principal)
    return present.not_voted_dict(vote, casting.not_voted(vote))


@bp.post("/votes/<int:vote_id>/ballots")
@api_auth("deputy")
def cast(vote_id: int):
    """Cast the deputy's ballot: 201 with a receipt; a retry with the same
    Idempotency-Key gets the same answer."""
    read_body_now()  # before the vote's row is locked (FOR SHARE, until the commit)
    vote, check = casting.vote_for_casting(vote_id, g.principal)
    if check.congress_id != g.principal.congress_id:
        # Another congress's vote: refused before its body is read.
        raise Forbidden("deputy_not_in_congress")
    body = json_body()
    choices = body.get("choices")
    if not isinstance(choices, dict):
        raise invalid("choices", _l("an object mapping candidate ids to for / against / abstain"))
    outcome = casting.cast_ballot(
        vote, g.principal, choices, request.headers.get("Idempotency-Key"), check=check
    )
    return {"receipt": outcome.receipt}, 201


@bp.get("/votes/<int:vote_id>/result")
def result(vote_id: int):
    """Organisers who manage the vote after closing; everyone after publication."""
    vote = services.get_vote(vote_id)
    services.ensure_result_visible(vote, bearer_principal())
    return present.result_dict(vote)


@bp.post("/votes/<int:vote_id>/runoff")
@api_auth(*ORGANISERS)
def runoff(vote_id: int):
    vote = services.create_runoff(services.get_managed_vote(vote_id, g.principal))
    return present.vote_dict(vote), 201


@bp.post("/votes/<int:vote_id>/paper")
@api_auth(*ORGANISERS)
def paper(vote_id: int):
    """Enter the tellers' totals of a paper vote; closes it (or records it void)."""
    vote = services.get_managed_vote(vote_id, g.principal)
    counting.ensure_paper_entry(vote)
    body = json_body()
    vote = counting.enter_paper_totals(
        vote,
        issued=counting.fields.integer(body.get("issued"), "issued"),
        returned=counting.fields.integer(body.get("returned"), "returned"),
        invalid_ballots=counting.fields.integer(body.get("invalid", 0), "invalid"),
        counts=counting.parse_paper_counts(body.get("candidates"), vote),
    )
    return present.result_dict(vote)
