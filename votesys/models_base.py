"""Small helpers shared by the feature models."""

from __future__ import annotations

from datetime import UTC, datetime

# Row ids are INTEGER columns: 32-bit on PostgreSQL. A larger number in a URL or a body names
# no row, and is refused before the database sees it (PostgreSQL would raise an error).
MAX_ID = 2**31 - 1


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
