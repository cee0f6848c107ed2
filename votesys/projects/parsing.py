"""Parsing the register's input fields: text, dates, numbers, money, choices, funding."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l

from votesys.errors import InvalidInput, invalid
from votesys.projects import rules
from votesys.projects.queries import sources

MAX_TEXT = 5000


def text_field(value: Any, field: str, *, max_len: int = 200, required: bool = True) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise invalid(field, _l("must be text"))
    value = value.strip()
    if required and not value:
        raise invalid(field, _l("required"))
    if len(value) > max_len:
        raise invalid(field, _l("at most %(n)s characters", n=max_len))
    return value


def date_field(value: Any, field: str, *, required: bool = True) -> date | None:
    if value in (None, "") and not required:
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):  # anything else (a number, a list, a missing value) is refused
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
    raise invalid(field, _l("a date as YYYY-MM-DD"))


def int_field(value: Any, field: str, *, low: int, high: int) -> int:
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,9}", value.strip()):
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(field, _l("a whole number"))
    if not low <= value <= high:
        raise invalid(field, _l("between %(low)s and %(high)s", low=low, high=high))
    return value


def money_field(value: Any, field: str) -> Decimal:
    try:
        return rules.money(value)
    except ValueError as err:
        raise invalid(field, err.args[0]) from None


def choice_field(value: Any, field: str, allowed: Iterable[str]) -> str:
    allowed = tuple(allowed)
    if value not in allowed:
        raise invalid(field, _l("one of %(values)s", values=", ".join(allowed)))
    return value


def funding_field(value: Any, field: str) -> dict[str, Decimal]:
    """{source: amount}: every source known, every amount a non-negative 万元 decimal."""
    if not isinstance(value, Mapping):
        raise invalid(field, _l("an object of source: amount"))
    known = sources()
    out = {}
    for key, amount in value.items():
        if key not in known:
            raise InvalidInput("unknown_source", source=str(key)[:40], known=", ".join(known))
        out[key] = money_field(amount, f"{field}.{key}")
    return out


def list_field(value: Any, field: str) -> list:
    if not isinstance(value, list):
        raise invalid(field, _l("a list"))
    return value


def object_field(value: Any, field: str) -> Mapping:
    if not isinstance(value, Mapping):
        raise invalid(field, _l("an object"))
    return value
