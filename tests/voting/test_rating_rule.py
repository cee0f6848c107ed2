"""满意度测评, a ballot style of the vote: the rating rule at its edges, its ballot and tally."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from votesys.voting.rules import (
    BASIC,
    SATISFIED,
    UNSATISFIED,
    Count,
    ballot_marks,
    passage_threshold,
    rate,
    rating_of,
    tally,
)


def threshold(total: int) -> int:
    return passage_threshold("all_deputies", total=total, present=total, valid=total)


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
