"""The register's rules at their edges: shares, percentages, overdue."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from votesys.projects import rules

# --- shares (largest remainder) -----------------------------------------------------------


def test_seed_shares():
    amounts = {
        "provincial": Decimal("8948.04"),
        "city": Decimal("0"),
        "county": Decimal("10787.53"),
        "township": Decimal("4520.79"),
        "social": Decimal("6921.47"),
    }
    got = rules.shares(amounts)
    assert got == {
        "provincial": Decimal("28.7"),
        "city": Decimal("0.0"),
        "county": Decimal("34.6"),
        "township": Decimal("14.5"),
        "social": Decimal("22.2"),
    }
    assert sum(got.values()) == Decimal("100.0")


def test_thirds_add_up_to_100():
    got = rules.shares({"a": Decimal(1), "b": Decimal(1), "c": Decimal(1)})
    assert sum(got.values()) == Decimal("100.0")
    assert sorted(got.values()) == [Decimal("33.3"), Decimal("33.3"), Decimal("33.4")]


def test_shares_of_nothing_are_zero():
    assert rules.shares({"a": Decimal(0), "b": Decimal(0)}) == {
        "a": Decimal("0.0"),
        "b": Decimal("0.0"),
    }
    assert rules.shares({}) == {}


amounts = st.dictionaries(
    st.text("abcdefgh", min_size=1, max_size=3),
    st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False),
    min_size=1,
    max_size=8,
).filter(lambda d: sum(d.values()) > 0)


@given(amounts)
def test_shares_property(values):
    """Shares always add up to exactly 100.0, each less than 0.1 from the exact share."""
    got = rules.shares(values)
    assert sum(got.values()) == Decimal("100.0")
    total = sum(values.values())
    for key, amount in values.items():
        exact = amount * 100 / total
        assert abs(got[key] - exact) < Decimal("0.1")
        assert got[key] == got[key].quantize(Decimal("0.1"))


# --- percent, overdue --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "target", "expected"),
    [
        ("2921", "2000", 146),
        ("2396", "2921", 82),
        ("0", "2000", 0),
        ("2000", "2000", 100),
        ("1", "200", 1),  # 0.5 rounds half up
        (None, "2000", None),
        ("5", "0", None),
    ],
)
def test_percent(actual, target, expected):
    assert (
        rules.percent_of(None if actual is None else Decimal(actual), Decimal(target)) == expected
    )


def test_overdue():
    today = date(2026, 6, 1)
    past, future = date(2026, 5, 31), date(2026, 6, 1)
    assert rules.is_overdue("in_progress", today, [(past, None)])
    assert not rules.is_overdue("in_progress", today, [(past, past)])
    assert not rules.is_overdue("in_progress", today, [(future, None)])  # due today: not yet
    assert not rules.is_overdue("completed", today, [(past, None)])
    assert not rules.is_overdue("terminated", today, [(past, None)])
    assert rules.is_overdue("not_started", today, [], planned_finish=past)
    assert not rules.is_overdue("not_started", today, [], planned_finish=future)


def test_quarter_dates_cover_the_year_without_gaps():
    from datetime import timedelta

    from votesys.projects.rules import quarter_dates

    assert quarter_dates(2026, None) == (date(2026, 1, 1), date(2026, 12, 31))
    assert quarter_dates(2024, 1) == (date(2024, 1, 1), date(2024, 3, 31))
    assert quarter_dates(2026, 4) == (date(2026, 10, 1), date(2026, 12, 31))
    for year in (2024, 2026):  # a leap year and another
        spans = [quarter_dates(year, q) for q in (1, 2, 3, 4)]
        assert spans[0][0] == date(year, 1, 1) and spans[-1][1] == date(year, 12, 31)
        for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
            assert start - end == timedelta(days=1)
