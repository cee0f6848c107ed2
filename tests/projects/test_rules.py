"""The register's rules at their edges: the rating, shares, percentages, overdue, money."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from votesys.projects import rules
from votesys.projects.rules import BASIC, SATISFIED, UNSATISFIED, rating_of
from votesys.voting.rules import Count, ballot_marks, passage_threshold, rate, tally


def threshold(total: int) -> int:
    return passage_threshold("all_deputies", total=total, present=total, valid=total)


# --- 满意度测评 ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "satisfied", "basic", "expected"),
    [
        # 179 deputies: more than half is 90.
        (179, 90, 0, SATISFIED),
        (179, 89, 0, UNSATISFIED),
        (179, 89, 1, BASIC),
        (179, 0, 90, BASIC),
        (179, 45, 44, UNSATISFIED),
        # 180 deputies: exactly half (90) is not enough; 91 is.
        (180, 91, 0, SATISFIED),
        (180, 90, 0, UNSATISFIED),
        (180, 90, 1, BASIC),
        (180, 45, 45, UNSATISFIED),
        (180, 45, 46, BASIC),
        (180, 180, 0, SATISFIED),
        (180, 0, 0, UNSATISFIED),
        (1, 1, 0, SATISFIED),
        (1, 0, 1, BASIC),
        (2, 1, 0, UNSATISFIED),
    ],
)
def test_rating_at_every_edge(total, satisfied, basic, expected):
    assert rating_of(satisfied, basic, threshold(total)) == expected


def test_rating_base_is_configurable():
    # Of the 120 present: more than half is 61.
    t = passage_threshold("present", total=179, present=120, valid=118)
    assert rating_of(61, 0, t) == SATISFIED
    assert rating_of(60, 1, t) == BASIC
    assert rating_of(60, 0, t) == UNSATISFIED
    t = passage_threshold("valid_ballots", total=179, present=120, valid=118)
    assert rating_of(60, 0, t) == SATISFIED


def test_rating_needs_a_base():
    with pytest.raises(ValueError):
        rating_of(1, 1, None)


@given(
    total=st.integers(1, 3000),
    satisfied=st.integers(0, 3000),
    basic=st.integers(0, 3000),
)
def test_rating_property(total, satisfied, basic):
    """满意 iff 2·满意 > base; else 基本满意 iff 2·(满意+基本满意) > base; never at exactly half."""
    got = rating_of(satisfied, basic, threshold(total))
    if 2 * satisfied > total:
        assert got == SATISFIED
    elif 2 * (satisfied + basic) > total:
        assert got == BASIC
    else:
        assert got == UNSATISFIED


def test_rating_ballot_marks_and_tally():
    marks = ballot_marks(
        {"1": "satisfied", "2": "basically_satisfied", "3": "unsatisfied"},
        [1, 2, 3, 4],
        style="rating",
        max_for=4,
    )
    assert marks == "SBUN"
    counts = tally([marks, "SSSS", "BBUN"], [1, 2, 3, 4])
    assert counts[0] == Count(1, 2, 0, 0, 1)
    assert counts[1] == Count(2, 1, 0, 0, 2)
    assert counts[2] == Count(3, 1, 2, 0, 0)
    assert counts[3] == Count(4, 1, 0, 2, 0)
    assert rate(counts, threshold=2) == {1: SATISFIED, 2: BASIC, 3: UNSATISFIED, 4: UNSATISFIED}


@pytest.mark.parametrize("choice", ["for", "against", "SATISFIED", 1, None])
def test_rating_ballot_refuses_other_marks(choice):
    from votesys.errors import InvalidInput

    with pytest.raises(InvalidInput) as err:
        ballot_marks({"1": choice}, [1], style="rating", max_for=1)
    assert err.value.code == "bad_rating"


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


# --- percent, overdue, money --------------------------------------------------------------


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


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("31177.83", Decimal("31177.83")),
        ("0", Decimal("0.00")),
        (12, Decimal("12.00")),
        ("1,200.5", Decimal("1200.50")),
    ],
)
def test_money_accepts(raw, expected):
    assert rules.money(raw) == expected


@pytest.mark.parametrize(
    "raw", ["-1", "abc", "1.005", 1.5, True, None, "NaN", "Infinity", "1e13", []]
)
def test_money_refuses(raw, app):
    with pytest.raises(ValueError):
        rules.money(raw)


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
