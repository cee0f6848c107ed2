"""Pure rules of messages to citizens and of their data's lifetime: the retry schedule, the
webhook's signature, the day a citizen's contact details are due to be erased."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, timedelta

#: The header carrying the webhook body's HMAC-SHA256 (hex) under the configured secret.
SIGNATURE_HEADER = "X-Votesys-Signature"
#: The header repeating the message's idempotency id (also in the body).
IDEMPOTENCY_HEADER = "Idempotency-Key"


def backoff_seconds(attempts: int, base: float, cap: float) -> float:
    """Seconds to wait after the ``attempts``-th failed attempt (1, 2, …): base, 2×base,
    4×base, … never more than ``cap``."""
    if attempts < 1:
        return 0.0
    # 2**(attempts-1) grows without bound; past 60 doublings any base is over any cap.
    return float(min(cap, base * 2 ** min(attempts - 1, 60)))


def signature(body: bytes, secret: str) -> str:
    """ "sha256=<hex>": the HMAC-SHA256 of the exact body bytes under the secret."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def signature_ok(body: bytes, secret: str, header: str) -> bool:
    """What a gateway checks: the header is the body's signature (compared in constant time)."""
    return hmac.compare_digest(signature(body, secret), header or "")


def erase_due_on(closed_on: date, days: int) -> date:
    """The first day on which an archived opinion's contact details are erased: ``days``
    days after it was archived (archived on 1 January with 365 days: erased on 1 January of
    the next year, kept the 364 days between)."""
    return closed_on + timedelta(days=days)


def erase_due(closed_on: date | None, today: date, days: int) -> bool:
    return closed_on is not None and today >= erase_due_on(closed_on, days)
