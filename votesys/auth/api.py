"""JSON endpoints of accounts: bearer tokens, logging out, a deputy's PIN."""

from __future__ import annotations

from flask import Blueprint, g, request
from flask_babel import lazy_gettext as _l

from votesys.api_support import api_auth, bearer_token, json_body
from votesys.auth.limits import login_limits
from votesys.auth.services import (
    PinLocked,
    authenticate,
    change_pin,
    end_sessions,
    issue_token,
    record_failed_login,
    record_login,
    revoke_token,
    revoke_tokens,
    token_lifetime,
)
from votesys.errors import DomainError, Unauthorized, invalid
from votesys.models_base import utcnow

bp = Blueprint("auth_api", __name__, url_prefix="/api/v1")


@bp.post("/auth/token")
@login_limits
def token():
    """A bearer token for a user (login + password) or a deputy (code + PIN); it expires
    after API_TOKEN_MINUTES."""
    body = json_body()
    login, password = body.get("login"), body.get("password")
    if not isinstance(login, str) or not login.strip():
        raise invalid("login", _l("required"))
    if not isinstance(password, str) or not password:
        raise invalid("password", _l("required"))
    try:
        principal = authenticate(login, password, address=request.remote_addr)
    except PinLocked:
        record_failed_login(login, "api")
        raise
    except Unauthorized:
        if record_failed_login(login, "api"):
            err = DomainError("pin_now_locked")
            err.status = PinLocked.status
            raise err from None
        raise
    record_login(principal, "api")
    expires = utcnow() + token_lifetime()
    return {
        "token": issue_token(principal),
        "role": principal.role,
        "expires_at": expires.isoformat(timespec="seconds") + "Z",
    }, 201


@bp.post("/auth/logout")
@api_auth()
def logout():
    """Revoke the token of this request; with {"everywhere": true}, every token of its owner
    and every web session too."""
    body = json_body(allow_empty=True)
    everywhere = body.get("everywhere", False)
    if not isinstance(everywhere, bool):
        raise invalid("everywhere", _l("true or false"))
    if everywhere:
        revoked = revoke_tokens(g.principal)
        end_sessions(g.principal)
    else:
        revoke_token(bearer_token())
        revoked = 1
    return {"revoked": revoked}


@bp.post("/auth/pin")
@api_auth("deputy")
def pin():
    """A deputy changes their PIN: every token of theirs is revoked (this one included)."""
    body = json_body()
    current, new = body.get("current_pin"), body.get("new_pin")
    if not isinstance(current, str) or not current:
        raise invalid("current_pin", _l("required"))
    if not isinstance(new, str) or not new:
        raise invalid("new_pin", _l("required"))
    deputy = g.principal
    try:
        change_pin(deputy, current, new)
    except Unauthorized:
        if record_failed_login(deputy.code, "pin_change", deputies_only=True):
            err = DomainError("pin_now_locked")
            err.status = PinLocked.status
            raise err from None
        raise
    return {"changed": True}
