"""Settings read from the environment, with safe defaults for the embedded database."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def _secret_key(instance: Path) -> str:
    """SECRET_KEY from the environment, else a key generated once into the instance folder."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def normalise_database_url(url: str) -> str:
    """Let operators write postgres:// or postgresql:// and still get the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load(instance: Path) -> dict:
    """Build the Flask config mapping for an app whose instance folder is ``instance``."""
    default_db = f"sqlite:///{instance / 'votesys.db'}"
    return {
        "SECRET_KEY": _secret_key(instance),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(
            os.environ.get("DATABASE_URL", default_db)
        ),
        # hide_parameters: a database error's message never carries the values of the
        # statement (a PIN hash, a ballot) into a log.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        "RATELIMIT_STORAGE_URI": os.environ.get("REDIS_URL") or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        # Redis unreachable: count in each process until it is back, rather than fail.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        # Public opinion submissions per client address.
        "OPINION_RATE_LIMIT": os.environ.get("VOTESYS_OPINION_RATE_LIMIT", "10 per hour"),
        # Login attempts that failed, per client address and per account (login or deputy
        # code), across the web login, the tablet login and POST /api/v1/auth/token.
        "LOGIN_RATE_LIMIT_CLIENT": os.environ.get(
            "VOTESYS_LOGIN_RATE_LIMIT_CLIENT", "30 per minute"
        ),
        "LOGIN_RATE_LIMIT_ACCOUNT": os.environ.get(
            "VOTESYS_LOGIN_RATE_LIMIT_ACCOUNT", "10 per 15 minutes"
        ),
        # Lifetime of an API bearer token (a congress's day: 12 hours).
        "API_TOKEN_MINUTES": int(os.environ.get("VOTESYS_TOKEN_MINUTES", "720")),
        "HSTS_SECONDS": int(os.environ.get("VOTESYS_HSTS_SECONDS", "31536000")),
        "BABEL_DEFAULT_LOCALE": "zh",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "LANGUAGES": ["zh", "en"],
        # Request size limits: the whole body (photos and .xlsx uploads are the largest), the
        # non-file part of a form, the number of form fields, and a JSON body. Beyond: 413.
        "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
        "MAX_FORM_MEMORY_SIZE": 512 * 1024,
        "MAX_FORM_PARTS": 1000,
        "MAX_JSON_BYTES": 64 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("VOTESYS_HTTPS") == "1",
        "WTF_CSRF_TIME_LIMIT": None,
        # argon2id cost for passwords and PINs (OWASP's minimum: 19 MiB, 2 passes);
        # tests lower it so that fixtures with many deputies stay fast.
        "PASSWORD_HASH_TIME_COST": int(os.environ.get("VOTESYS_HASH_TIME_COST", "2")),
        "PASSWORD_HASH_MEMORY_KIB": int(os.environ.get("VOTESYS_HASH_MEMORY_KIB", "19456")),
        # The waiting tablet's event stream: a comment this often on an idle stream (under
        # the 60 s that proxies commonly allow), and the stream ends after about this long
        # (the browser reconnects, signed in again); both vary by ±20% per stream. Each
        # server process reads the open votes this often while tablets wait.
        "TABLET_KEEPALIVE_SECONDS": 25.0,
        "TABLET_STREAM_SECONDS": 300.0,
        "TABLET_WATCH_INTERVAL": 0.25,
    }
