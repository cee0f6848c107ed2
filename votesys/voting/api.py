"""JSON endpoints of votes: state, open/close/publish, ballots, results, runoffs, paper totals."""

from __future__ import annotations

from flask import Blueprint, g, request
from flask_babel import lazy_gettext as _l

from votesys import fields
from votesys.api_support import api_auth, bearer_principal, json_body, read_body_now
from votesys.congress import services as congress
from votesys.congress.models import Deputy
from votesys.errors import Forbidden, Unauthorized, invalid
from votesys.models_base import MAX_ID
from votesys.voting import casting, countdown, counting, fallback, paper_part, present, services
from votesys.voting.jurisdiction_rules_api import optional
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
    """Open the vote; ``{"time_limit_minutes": n}`` (1..120, optional) sets a countdown."""
    vote = services.get_managed_vote(vote_id, g.principal)
    limit = countdown.time_limit(json_body(allow_empty=True).get(countdown.FIELD))
    return present.vote_dict(services.open_vote(vote, limit))


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
    """Enter the tellers' totals of a paper vote (closes it, or records it void) or of the
    paper part of a vote switched to paper; where the session has scrutineers they wait for
    one to confirm them (202, voting.fallback)."""
    vote = services.get_managed_vote(vote_id, g.principal)
    fallback.ensure_entry(vote)
    body = json_body()
    outcome = fallback.enter_paper(
        vote,
        issued=counting.fields.integer(body.get("issued"), "issued"),
        returned=counting.fields.integer(body.get("returned"), "returned"),
        invalid_ballots=counting.fields.integer(body.get("invalid", 0), "invalid"),
        counts=counting.parse_paper_counts(body.get("candidates"), vote),
    )
    if outcome == "closed":
        return present.result_dict(vote)
    return paper_part.status_dict(vote, fallback.paper_to_issue(vote)), (
        202 if outcome == "pending" else 200
    )


VOTE_KEYS = {"title", "candidates", "seats", "max_for", "style", "base", "mode", "practice"}


@bp.post("/sessions/<int:session_id>/votes")
@api_auth(*ORGANISERS)
def create(session_id: int):
    """Create a draft vote of the session's candidates. No "base": the jurisdiction's
    default; a vote breaking the jurisdiction's rules is refused (422, the rule quoted)
    unless "exception_reason" records an exception."""
    sess = congress.get_session(session_id, g.principal)
    body = json_body()
    if unknown := sorted(set(body) - VOTE_KEYS - {"exception_reason"}):
        raise invalid(unknown[0][:40], _l("unknown field"))
    ids = body.get("candidates")
    if not isinstance(ids, list):
        raise invalid("candidates", _l("a list of candidate ids"))
    practice = body.get("practice", False)
    if not isinstance(practice, bool):
        raise invalid("practice", _l("true or false"))
    vote = services.create_vote(
        sess,
        title=body.get("title"),
        candidate_ids=[_whole(c, f"candidates[{i}]", MAX_ID) for i, c in enumerate(ids)],
        seats=_whole(body.get("seats"), "seats", services.MAX_CANDIDATES),
        max_for=_whole(body.get("max_for"), "max_for", services.MAX_CANDIDATES),
        style=body.get("style", "per_candidate"),
        base=optional(body, "base"),  # none: the jurisdiction's default
        mode=body.get("mode", "electronic"),
        practice=practice,
        exception_reason=optional(body, "exception_reason"),
    )
    return present.vote_dict(vote), 201


def _whole(value, field: str, high: int) -> int:
    """A whole number from 1 to ``high`` as JSON sends it (2.0 is 2; "2" and true are not)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(field, _l("a whole number"))
    return fields.integer(value, field, low=1, high=high)
