"""How numbers, dates and punctuation are shown on pages: the one place for display formats.

Only what a person reads goes through here — the pages, the charts, the printed documents.
What a machine reads (CSV, Excel, the API) keeps plain values ("1234.50", "2026-12-04").

- ``money``: 万元 with two decimals and thousands separators, "1,320.00".
- ``count``: people and other quantities, whole numbers without decimals, "36,000"; a
  fraction keeps its digits (at most two), "120.5".
- ``quantity``: a target or its result in its unit, "36,000 人"; money units as money.
- ``formal_date``: the date of a formal document, "2026年12月4日" or "4 December 2026".
- ``punct``: the reader's punctuation — full-width in Chinese ("进度报告：推进中，80%").
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

from flask import Flask
from flask_babel import get_locale
from markupsafe import Markup

from votesys.clock import local_time

CENT = Decimal("0.01")
EMPTY = "—"
#: Units whose figures are money: shown as money, with two decimals.
MONEY_UNITS = frozenset({"万元", "元", "亿元"})
MONTHS = (
    "January February March April May June July August September October November December"
).split()
# The marks of Chinese text, and what English writes for each.
_ZH = {":": "：", ",": "，", ";": "；", "(": "（", ")": "）", ".": "。", "?": "？", "!": "！"}
_EN = {":": ": ", ",": ", ", ";": "; ", "(": " (", ")": ")", ".": ". ", "?": "? ", "!": "! "}


def _decimal(value: Decimal | float | int | str | None) -> Decimal | None:
    """The value as a Decimal; None (or an empty text) is no value. A float is read as it
    prints (0.1 is 0.1, not 0.1000000000000000055…)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise TypeError("a number, not a truth value")
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        raise ValueError(f"not a number: {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return number


def _cents(number: Decimal) -> Decimal:
    """Rounded half up to the cent, however large (the default context holds 28 digits)."""
    with localcontext() as context:
        context.prec = max(28, number.adjusted() + 4)
        return number.quantize(CENT, ROUND_HALF_UP)


def money(value: Decimal | float | int | str | None, empty: str = EMPTY) -> str:
    """An amount (万元) as people read it: "1,320.00"; rounded half up to the cent;
    negative corrections keep their sign ("-12.50"), and no amount shows ``empty``."""
    number = _decimal(value)
    if number is None:
        return empty
    cents = _cents(number)
    return f"{cents.copy_abs() if cents.is_zero() else cents:,.2f}"


def count(value: Decimal | float | int | str | None, empty: str = EMPTY) -> str:
    """People and other quantities: "36,000" — no ".00" on a whole number; a fraction keeps
    its digits, at most two, rounded half up ("120.5", "0.33")."""
    number = _decimal(value)
    if number is None:
        return empty
    cents = _cents(number)
    if cents.is_zero():
        return "0"
    if cents == cents.to_integral_value():
        return f"{cents.to_integral_value():,}"
    return f"{cents.normalize():,f}"


def quantity(
    value: Decimal | float | int | str | None,
    unit: str = "",
    empty: str = EMPTY,
    *,
    with_unit: bool = True,
) -> str:
    """A target or what was reached, in its unit: "36,000 人", "120.5 公里", "1,320.00 万元"
    (without the unit where a header names it); no value shows ``empty``, without the unit."""
    if _decimal(value) is None:
        return empty
    shown = money(value) if (unit or "").strip() in MONEY_UNITS else count(value)
    return f"{shown} {unit}" if unit and with_unit else shown


def _language(locale: str | None) -> str:
    if locale is None:
        locale = str(get_locale() or "zh")
    return "en" if str(locale).startswith("en") else "zh"


def formal_date(value: date | datetime | None, locale: str | None = None, empty: str = "") -> str:
    """The date of a formal document: "2026年12月4日" in Chinese, "4 December 2026" in
    English. A stored time (UTC) is read as its day at the congress (Asia/Shanghai)."""
    if value is None:
        return empty
    if isinstance(value, datetime):
        value = local_time(value).date()
    if _language(locale) == "en":
        return f"{value.day} {MONTHS[value.month - 1]} {value.year}"
    return f"{value.year}年{value.month}月{value.day}日"


def punct(mark: str, locale: str | None = None) -> str:
    """A punctuation mark as the reader's language writes it between words: "：" or ": "."""
    return (_EN if _language(locale) == "en" else _ZH).get(mark, mark)


def colon(label: object, locale: str | None = None) -> str:
    """A label before its value: "进度报告：" or "Progress report: ". Markup (a translated
    text in a template) stays markup; anything else is plain text, escaped where shown."""
    if isinstance(label, Markup):
        return label + punct(":", locale)
    return f"{label}{punct(':', locale)}"


def paren(text: object, locale: str | None = None) -> str:
    """A remark in brackets after what it qualifies: "（179）" or " (179)"; markup stays
    markup, as in ``colon``."""
    if isinstance(text, Markup):
        return Markup(punct("(", locale)) + text + punct(")", locale)
    return f"{punct('(', locale)}{text}{punct(')', locale)}"


def register(app: Flask) -> None:
    """The formats as Jinja filters (``{{ amount|money }}``) and ``punct`` as a function."""
    app.add_template_filter(money)
    app.add_template_filter(count)
    app.add_template_filter(quantity)
    app.add_template_filter(formal_date)
    app.add_template_filter(colon)
    app.add_template_filter(paren)
    app.add_template_global(punct)
