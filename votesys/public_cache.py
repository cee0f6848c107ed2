"""Caching of public pages and JSON answers, invalidated when the data under them changes.
Core: every room with public answers (the portal, the register, the stations) uses it.

Every transaction that writes a table the public can see gives the one-row generation
(``public_generation``) a new random value as its last statement before the commit. A
cached answer's key carries the generation it was made at, so the first request after the
commit misses:
a progress report shows at once, on every process and host, with no timeout to wait for.
Reading the generation costs one primary-key read per public request.

The cache itself is Flask-Caching: in-process by default (votesys.page_cache: within a
byte budget), Redis when REDIS_URL is set, so that every process and host shares one copy.
Answers carry an ETag and ``Cache-Control: public, no-cache``: browsers and proxies keep
them but ask again, and a conditional request is answered 304.

A cached answer is served to every visitor alike, so nothing in it may come from a request
header an attacker chooses: absolute URLs (og:url, og:image) are made on the configured
public URL (``PUBLIC_URL``, VOTESYS_PUBLIC_URL) by ``public_url_for`` and ``page_url``, not
on the Host header. Without one (development) they are the request's own, and the key
carries the scheme and host: one request's Host is never served to another.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, make_response, request, session, url_for
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import BigInteger, event, text
from sqlalchemy.orm import Mapped, Session, mapped_column
from werkzeug.sansio.utils import get_current_url

from votesys import clock
from votesys.extensions import cache, db


class PublicGeneration(db.Model):
    """One row. Cached public answers are keyed by ``n``: changing it (to a new random value,
    in the same transaction as the change) retires every cached page and JSON answer on
    every process and host."""

    __tablename__ = "public_generation"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(BigInteger, default=0)


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
        "jobs",
    }
)
_BUMPED = "votesys.public_generation_bumped"
_DUE = "votesys.public_generation_due"
log = logging.getLogger(__name__)


def _touches_public(session: Session) -> bool:
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(obj, "__tablename__", None)
        if table is not None and table not in UNSEEN_TABLES:
            return True
    return False


def _after_flush(session: Session, _context: Any) -> None:
    if not session.info.get(_BUMPED) and _touches_public(session):
        session.info[_DUE] = True


def _before_commit(session: Session) -> None:
    """The generation is renewed by the transaction's last statement before the commit: its
    one row is locked from there to the commit only, not across the rest of the transaction
    (the roll-ups' upkeep): every public write waits for that lock."""
    session.flush()  # changes not yet flushed say whether they touch public tables
    if session.info.pop(_DUE, False):
        _bump(session)


def renew() -> None:
    """Retire the cached public answers with this transaction: for writes that bypass the
    ORM's flush (an import's rows, inserted in bulk). Call it once they are written: on
    PostgreSQL the generation's row stays locked until the commit."""
    _bump(db.session)


def _bump(session: Any) -> None:
    if session.info.get(_BUMPED):
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


def _transaction_end(session: Session, transaction: Any) -> None:
    # Only the whole transaction's end: a savepoint rolled back leaves the writes flushed
    # before it, which still need the generation renewed.
    if transaction.parent is None:
        session.info.pop(_DUE, None)


def install_listeners() -> None:
    """Listen on every ORM session (idempotent)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_transaction_end", _transaction_end)
        event.listen(Session, "after_commit", _transaction_over)
        event.listen(Session, "after_soft_rollback", _transaction_over)


def generation() -> int:
    """The public data's current generation (read once per request)."""
    key = "votesys.public_generation"
    if key not in request.environ:
        value = db.session.execute(text("SELECT n FROM public_generation WHERE id = 1")).scalar()
        request.environ[key] = value or 0
    return request.environ[key]


def configure(app: Flask) -> None:
    """In-process by default; Redis, shared by every process and host, with REDIS_URL."""
    redis_url = app.config.get("REDIS_URL")
    defaults = {
        "CACHE_DEFAULT_TIMEOUT": 600,
        "CACHE_KEY_PREFIX": "votesys:public:",
    }
    if redis_url:
        defaults |= {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": redis_url}
    else:  # bounded by bytes, not by pages (votesys.page_cache)
        defaults |= {"CACHE_TYPE": "votesys.page_cache.PageCache"}
    for key, value in defaults.items():
        app.config.setdefault(key, value)
    cache.init_app(app)
    install_listeners()
    app.add_template_global(public_url_for)
    app.add_template_global(page_url)


def public_url_for(endpoint: str, **values: Any) -> str:
    """An absolute URL: on the configured public URL when there is one, else on the
    request's own scheme and host (which the cache key then carries)."""
    base = current_app.config.get("PUBLIC_URL")
    if not base:
        return url_for(endpoint, _external=True, **values)
    return base + url_for(endpoint, **values)


def page_url() -> str:
    """The absolute URL of the page being answered (og:url), on the public URL if set."""
    base = current_app.config.get("PUBLIC_URL")
    if not base:
        return request.url
    parts = urlsplit(base)
    return get_current_url(
        parts.scheme, parts.netloc, request.root_path, request.path, request.query_string
    )


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


def _cache_call(method: Callable, *args: Any) -> Any:
    """The cache is a shortcut, not a store: Redis unreachable, the page is built as if
    nothing were cached (a miss), never a 500."""
    try:
        return method(*args)
    except Exception as err:  # redis.ConnectionError, TimeoutError, …: whatever the backend
        log.warning("public cache unavailable (%s): serving uncached", type(err).__name__)
        return None


def public_cached(view: Callable) -> Callable:
    """Serve a public GET from the cache, keyed by generation, date, language, scheme and
    host, and full path; add an ETag and answer a conditional request with 304."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not _cacheable():
            return view(*args, **kwargs)
        # Today's date is part of the key: "overdue" and "next reception days" move with it;
        # so is the scheme and host, which the page's own URLs carry without PUBLIC_URL.
        key = (
            f"{generation()}:{clock.today()}:{get_locale()}:{request.host_url}:{request.full_path}"
        )
        hit = _cache_call(cache.get, key)
        if hit is not None:
            body, mimetype, headers = hit
            response = Response(body, mimetype=mimetype, headers=headers)
            response.set_etag(hashlib.sha256(body).hexdigest()[:32])
            return _conditional(response)
        response = view(*args, **kwargs)
        if not isinstance(response, Response):
            response = make_response(response)
        if response.status_code != 200 or response.direct_passthrough:
            return response
        body = response.get_data()
        extra = {k: v for k, v in response.headers.items() if k in ("Content-Disposition", "Link")}
        _cache_call(cache.set, key, (body, response.mimetype, extra))
        response.set_etag(hashlib.sha256(body).hexdigest()[:32])
        return _conditional(response)

    return wrapper
