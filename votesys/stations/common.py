"""What the stations' services share: today's date at the congress, a checked text field."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from votesys import clock
from votesys.errors import invalid


def today() -> date:
    """The date at the congress (Asia/Shanghai); see ``votesys.clock``."""
    return clock.today()


def checked_text(value: Any, field: str, max_len: int, *, required: bool = True) -> str:
    """A text field as typed, trimmed; raises InvalidInput naming the field if it is not
    text, is empty when required, or is longer than ``max_len``."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise invalid(field, _l("must be text"))
    value = value.strip()
    if required and not value:
        raise invalid(field, _l("must not be empty"))
    if len(value) > max_len:
        raise invalid(field, _l("at most %(n)s characters", n=max_len))
    return value
