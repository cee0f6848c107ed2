"""JSON endpoints of accounts: bearer tokens."""

from __future__ import annotations

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from votesys.api_support import json_body
from votesys.auth.services import (
    authenticate,
    issue_token,
    record_failed_login,
    record_login,
)
from votesys.errors import Unauthorized, invalid

bp = Blueprint("auth_api", __name__, url_prefix="/api/v1")


@bp.post("/auth/token")
def token():
    """A bearer token for a user (login + password) or a deputy (code + PIN)."""
    body = json_body()
    login, password = body.get("login"), body.get("password")
    if not isinstance(login, str) or not login.strip():
        raise invalid("login", _l("required"))
    if not isinstance(password, str) or not password:
        raise invalid("password", _l("required"))
    try:
        principal = authenticate(login, password)
    except Unauthorized:
        record_failed_login(login, "api")
        raise
    record_login(principal, "api")
    return {"token": issue_token(principal), "role": principal.role}, 201
