"""JSON endpoints of the scrutiny: appointing scrutineers and tellers, a scrutineer's device
key and its approval, confirmations of a counted vote and their public list."""

from __future__ import annotations

from flask import Blueprint, g
from flask_login import current_user

from votesys.api_support import api_auth, bearer_principal, json_body
from votesys.congress import services as congress
from votesys.errors import NotFound
from votesys.voting import confirming, scrutiny, services
from votesys.voting.record import record_of

bp = Blueprint("scrutiny_api", __name__, url_prefix="/api/v1")
ORGANISERS = ("organiser", "admin")


def session_dict(session_id: int) -> dict:
    """The session's scrutiny as the organiser sees it."""
    row = scrutiny.scrutiny_of(session_id)
    return {
        "session_id": session_id,
        "required": row.required if row else None,
        "scrutineers": [
            {
                "deputy_code": d.code,
                "name": d.name,
                "fingerprint": s.key_fingerprint,
                "pending_fingerprint": scrutiny.key_state(s)["pending_fingerprint"],
            }
            for s, d in scrutiny.scrutineers(session_id)
        ],
        "tellers": [{"login": u.login, "name": u.name} for u in scrutiny.tellers(session_id)],
    }


@bp.get("/sessions/<int:session_id>/scrutineers")
@api_auth(*ORGANISERS)
def show(session_id: int):
    """The session's scrutineers (with their keys' fingerprints), the number required and
    its tellers."""
    sess = congress.get_session(session_id, g.principal)
    return session_dict(sess.id)


@bp.put("/sessions/<int:session_id>/scrutineers")
@api_auth(*ORGANISERS)
def appoint(session_id: int):
    """Appoint the scrutineers: {"deputy_codes": [...], "required": k}; [] removes them."""
    sess = congress.get_session(session_id, g.principal)
    body = json_body()
    scrutiny.appoint(sess, body.get("deputy_codes"), body.get("required"))
    return session_dict(sess.id)


@bp.put("/sessions/<int:session_id>/tellers")
@api_auth(*ORGANISERS)
def appoint_tellers(session_id: int):
    """Appoint the tellers: {"logins": [...]} of organisers who manage the session."""
    sess = congress.get_session(session_id, g.principal)
    scrutiny.appoint_tellers(sess, json_body().get("logins"))
    return session_dict(sess.id)


@bp.post("/sessions/<int:session_id>/scrutineers/<deputy_code>/key")
@api_auth(*ORGANISERS)
def decide_key(session_id: int, deputy_code: str):
    """Approve or refuse a scrutineer's new key: {"decision": "approve" | "refuse"}."""
    sess = congress.get_session(session_id, g.principal)
    approve = scrutiny.parse_decision(json_body().get("decision"))
    scrutiny.decide_key(sess, deputy_code, approve)
    return session_dict(sess.id)


@bp.post("/scrutineers/me/key")
@api_auth("deputy")
def register_key():
    """The scrutineer's device key: {"public_key": base64 of the raw 32 bytes}."""
    state = scrutiny.register_key(g.principal, json_body().get("public_key"))
    return state, 202 if state["status"] == "pending" else 200


@bp.post("/votes/<int:vote_id>/confirmations")
@api_auth("deputy")
def confirm(vote_id: int):
    """A scrutineer's signature over the record's bytes: {"signature": base64}."""
    vote = services.get_vote(vote_id)
    _, created = confirming.confirm(vote, g.principal, json_body().get("signature"))
    return {"vote_id": vote.id, **confirming.figures(vote)}, 201 if created else 200


@bp.get("/votes/<int:vote_id>/record.confirmations")
def confirmations(vote_id: int):
    """The scrutineers' signatures over the record: visible like the record itself."""
    vote = services.get_vote(vote_id)
    services.ensure_result_visible(vote, _viewer())
    if record_of(vote.id) is None:
        raise NotFound("not_found")
    return confirming.public_confirmations(vote)


def _viewer():
    """As for the record: a bearer token, else the web session (a scrutineer's tablet)."""
    principal = bearer_principal()
    return principal if principal is not None else current_user
