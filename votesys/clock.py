"""The date at the congress: Asia/Shanghai, whatever the server's clock zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app

#: The congress's time zone: dates and times are shown as they are there (北京时间).
ZONE = ZoneInfo("Asia/Shanghai")


def today() -> date:
    """Today in Asia/Shanghai; tests and demos may pin it with the ``VOTESYS_TODAY`` setting."""
    pinned = current_app.config.get("VOTESYS_TODAY")
    if pinned:
        return date.fromisoformat(pinned)
    return datetime.now(ZONE).date()


def now() -> datetime:
    """The server's time now (UTC, naive as ``utcnow`` writes it): the one clock a vote's
    countdown reads, so that every tablet, the hall and the desk count from the server's
    time, never their own. Tests may pin it with the ``VOTESYS_NOW`` setting (ISO, UTC)."""
    pinned = current_app.config.get("VOTESYS_NOW")
    if pinned:
        return datetime.fromisoformat(pinned).replace(tzinfo=None)
    return datetime.now(UTC).replace(tzinfo=None)


def local_time(at: datetime) -> datetime:
    """A stored time (UTC, naive as ``utcnow`` writes it) as the clock at the congress reads
    it (Asia/Shanghai)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(ZONE)


def iso_day(value) -> str | None:
    """A date (or a timestamp, read as its day) as the plain data shows it: "2026-12-04"."""
    if value is None:
        return None
    return value.date().isoformat() if hasattr(value, "date") else value.isoformat()
