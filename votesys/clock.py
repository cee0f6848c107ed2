"""The date at the congress: Asia/Shanghai, whatever the server's clock zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def today() -> date:
    """Today in Asia/Shanghai; tests and demos may pin it with the ``VOTESYS_TODAY`` setting."""
    pinned = current_app.config.get("VOTESYS_TODAY")
    if pinned:
        return date.fromisoformat(pinned)
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()
