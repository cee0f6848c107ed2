"""A vote's time limit (倒计时): set at the opening, counted down from the server's clock.

The limit only tells the hall, the tablets and the desk how long is left; at zero the desk is
prompted to close. Nothing closes by itself: a ballot cast after zero counts until the
organiser closes the vote, since closing is the organiser's act (and a deputy still in the
booth must not lose a ballot to a clock)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l

from votesys import clock
from votesys.errors import invalid
from votesys.models_base import utcnow
from votesys.voting.models import Vote, VoteState

FIELD = "time_limit_minutes"
LOWEST, HIGHEST = 1, 120  # minutes: a vote of the hall takes minutes, never a day
LABELS = {FIELD: _l("Time limit (minutes)")}  # the field's name as the desk's form says it
REASON = _l("a whole number of minutes from %(low)s to %(high)s", low=LOWEST, high=HIGHEST)


def time_limit(value: Any, *, from_form: bool = False) -> int | None:
    """The minutes of a time limit as sent: None (or, from a form, an empty field) for no
    limit; else a whole number from LOWEST to HIGHEST. JSON must send a number (not "10",
    not 10.5, not true); a form sends digits."""
    if value is None or (from_form and isinstance(value, str) and not value.strip()):
        return None
    if from_form and isinstance(value, str) and value.strip().isascii():
        digits = value.strip()
        value = int(digits) if digits.isdigit() else value
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(FIELD, REASON)
    if not LOWEST <= value <= HIGHEST:
        raise invalid(FIELD, REASON)
    return value


def deadline(minutes: int | None) -> datetime | None:
    """When a limit set now ends, by the server's clock."""
    return None if minutes is None else clock.now() + timedelta(minutes=minutes)


def seconds_left(vote: Vote) -> int | None:
    """Whole seconds left on an open vote's limit by the server's clock (0 once it is up);
    None for a vote without a limit, or no longer open."""
    if vote.closes_at is None or vote.state != VoteState.OPEN:
        return None
    return left_until(vote.closes_at)


def left_until(closes_at: datetime | None, now: datetime | None = None) -> int | None:
    if closes_at is None:
        return None
    left = (closes_at - (now or clock.now())).total_seconds()
    return max(0, int(-(-left // 1)))  # rounded up: "0" only once the time is up


def clock_for_stream() -> Callable[[], datetime]:
    """The server's clock for a stream that outlives its request (no app context there):
    clock.now read now, moving on with the server's time."""
    offset = clock.now() - utcnow()
    return lambda: utcnow() + offset


def as_dict(vote: Vote) -> dict[str, Any]:
    """The fields the vote's JSON carries: the deadline (UTC) and the seconds left now, so
    that a device counts down from the server's time, not its own clock."""
    return {
        "closes_at": vote.closes_at.isoformat(timespec="seconds") + "Z" if vote.closes_at else None,
        "seconds_left": seconds_left(vote),
    }
