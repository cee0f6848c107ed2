"""The rule of a vote switched to paper (voting.fallback_rules) at its edges: the paper part
is checked as a paper vote is, against the deputies who had not voted on a tablet; the two
parts add up candidate by candidate."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from votesys.errors import InvalidInput
from votesys.voting import fallback_rules
from votesys.voting.rules import Count, PaperTotals


def _totals(issued: int, returned: int, invalid: int, per: list[tuple[int, int, int]]):
    return PaperTotals(issued, returned, invalid, [Count(i + 1, *p) for i, p in enumerate(per)])


def _check(totals, uncast, max_for=1):
    return fallback_rules.check_paper_part(
        totals, uncast=uncast, style="per_candidate", max_for=max_for
    )


@pytest.mark.parametrize(
    ("issued", "returned", "uncast", "void"),
    [
        (5, 5, 5, None),  # every uncast deputy given a paper ballot
        (6, 5, 5, "issued_exceeds_uncast"),  # one more than the uncast: void
        (0, 0, 0, None),  # every deputy voted on a tablet: an empty paper part
        (1, 0, 0, "issued_exceeds_uncast"),
        (5, 6, 9, "returned_exceeds_issued"),  # more returned than issued
        (7, 8, 5, "returned_exceeds_issued"),  # both: the returned rule is said first
    ],
)
def test_the_void_edges(issued, returned, uncast, void):
    totals = _totals(issued, returned, 0, [(returned, 0, 0)])
    assert _check(totals, uncast) == void


@pytest.mark.parametrize(
    ("totals", "field"),
    [
        (_totals(5, 5, 6, [(0, 0, 0)]), "invalid"),  # invalid > returned
        (_totals(5, 5, 1, [(5, 0, 0)]), "candidates[1]"),  # 5 > 4 valid
        (_totals(5, 5, 0, [(3, 1, 0)]), "candidates[1]"),  # 4 < 5 valid
        (_totals(5, 5, 0, [(5, 0, 0), (5, 0, 0)]), "candidates"),  # 10 "for" > 1 × 5
        (_totals(-1, 0, 0, [(0, 0, 0)]), "issued"),
    ],
)
def test_entry_mistakes_are_refused_not_voided(totals, field):
    with pytest.raises(InvalidInput) as refused:
        _check(totals, uncast=9)
    assert refused.value.params["field"] == field


@given(
    uncast=st.integers(0, 40),
    issued=st.integers(0, 45),
    returned=st.integers(0, 45),
    data=st.data(),
)
def test_void_exactly_when_issued_exceeds_uncast_or_returned_exceeds_issued(
    uncast, issued, returned, data
):
    invalid = data.draw(st.integers(0, returned))
    valid = returned - invalid
    f = data.draw(st.integers(0, valid))
    totals = _totals(issued, returned, invalid, [(f, valid - f, 0)])
    void = _check(totals, uncast)
    if returned > issued:
        assert void == "returned_exceeds_issued"
    elif issued > uncast:
        assert void == "issued_exceeds_uncast"
    else:
        assert void is None


counts = st.tuples(*[st.integers(0, 50)] * 4)


@given(st.lists(st.tuples(counts, counts), min_size=1, max_size=6))
def test_the_parts_add_candidate_by_candidate(rows):
    electronic = [Count(i, *e) for i, (e, _) in enumerate(rows)]
    paper = [Count(i, *p) for i, (_, p) in reversed(list(enumerate(rows)))]  # any order
    added = fallback_rules.added(electronic, paper)
    assert [c.candidate_id for c in added] == [c.candidate_id for c in electronic]
    for c, (e, p) in zip(added, rows, strict=True):
        got = (c.votes_for, c.votes_against, c.votes_abstain, c.votes_basic)
        assert got == tuple(a + b for a, b in zip(e, p, strict=True))


def test_parts_naming_other_candidates_do_not_add():
    with pytest.raises(ValueError):
        fallback_rules.added([Count(1, 1, 0, 0)], [Count(2, 1, 0, 0)])
