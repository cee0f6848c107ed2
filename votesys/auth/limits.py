"""Login rate limits: refused attempts per client address, and per account from one
address, shared by the web login, the tablet login and POST /api/v1/auth/token (counted in
Flask-Limiter's storage: Redis when REDIS_URL is set, so every process and host counts
together).

An attempt is counted *before* its password or PIN is checked, in one atomic increment, and
given back when the login succeeds: fifty simultaneous guesses see each other's counts, and
only refused attempts stay counted (a hall full of deputies logging in is not an attack).
The per-account limit is kept per address, so that guesses from elsewhere cannot lock an
organiser out of their own desk; the deputies' PINs have their own lock (auth.services).
"""

from __future__ import annotations

import time
from functools import wraps

from flask import current_app, request
from flask_limiter.util import get_remote_address
from limits import parse

from votesys.errors import DomainError
from votesys.extensions import limiter

LOGIN_ENDPOINTS = ("auth.login", "auth.tablet_login", "auth_api.token")
REFUSED = (401, 403, 423)


class LoginRateLimited(DomainError):
    status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__("login_rate_limited")
        self.retry_after = retry_after


def _account_name() -> str:
    """The account tried: the login or deputy code, whichever form or JSON body named it.
    Case-folded, as the tablet login accepts ``lk001`` for ``LK001``."""
    name = request.form.get("login") or request.form.get("code")
    small = (request.content_length or 0) <= current_app.config["MAX_JSON_BYTES"]
    if name is None and request.is_json and small:
        body = request.get_json(silent=True)
        if isinstance(body, dict) and isinstance(body.get("login"), str):
            name = body["login"]
    return (name or "").strip().upper()[:64]


class Ticket:
    """One login attempt, counted against each limit before it is checked."""

    def __init__(self) -> None:
        address = get_remote_address() or ""
        self.counters = [
            (parse(current_app.config["LOGIN_RATE_LIMIT_CLIENT"]), f"client/{address}"),
            (
                parse(current_app.config["LOGIN_RATE_LIMIT_ACCOUNT"]),
                f"account/{_account_name()}/{address}",
            ),
        ]
        self.taken: list[tuple[str, int]] = []

    def take(self) -> None:
        """Count the attempt; beyond any limit it is refused (429), and counts nowhere."""
        storage = limiter.storage
        for item, who in self.counters:
            key = item.key_for(current_app.config.get("RATELIMIT_KEY_PREFIX", ""), "login", who)
            expiry = item.get_expiry()
            count = storage.incr(key, expiry)
            self.taken.append((key, expiry))
            if count > item.amount:
                self.give_back()
                raise LoginRateLimited(int(max(1, storage.get_expiry(key) - time.time())))

    def give_back(self) -> None:
        storage = limiter.storage
        for key, expiry in self.taken:
            storage.incr(key, expiry, amount=-1)
        self.taken = []


def login_limits(view):
    """Both limits on a login endpoint (POST only); beyond them a 429 'login_rate_limited'
    with Retry-After."""

    @wraps(view)
    def limited(*args, **kwargs):
        if request.method != "POST" or not limiter.enabled:
            return view(*args, **kwargs)
        ticket = Ticket()
        ticket.take()
        try:
            response = current_app.make_response(view(*args, **kwargs))
        except DomainError as err:
            if err.status not in REFUSED:
                ticket.give_back()
            raise
        if response.status_code not in REFUSED:
            ticket.give_back()
        return response

    return limited
