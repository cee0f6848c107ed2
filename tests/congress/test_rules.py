"""法定人数, the congress's quorum rule, at its edges and against the independent counter."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests import oracle
from votesys.congress.rules import Quorum


@pytest.mark.parametrize(
    ("total", "required"),
    [(1, 1), (2, 2), (3, 2), (4, 3), (5, 4), (6, 4), (9, 6), (179, 120), (180, 120), (181, 121)],
)
def test_required_is_two_thirds_rounded_up(total, required):
    """ "三分之二以上": the bound counts, so 2 of 3 is enough and 119 of 179 is not."""
    assert Quorum(total, 0).required == required
    assert Quorum(total, required).met
    assert not Quorum(total, required - 1).met


def test_no_deputies_is_no_quorum():
    assert Quorum(0, 0).required == 0
    assert not Quorum(0, 0).met
    assert not Quorum(0, 5).met


def test_more_present_than_needed_and_than_current():
    """Every deputy present is a quorum; so is a count above the roll (never refused here:
    the roll's figures come from the database)."""
    assert Quorum(179, 179).met and Quorum(179, 150).met
    assert Quorum(3, 4).met


def test_as_dict_carries_the_figures():
    assert Quorum(9, 5).as_dict() == {"total": 9, "present": 5, "required": 6, "met": False}
    assert Quorum(9, 6).as_dict() == {"total": 9, "present": 6, "required": 6, "met": True}


@given(st.integers(0, 3000), st.integers(0, 3000))
def test_quorum_agrees_with_the_law_s_text(total, present):
    q = Quorum(total, present)
    assert q.met is oracle.quorum_met(total, present)
    if total:
        assert q.required == oracle.quorum_required(total)
