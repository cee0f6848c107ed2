"""Settings read from the environment, with safe defaults for the embedded database."""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit


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


def public_url() -> str | None:
    """VOTESYS_PUBLIC_URL: the site's origin as visitors reach it (https://votes.example.gov.cn),
    from which every absolute URL of a page is made, never from the request's Host header."""
    url = os.environ.get("VOTESYS_PUBLIC_URL", "").strip().rstrip("/")
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path:
        raise ValueError(f"VOTESYS_PUBLIC_URL must be http(s)://host[:port], not {url!r}")
    return url


def trusted_hosts(public: str | None) -> list[str] | None:
    """VOTESYS_TRUSTED_HOSTS (comma-separated), else the public URL's host and the machine's
    own names; neither set (development, tests): every host, as Flask's default."""
    hosts = [h.strip() for h in os.environ.get("VOTESYS_TRUSTED_HOSTS", "").split(",")]
    if hosts := [h for h in hosts if h]:
        return hosts
    if public:
        return [urlsplit(public).hostname or "", "localhost", "127.0.0.1"]
    return None


def deputy_networks() -> tuple:
    """VOTESYS_DEPUTY_NETWORKS: the congress hall's networks (CIDR ranges, comma-separated)
    from which deputies may type a PIN; unset, anywhere. A malformed range stops the start
    (ValueError), rather than leave the hall open."""
    raw = os.environ.get("VOTESYS_DEPUTY_NETWORKS", "")
    return tuple(
        ipaddress.ip_network(item.strip(), strict=False) for item in raw.split(",") if item.strip()
    )


def load(instance: Path) -> dict:
    """Build the Flask config mapping for an app whose instance folder is ``instance``."""
    default_db = f"sqlite:///{instance / 'votesys.db'}"
    public = public_url()
    return {
        "SECRET_KEY": _secret_key(instance),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(
            os.environ.get("DATABASE_URL", default_db)
        ),
        # hide_parameters: a database error's message never carries the values of the
        # statement (a PIN hash, a ballot) into a log.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        # Without Redis, each server process keeps public pages within this many MB.
        "PUBLIC_CACHE_MB": float(os.environ.get("VOTESYS_PUBLIC_CACHE_MB", "16")),
        # Absolute URLs of pages (og:url, og:image, the tracking page's address) and the Host
        # headers answered (any other: 400). See docs/operations.md.
        "PUBLIC_URL": public,
        "TRUSTED_HOSTS": trusted_hosts(public),
        "DEPUTY_NETWORKS": deputy_networks(),
        "RATELIMIT_STORAGE_URI": os.environ.get("REDIS_URL") or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        # Redis unreachable: count in each process until it is back, rather than fail.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        # Public opinion submissions per client address.
        "OPINION_RATE_LIMIT": os.environ.get("VOTESYS_OPINION_RATE_LIMIT", "10 per hour"),
        # Citizens' ratings of projects (the 民生码 form and its API) per client address:
        # the phone's hash is the one-rating rule; this only slows a flood from one address.
        "RATING_RATE_LIMIT": os.environ.get("VOTESYS_RATING_RATE_LIMIT", "30 per hour"),
        # Support (附议) of published opinions per client address: one per browser is the
        # rule (a cookie); this slows a flood of fresh browsers from one address.
        "SUPPORT_RATE_LIMIT": os.environ.get("VOTESYS_SUPPORT_RATE_LIMIT", "30 per hour"),
        # A citizen's own data by tracking code (download, erasure) per client address.
        "TRACK_DATA_RATE_LIMIT": os.environ.get("VOTESYS_TRACK_DATA_RATE_LIMIT", "20 per hour"),
        # Messages to citizens (stations.notify, `votesys worker`): the gateway ("log" or
        # "webhook"), the webhook's URL and HMAC secret, retries. See docs/operations.md.
        "SMS_GATEWAY": os.environ.get("VOTESYS_SMS_GATEWAY", "log"),
        "SMS_WEBHOOK_URL": os.environ.get("VOTESYS_SMS_WEBHOOK_URL") or None,
        "SMS_WEBHOOK_SECRET": os.environ.get("VOTESYS_SMS_WEBHOOK_SECRET") or None,
        "SMS_TIMEOUT_SECONDS": float(os.environ.get("VOTESYS_SMS_TIMEOUT_SECONDS", "10")),
        "SMS_MAX_ATTEMPTS": int(os.environ.get("VOTESYS_SMS_MAX_ATTEMPTS", "8")),
        "SMS_BACKOFF_SECONDS": float(os.environ.get("VOTESYS_SMS_BACKOFF_SECONDS", "30")),
        "SMS_BACKOFF_CAP_SECONDS": float(os.environ.get("VOTESYS_SMS_BACKOFF_CAP_SECONDS", "3600")),
        "SMS_LEASE_SECONDS": float(os.environ.get("VOTESYS_SMS_LEASE_SECONDS", "120")),
        # Citizens' names and phones are erased this many days after their opinion is
        # archived (`votesys erase-expired`, run daily by a timer).
        "PERSONAL_DATA_DAYS": int(os.environ.get("VOTESYS_PERSONAL_DATA_DAYS", "365")),
        # Receipt look-ups (/verify, /api/v1/public/receipts/…) per client address.
        "RECEIPT_RATE_LIMIT": os.environ.get("VOTESYS_RECEIPT_RATE_LIMIT", "30 per minute"),
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
        # An import of more data rows than this (a roster, candidates, a plan, progress
        # reports) runs as a background job with a progress bar; a smaller one is answered
        # at once. A roster's row costs a PIN hash (~25 ms), a plan's a few milliseconds.
        "IMPORT_BACKGROUND_ROWS": int(os.environ.get("VOTESYS_IMPORT_BACKGROUND_ROWS", "50")),
        # argon2id cost for passwords and PINs (OWASP's minimum: 19 MiB, 2 passes);
        # tests lower it so that fixtures with many deputies stay fast.
        "PASSWORD_HASH_TIME_COST": int(os.environ.get("VOTESYS_HASH_TIME_COST", "2")),
        "PASSWORD_HASH_MEMORY_KIB": int(os.environ.get("VOTESYS_HASH_MEMORY_KIB", "19456")),
        # The waiting tablet's event stream: a comment this often on an idle stream (under
        # the 60 s that proxies commonly allow), and the stream ends after about this long
        # (the browser reconnects, signed in again); both vary by ±20% per stream. Each
        # server process reads the open votes this often while tablets wait, and on
        # PostgreSQL also at once when a vote changes (LISTEN/NOTIFY, voting.waiting;
        # VOTESYS_TABLET_WATCH_PUSH=0: the interval only, to compare).
        "TABLET_KEEPALIVE_SECONDS": 25.0,
        "TABLET_STREAM_SECONDS": 300.0,
        "TABLET_WATCH_INTERVAL": 0.25,
        "TABLET_WATCH_PUSH": os.environ.get("VOTESYS_TABLET_WATCH_PUSH", "1") != "0",
    }
