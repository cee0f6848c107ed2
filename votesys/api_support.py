"""What every JSON endpoint shares: the bearer principal, role checks and body parsing."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import current_app, g, request

from votesys.auth.services import principal_for_token
from votesys.errors import BadRequest, DomainError, Forbidden, Unauthorized


def bearer_token() -> str | None:
    """The token of the Authorization header, if it is a bearer one."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def bearer_principal():
    """The user or deputy named by a live bearer token, or None. Cookies are not used,
    so the API needs no CSRF token."""
    token = bearer_token()
    return principal_for_token(token) if token else None


def api_auth(*roles: str) -> Callable:
    """Require a bearer token whose role is one of ``roles`` (any role when none given)."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            token = bearer_token()
            principal = principal_for_token(token) if token else None
            if principal is None:
                # A token was shown but is expired, revoked or unknown: say so.
                raise Unauthorized("token_expired" if token else "unauthorized")
            if roles and principal.role not in roles:
                raise Forbidden("forbidden")
            g.principal = principal
            return view(*args, **kwargs)

        wrapper.required_roles = roles or ("any",)
        return wrapper

    return decorate


def read_body_now(limit: int | None = None) -> None:
    """Read the request's body off the connection now (when it fits the JSON limit);
    ``json_body`` parses it later. For a view that takes a lock before it parses: a slow or
    stalled client must not hold the lock while its body trickles in."""
    limit = limit or current_app.config["MAX_JSON_BYTES"]
    if request.content_length is None or request.content_length <= limit:
        request.get_data(cache=True)


class DuplicateKey(ValueError):
    """A JSON object names a key twice: {"16": "for", "16": "against"} has no one meaning."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise DuplicateKey(key)
        out[key] = value
    return out


def json_body(limit: int | None = None, *, allow_empty: bool = False) -> dict[str, Any]:
    """The request's JSON object; anything else is a clear 400/413, never a 500. With
    ``allow_empty``, no body at all reads as {} (a body of spaces is not JSON: 400)."""
    limit = limit or current_app.config["MAX_JSON_BYTES"]
    if request.content_length is not None and request.content_length > limit:
        err = DomainError("too_large")
        err.status = 413
        raise err
    raw = request.get_data(cache=True)
    if len(raw) > limit:
        err = DomainError("too_large")
        err.status = 413
        raise err
    if allow_empty and not raw:
        return {}
    try:
        data = json.loads(raw.decode("utf-8"), object_pairs_hook=_unique_keys)
    except DuplicateKey as dup:
        raise BadRequest("duplicate_key", key=str(dup)[:40]) from None
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BadRequest("bad_json") from None
    if not isinstance(data, dict):
        raise BadRequest("bad_json")
    return data
