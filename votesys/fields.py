"""Input fields, one rule and one message each: text, whole numbers, money, dates, choices,
PINs. Forms, the JSON API, imports and the scenario loader read their values through these,
so "a title" means the same thing wherever it is typed.

Each reader takes the raw value and the field's name and returns the clean value, or raises
``InvalidInput`` (``invalid(field, reason)``) with the reason in the user's language.
"""

from __future__ import annotations

import re
from datetime import date as Date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from votesys.errors import invalid

#: C0 control characters other than tab and newline, and DEL. Excel's files and terminals
#: both break on them; a title with U+000B (Word's line break) could not be exported.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
#: Characters that change the direction of the text after them (U+202A–U+202E,
#: U+2066–U+2069): "U+202E" makes a title read backwards on the hall's screen.
DIRECTION = re.compile(r"[\u202a-\u202e\u2066-\u2069]")

MAX_WAN = Decimal("1e12")  # far above any livelihood project, in 万元
CENT = Decimal("0.01")
MONEY = re.compile(r"[0-9]{1,12}(\.[0-9]{1,12})?")
WHOLE = re.compile(r"-?[0-9]{1,9}")
PIN = re.compile(r"[0-9]{4,12}")


def text(value: Any, field: str, max_len: int = 200, *, required: bool = True) -> str:
    """Text as typed, trimmed, line ends as ``\\n``: refused if not text, empty when
    required, longer than ``max_len``, or holding control or direction characters."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise invalid(field, _l("must be text"))
    value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if required and not value:
        raise invalid(field, _l("required"))
    if len(value) > max_len:
        raise invalid(field, _l("at most %(n)s characters", n=max_len))
    if CONTROL.search(value):
        raise invalid(field, _l("must not contain control characters"))
    if DIRECTION.search(value):
        raise invalid(field, _l("must not contain characters that reverse the text"))
    return value


def clean(value: str) -> str:
    """Text already stored, made safe to write out (a spreadsheet cell, a log line): the
    characters ``text`` refuses today are dropped from what older rows may still hold."""
    return DIRECTION.sub("", CONTROL.sub("", value))


def integer(value: Any, field: str, *, low: int = 0, high: int = 10**7) -> int:
    """A whole number from JSON or a form (digits in a string), within [low, high]."""
    if isinstance(value, str) and WHOLE.fullmatch(value.strip()):
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(field, _l("a whole number"))
    if not low <= value <= high:
        raise invalid(field, _l("between %(low)s and %(high)s", low=low, high=high))
    return value


def money_of(value: object) -> Decimal:
    """An amount in 万元: digits with an optional point (thousands commas allowed), or an
    int; non-negative, below ``MAX_WAN``, at most two places. Floats are refused, they are
    not exact; so are exponents ("1e5") and "NaN". Raises ValueError with the reason."""
    example = _l('an amount in 万元 as a string, e.g. "1200.50"')
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise ValueError(example)
    raw = str(value).strip().replace(",", "")
    negative = raw.startswith("-")
    if not MONEY.fullmatch(raw.removeprefix("-")):
        raise ValueError(example)
    if negative and Decimal(raw) != 0:
        raise ValueError(_l("must not be negative"))
    try:
        amount = abs(Decimal(raw))
    except InvalidOperation:  # pragma: no cover - the pattern admits only plain decimals
        raise ValueError(example) from None
    if amount >= MAX_WAN:
        raise ValueError(_l("too large"))
    if amount != amount.quantize(CENT):
        raise ValueError(_l("at most two decimal places"))
    return amount.quantize(CENT)


def money(value: Any, field: str) -> Decimal:
    try:
        return money_of(value)
    except ValueError as err:
        raise invalid(field, err.args[0]) from None


def date(value: Any, field: str, *, required: bool = True) -> Date | None:
    """A date as YYYY-MM-DD (a longer ISO timestamp is cut to its date)."""
    if value in (None, "") and not required:
        return None
    if isinstance(value, Date):
        return value
    if isinstance(value, str):  # anything else (a number, a list, a missing value) is refused
        try:
            return Date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
    raise invalid(field, _l("a date as YYYY-MM-DD"))


def choice(value: Any, field: str, allowed: Any) -> str:
    allowed = tuple(allowed)
    if value not in allowed:
        raise invalid(field, _l("one of %(values)s", values=", ".join(map(str, allowed))))
    return value


def is_pin(value: Any) -> bool:
    return isinstance(value, str) and PIN.fullmatch(value) is not None


def pin(value: Any, field: str) -> str:
    """A deputy's PIN: 4 to 12 ASCII digits, as a string (leading zeros count)."""
    if not is_pin(value):
        raise invalid(field, _l("4 to 12 digits"))
    return value


class Form(FlaskForm):
    """Every form of votesys: its text fields are held to ``text``'s character rules (no
    control or direction characters), whatever other validators a field has."""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            data = field.data
            if not isinstance(data, str):
                continue
            data = data.replace("\r\n", "\n").replace("\r", "\n")
            if CONTROL.search(data):
                field.errors = [*field.errors, _l("must not contain control characters")]
                valid = False
            elif DIRECTION.search(data):
                field.errors = [
                    *field.errors,
                    _l("must not contain characters that reverse the text"),
                ]
                valid = False
        return valid
