"""Login rate limits: failed attempts per client address and per account, shared by the web
login, the tablet login and POST /api/v1/auth/token (Flask-Limiter; Redis when REDIS_URL is
set, so every process and host counts together)."""

from __future__ import annotations

from flask import current_app, request
from flask_limiter.util import get_remote_address

from votesys.extensions import limiter

LOGIN_ENDPOINTS = ("auth.login", "auth.tablet_login", "auth_api.token")


def _client_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT_CLIENT"]


def _account_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT_ACCOUNT"]


def _account_key() -> str:
    """The account tried: the login or deputy code, whichever form or JSON body named it.
    Case-folded, as the tablet login accepts ``lk001`` for ``LK001``."""
    name = request.form.get("login") or request.form.get("code")
    small = (request.content_length or 0) <= current_app.config["MAX_JSON_BYTES"]
    if name is None and request.is_json and small:
        body = request.get_json(silent=True)
        if isinstance(body, dict) and isinstance(body.get("login"), str):
            name = body["login"]
    return "account:" + (name or "").strip().upper()[:64]


def _client_key() -> str:
    return "client:" + (get_remote_address() or "")


def _failed(response) -> bool:
    """Only refused attempts count: a hall full of deputies logging in is not an attack."""
    return response.status_code in (401, 423)


def login_limits(view):
    """Both limits on a login endpoint (POST only); beyond them a 429 'login_rate_limited'."""
    for limit, key, scope in (
        (_client_limit, _client_key, "login-client"),
        (_account_limit, _account_key, "login-account"),
    ):
        view = limiter.shared_limit(
            limit, scope, key_func=key, methods=["POST"], deduct_when=_failed
        )(view)
    return view
