"""JSON endpoints of paper when tablets fail (改用纸质选票) and of the paper totals' four eyes:
the switch, where the paper totals stand, and a scrutineer's confirmation. The totals
themselves are entered at ``POST /api/v1/votes/{id}/paper`` (voting.api)."""

from __future__ import annotations

from flask import Blueprint, g

from votesys.api_support import api_auth, json_body
from votesys.congress.models import Deputy
from votesys.voting import casting, fallback, paper_part, services

bp = Blueprint("fallback_api", __name__, url_prefix="/api/v1")
ORGANISERS = ("organiser", "admin")


@bp.post("/votes/<int:vote_id>/fallback")
@api_auth(*ORGANISERS)
def switch(vote_id: int):
    """Switch an open electronic vote to paper: casting stops; the answer names the deputies
    to be given paper ballots (counted at the opening, not voted on a tablet)."""
    vote = services.get_managed_vote(vote_id, g.principal)
    body = json_body()
    vote = fallback.switch_to_paper(vote, body.get("reason"))
    out = paper_part.status_dict(vote, fallback.paper_to_issue(vote))
    out["deputies"] = [
        {"code": d.code, "name": d.name, "delegation": d.delegation}
        for d in casting.not_voted(vote)
    ]
    return out


@bp.get("/votes/<int:vote_id>/paper")
@api_auth()
def status(vote_id: int):
    """Where the vote's paper totals stand: for its organisers and its session's
    scrutineers."""
    vote = services.get_vote(vote_id)
    if isinstance(g.principal, Deputy):
        fallback.ensure_scrutineer(vote, g.principal)
    else:
        services.get_managed_vote(vote_id, g.principal)
    return paper_part.status_dict(vote, fallback.paper_to_issue(vote))


@bp.post("/votes/<int:vote_id>/paper/confirm")
@api_auth("deputy")
def confirm(vote_id: int):
    """A scrutineer confirms the paper totals (``entry``: the revision they were shown)."""
    vote = services.get_vote(vote_id)
    fallback.ensure_scrutineer(vote, g.principal)
    body = json_body()
    fallback.confirm_paper(vote, g.principal, body.get("entry"))
    return paper_part.status_dict(vote, fallback.paper_to_issue(vote))
