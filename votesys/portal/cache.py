"""Caching of public pages and JSON answers, invalidated when the data under them changes.

Every flush that writes a table the public can see gives the one-row generation
(``public_generation``) a new random value inside the same transaction. A cached answer's
key carries the generation it was made at, so the first request after the commit misses:
a progress report shows at once, on every process and host, with no timeout to wait for.
Reading the generation costs one primary-key read per public request.

The cache itself is Flask-Caching: in-process (SimpleCache) by default, Redis when REDIS_URL
is set, so that every process and host shares one copy. Answers carry an ETag and
``Cache-Control: public, no-cache``: browsers and proxies keep them but ask again, and a
conditional request is answered 304.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, Response, request, session
from flask_login import current_user
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from votesys.extensions import cache
from votesys.portal import models as _models  # noqa: F401  (the table, for migrations)

# Writes to these tables never change what the public sees (ballots of an open vote, the
# roll, attendance, the audit chain, accounts and tokens): they do not retire the cache.
# The casting hot path touches only these.
UNSEEN_TABLES = frozenset(
    {
        "ballots",
        "roll_entries",
        "present_at_opening",
        "attendance",
        "audit_entries",
        "audit_head",
        "api_tokens",
        "users",
        "signing_keys",
        "public_generation",
    }
)
_BUMPED = "votesys.public_generation_bumped"


def _touches_public(session: Session) -> bool:
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(obj, "__tablename__", None)
        if table is not None and table not in UNSEEN_TABLES:
            return True
    return False


def _after_flush(session: Session, _context: Any) -> None:
    if session.info.get(_BUMPED) or not _touches_public(session):
        return
    # A fresh random value rather than n + 1: two databases sharing one Redis (a restored
    # copy, a test run, a second installation) never make the same key for other data.
    conn, value = session.connection(), secrets.randbits(62)
    raised = conn.execute(text("UPDATE public_generation SET n = :n WHERE id = 1"), {"n": value})
    if raised.rowcount == 0:  # a fresh database: the row is made by the first public write
        conn.execute(text("INSERT INTO public_generation (id, n) VALUES (1, :n)"), {"n": value})
    session.info[_BUMPED] = True


def _transaction_over(session: Session, *_args: Any) -> None:
    session.info.pop(_BUMPED, None)


def install_listeners() -> None:
    """Listen on every ORM session (idempotent)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "after_commit", _transaction_over)
        event.listen(Session, "after_soft_rollback", _transaction_over)


def generation() -> int:
    """The public data's current generation (read once per request)."""
    key = "votesys.public_generation"
    if key not in request.environ:
        from votesys.extensions import db

        value = db.session.execute(text("SELECT n FROM public_generation WHERE id = 1")).scalar()
        request.environ[key] = value or 0
    return request.environ[key]


def configure(app: Flask) -> None:
    """In-process by default; Redis, shared by every process and host, with REDIS_URL."""
    redis_url = app.config.get("REDIS_URL")
    defaults = {
        "CACHE_DEFAULT_TIMEOUT": 600,
        "CACHE_KEY_PREFIX": "votesys:public:",
        "CACHE_THRESHOLD": 2000,
    }
    if redis_url:
        defaults |= {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": redis_url}
    else:
        defaults |= {"CACHE_TYPE": "SimpleCache"}
    for key, value in defaults.items():
        app.config.setdefault(key, value)
    cache.init_app(app)
    install_listeners()


def _cacheable() -> bool:
    """Only what every anonymous visitor would see alike: no login (cookie or bearer token),
    no flash message."""
    if request.method != "GET" or session.get("_flashes") or "Authorization" in request.headers:
        return False
    return not current_user.is_authenticated


def _conditional(response: Response) -> Response:
    response.headers["Cache-Control"] = "public, no-cache"
    response.headers.setdefault("Vary", "Cookie")
    return response.make_conditional(request)


def public_cached(view: Callable) -> Callable:
    """Serve a public GET from the cache, keyed by generation, language and full path; add
    an ETag and answer a conditional request with 304."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not _cacheable():
            return view(*args, **kwargs)
        from flask_babel import get_locale

        from votesys.stations.services import today

        # Today's date is part of the key: "overdue" and "next reception days" move with it.
        key = f"{generation()}:{today()}:{get_locale()}:{request.full_path}"
        hit = cache.get(key)
        if hit is not None:
            body, mimetype, headers = hit
            response = Response(body, mimetype=mimetype, headers=headers)
            response.set_etag(hashlib.sha256(body).hexdigest()[:32])
            return _conditional(response)
        response = view(*args, **kwargs)
        if not isinstance(response, Response):
            from flask import make_response

            response = make_response(response)
        if response.status_code != 200 or response.direct_passthrough:
            return response
        body = response.get_data()
        extra = {k: v for k, v in response.headers.items() if k in ("Content-Disposition", "Link")}
        cache.set(key, (body, response.mimetype, extra))
        response.set_etag(hashlib.sha256(body).hexdigest()[:32])
        return _conditional(response)

    return wrapper
