"""The display formats at their edges (votesys.formats): money with two decimals and
thousands separators, counts without ".00", quantities in their unit, formal dates, the
reader's punctuation. Issue 17 item 16: "36000.00 人", "1320.00" beside "1,320.00" in a
chart, "进度报告: 推进中, 80%", "2026-01-09" under an announcement."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from flask_babel import force_locale
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from votesys.formats import colon, count, formal_date, money, paren, punct, quantity

# What the register holds: Numeric(14, 2), up to 999,999,999,999.99 万元, corrections below 0.
AMOUNTS = st.decimals(
    min_value=Decimal("-999999999999.99"),
    max_value=Decimal("999999999999.99"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)


# -- money -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (0, "0.00"),
        ("0.00", "0.00"),
        (Decimal("1320"), "1,320.00"),
        ("1320.00", "1,320.00"),
        (1320, "1,320.00"),
        (667.6, "667.60"),  # a float as it prints, not 667.5999…
        (0.1, "0.10"),
        (Decimal("999.995"), "1,000.00"),  # half up, into the next thousand
        (Decimal("-12.5"), "-12.50"),  # a negative correction keeps its sign
        (Decimal("-1234567.891"), "-1,234,567.89"),
        (Decimal("-0.001"), "0.00"),  # no "-0.00"
        (1e9, "1,000,000,000.00"),
        (Decimal("999999999999.99"), "999,999,999,999.99"),
        (Decimal("1E+30"), "1,000,000,000,000,000,000,000,000,000,000.00"),
    ],
)
def test_money_has_two_decimals_and_thousands_separators(value, shown):
    assert money(value) == shown


def test_no_money_is_a_dash_or_what_the_page_asks():
    assert money(None) == "—"
    assert money("") == "—"
    assert money(None, "") == ""


@pytest.mark.parametrize("value", ["abc", "1,320.00", float("nan"), float("inf"), True])
def test_money_refuses_what_is_not_a_finite_number(value):
    with pytest.raises((ValueError, TypeError)):
        money(value)


@given(AMOUNTS)
def test_money_reads_back_as_the_same_amount(amount):
    shown = money(amount)
    assert Decimal(shown.replace(",", "")) == amount
    whole, cents = shown.lstrip("-").split(".")
    assert len(cents) == 2
    groups = whole.split(",")
    assert 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])


@given(st.floats(min_value=-1e11, max_value=1e11, allow_nan=False, allow_infinity=False))
def test_money_of_a_float_is_the_float_rounded_to_the_cent(value):
    shown = money(value)
    assert abs(Decimal(shown.replace(",", "")) - Decimal(repr(value))) <= Decimal("0.005")


# -- counts and quantities ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (0, "0"),
        ("0.00", "0"),
        ("36000.00", "36,000"),
        (Decimal("2921"), "2,921"),
        (179, "179"),
        (36000.0, "36,000"),
        (Decimal("120.50"), "120.5"),  # a fraction keeps its digits
        (Decimal("0.333"), "0.33"),
        (Decimal("-5.00"), "-5"),
        (Decimal("-0.004"), "0"),
        (1e9, "1,000,000,000"),
        (Decimal("1234567.25"), "1,234,567.25"),
    ],
)
def test_counts_are_whole_without_decimals(value, shown):
    assert count(value) == shown


def test_no_count_is_a_dash():
    assert count(None) == "—" and count("") == "—"


@given(AMOUNTS)
def test_a_count_reads_back_as_the_same_number(amount):
    shown = count(amount)
    assert Decimal(shown.replace(",", "")) == amount
    assert not shown.endswith(".00") and not shown.endswith(".0")


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        ("36000.00", "人", "36,000 人"),
        ("2000.00", "户", "2,000 户"),
        ("4.00", "个", "4 个"),
        ("120.50", "公里", "120.5 公里"),
        ("1320", "万元", "1,320.00 万元"),  # a money unit: money
        ("8.6", "", "8.6"),
        (None, "人", "—"),  # no value: no unit either
    ],
)
def test_a_quantity_is_shown_in_its_unit(value, unit, shown):
    assert quantity(value, unit) == shown


def test_a_quantity_under_a_header_naming_its_unit():
    assert quantity("36000.00", "人", with_unit=False) == "36,000"
    assert quantity("1320", "万元", with_unit=False) == "1,320.00"


# -- formal dates -------------------------------------------------------------------------


def test_a_formal_date_in_chinese_and_english():
    day = date(2026, 12, 4)
    assert formal_date(day, "zh") == "2026年12月4日"
    assert formal_date(day, "en") == "4 December 2026"
    assert formal_date(date(2027, 1, 12), "zh") == "2027年1月12日"  # no leading zeros
    assert formal_date(None, "zh") == ""


def test_a_stored_time_is_dated_as_at_the_congress():
    # stored in UTC: 17:30 on 3 December is 01:30 on 4 December in Beijing
    assert formal_date(datetime(2026, 12, 3, 17, 30), "zh") == "2026年12月4日"
    assert formal_date(datetime(2026, 12, 3, 15, 59), "en") == "3 December 2026"


def test_a_formal_date_follows_the_pages_language(app):
    with app.test_request_context("/"):
        assert formal_date(date(2026, 12, 4)) == "2026年12月4日"
        with force_locale("en"):
            assert formal_date(date(2026, 12, 4)) == "4 December 2026"
            assert colon("Rule") == "Rule: "


# -- punctuation --------------------------------------------------------------------------


def test_chinese_text_takes_full_width_punctuation():
    assert colon("进度报告", "zh") + "推进中" + punct(",", "zh") + "80%" == "进度报告：推进中，80%"
    assert paren(179, "zh") == "（179）"
    assert punct(";", "zh") == "；"


def test_english_text_takes_its_own():
    assert colon("Progress report", "en") + "in progress" + punct(",", "en") + "80%" == (
        "Progress report: in progress, 80%"
    )
    assert "Deputies" + paren(179, "en") == "Deputies (179)"


def test_markup_stays_markup_and_text_is_escaped_where_shown():
    assert colon(Markup("代表&#39;监督"), "zh") == Markup("代表&#39;监督：")
    assert isinstance(paren(Markup("<b>x</b>"), "zh"), Markup)
    plain = colon("a<b", "zh")
    assert not isinstance(plain, Markup) and plain == "a<b："


def test_the_filters_are_in_the_templates(app):
    env = app.jinja_env
    with app.test_request_context("/"):
        page = env.from_string(
            "{{ a|money }} {{ n|count }} {{ t|quantity('人') }} {{ d|formal_date }}"
            "{{ _('Milestone')|colon }}{{ 179|paren }}{{ punct(',') }}{{ '<x>'|colon }}"
        ).render(a="1320.00", n="36000.00", t="36000.00", d=date(2026, 12, 4))
    assert page == "1,320.00 36,000 36,000 人 2026年12月4日节点：（179），&lt;x&gt;："
