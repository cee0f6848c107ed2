"""Dates in the public's plain data: ISO strings, a timestamp read as its day."""

from __future__ import annotations


def iso(value) -> str | None:
    if value is None:
        return None
    return value.date().isoformat() if hasattr(value, "date") else value.isoformat()
