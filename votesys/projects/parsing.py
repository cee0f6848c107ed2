"""The register's own input shapes: funding by source, lists and objects of a JSON body.
Single values (text, dates, numbers, money, choices) are read by ``votesys.fields``."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l

from votesys import fields
from votesys.errors import InvalidInput, invalid
from votesys.projects import rules
from votesys.projects.queries import sources

MAX_TEXT = 5000


def funding_field(value: Any, field: str, *, pending: bool = False) -> dict[str, Decimal]:
    """{source: amount}: every source known, every amount a non-negative 万元 decimal. A
    plan (``pending``) may keep an amount whose source is to be settled; money spent may not."""
    if not isinstance(value, Mapping):
        raise invalid(field, _l("an object of source: amount"))
    known = (*sources(), rules.PENDING_SOURCE) if pending else sources()
    out = {}
    for key, amount in value.items():
        if key not in known:
            raise InvalidInput("unknown_source", source=str(key)[:40], known=", ".join(known))
        out[key] = fields.money(amount, f"{field}.{key}")
    return out


def list_field(value: Any, field: str) -> list:
    if not isinstance(value, list):
        raise invalid(field, _l("a list"))
    return value


def object_field(value: Any, field: str) -> Mapping:
    if not isinstance(value, Mapping):
        raise invalid(field, _l("an object"))
    return value
