"""The law of DOMAIN.md, rule by rule, at its edges; and properties over random inputs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from votesys.congress.rules import Quorum
from votesys.errors import InvalidInput
from votesys.voting import rules
from votesys.voting.rules import Count, passage_threshold, select


@pytest.mark.parametrize(
    ("total", "present", "met"),
    [
        (179, 120, True),
        (179, 119, False),
        (180, 120, True),
        (180, 119, False),
        (3, 2, True),
        (3, 1, False),
        (1, 1, True),
        (0, 0, False),
    ],
)
def test_quorum_two_thirds_bound_included(total, present, met):
    assert Quorum(total, present).met is met


def test_quorum_required_figures():
    assert Quorum(179, 0).required == 120
    assert Quorum(180, 0).required == 120
    assert Quorum(181, 0).required == 121


@given(st.integers(min_value=1, max_value=5000))
def test_quorum_required_is_least_two_thirds(total):
    required = Quorum(total, 0).required
    assert 3 * required >= 2 * total
    assert 3 * (required - 1) < 2 * total


@pytest.mark.parametrize(
    ("total", "votes_for", "passes"),
    [(179, 90, True), (179, 89, False), (180, 91, True), (180, 90, False), (1, 1, True)],
)
def test_passage_is_strictly_more_than_half_of_all_deputies(total, votes_for, passes):
    threshold = passage_threshold("all_deputies", total=total, present=0, valid=0)
    assert (votes_for >= threshold) is passes


def test_passage_bases_use_their_own_denominator():
    assert passage_threshold("present", total=179, present=150, valid=140) == 76
    assert passage_threshold("valid_ballots", total=179, present=150, valid=140) == 71
    assert passage_threshold("all_deputies", total=179, present=150, valid=140) == 90
    assert passage_threshold("none", total=179, present=150, valid=140) is None


def counts(*fors: int) -> list[Count]:
    return [Count(i + 1, f, 0, 0) for i, f in enumerate(fors)]


def test_top_n_among_passing_candidates():
    result = select(counts(150, 140, 95, 89, 120), seats=3, threshold=90)
    assert result.approved_ids == [1, 2, 5]
    by_id = {d.candidate_id: d for d in result.decisions}
    assert by_id[3].passed and not by_id[3].approved and by_id[3].rank == 4
    assert not by_id[4].passed and by_id[4].rank is None
    assert not result.runoff_needed


def test_fewer_pass_than_places_then_fewer_approved():
    result = select(counts(100, 89, 50), seats=3, threshold=90)
    assert result.approved_ids == [1]
    assert not result.runoff_needed and result.places_left == 0


def test_tie_crossing_the_last_place_goes_to_runoff():
    # places 3: 150, 140 approved; 120 and 120 tie for the third place
    result = select(counts(150, 140, 120, 120, 100), seats=3, threshold=90)
    assert result.approved_ids == [1, 2]
    assert result.tied_ids == [3, 4]
    assert result.runoff_needed and result.places_left == 1
    by_id = {d.candidate_id: d for d in result.decisions}
    assert by_id[3].rank == by_id[4].rank == 3
    assert by_id[5].rank == 5 and not by_id[5].tied and not by_id[5].approved


def test_tie_inside_the_places_is_approved_whole():
    result = select(counts(150, 150, 120, 100), seats=3, threshold=90)
    assert result.approved_ids == [1, 2, 3]
    assert not result.runoff_needed


def test_tie_exactly_filling_the_places():
    result = select(counts(150, 120, 120, 100), seats=3, threshold=90)
    assert result.approved_ids == [1, 2, 3]
    assert not result.tied_ids


def test_tie_for_first_place_with_one_seat():
    result = select(counts(100, 100, 100), seats=1, threshold=None)
    assert result.approved_ids == []
    assert result.tied_ids == [1, 2, 3] and result.places_left == 1


def test_tie_below_the_threshold_is_not_a_runoff():
    result = select(counts(150, 80, 80), seats=2, threshold=90)
    assert result.approved_ids == [1] and not result.runoff_needed


def test_no_threshold_ranks_everyone():
    result = select(counts(5, 0, 3), seats=2, threshold=None)
    assert result.approved_ids == [1, 3]


def test_ballot_marks_encode_and_default_to_abstain():
    marks = rules.ballot_marks(
        {"11": "for", 13: "against"}, [11, 12, 13], style="per_candidate", max_for=1
    )
    assert marks == "FNA"


def test_ballot_over_the_for_limit_is_refused():
    with pytest.raises(InvalidInput) as err:
        rules.ballot_marks(
            {"1": "for", "2": "for", "3": "for"}, [1, 2, 3], style="per_candidate", max_for=2
        )
    assert err.value.code == "too_many_for"
    assert (
        rules.ballot_marks({"1": "for", "2": "for"}, [1, 2, 3], style="per_candidate", max_for=2)
        == "FFN"
    )


@pytest.mark.parametrize(
    ("choices", "code"),
    [
        ({"9": "for"}, "unknown_candidate"),
        ({"x": "for"}, "unknown_candidate"),
        ({"1": "yes"}, "bad_choice"),
        ({"1": 1}, "bad_choice"),
        ({"1": None}, "bad_choice"),
        ({"true": "for"}, "unknown_candidate"),
        ({"１": "for"}, "unknown_candidate"),
    ],
)
def test_bad_ballots_are_refused(choices, code):
    with pytest.raises(InvalidInput) as err:
        rules.ballot_marks(choices, [1, 2], style="per_candidate", max_for=2)
    assert err.value.code == code


def test_approval_ballot_takes_only_for():
    assert rules.ballot_marks({"2": "for"}, [1, 2], style="approval", max_for=1) == "NF"
    with pytest.raises(InvalidInput):
        rules.ballot_marks({"1": "against"}, [1, 2], style="approval", max_for=1)


# Every mark a stored ballot can hold, of every style: F / A / N (per candidate, approval)
# and S / B / U / N (rating); N is a candidate left unmarked (abstain, not-for, not rated).
MARKS_OF_STYLE = {"per_candidate": "FAN", "approval": "FN", "rating": "SBUN"}


@st.composite
def ballots(draw):
    style = draw(st.sampled_from(sorted(MARKS_OF_STYLE)))
    one = st.text(alphabet=MARKS_OF_STYLE[style], min_size=4, max_size=4)
    return style, draw(st.lists(one, max_size=300))


def test_the_marks_of_each_style_are_the_law_s():
    for style, marks in MARKS_OF_STYLE.items():
        assert rules.allowed_marks(style) == set(marks)


@given(ballots())
def test_tally_equals_the_count_of_the_ballots(style_and_marks):
    _, marks = style_and_marks
    result = rules.tally(marks, [10, 20, 30, 40])
    assert [c.candidate_id for c in result] == [10, 20, 30, 40]
    for i, count in enumerate(result):
        column = [b[i] for b in marks]
        # for = 赞成 or 满意; against = 反对 or 不满意; basic = 基本满意; abstain = unmarked
        assert count.votes_for == column.count("F") + column.count("S")
        assert count.votes_against == column.count("A") + column.count("U")
        assert count.votes_basic == column.count("B")
        assert count.votes_abstain == column.count("N")
        assert (
            count.votes_for + count.votes_against + count.votes_abstain + count.votes_basic
            == len(marks)
        )


CHOICES = ["for", "against", "abstain", "satisfied", "basically_satisfied", "unsatisfied"]
LETTER = {"for": "F", "against": "A", "abstain": "N"}
LETTER |= {"satisfied": "S", "basically_satisfied": "B", "unsatisfied": "U"}


@given(
    st.sampled_from(sorted(MARKS_OF_STYLE)),
    st.dictionaries(
        st.sampled_from([1, 2, 3, 4]),
        st.sampled_from([*CHOICES, *CHOICES, "", "FOR", None, 1, "n"]),
        max_size=4,
    ),
    st.integers(1, 4),
)
def test_a_ballot_takes_the_choices_of_its_style_and_no_other(style, choices, max_for):
    """Written longhand from the ballot's rules: per candidate for / against / abstain, at
    most ``max_for`` "for"; approval "for" only; rating satisfied / basically satisfied /
    unsatisfied / abstain, no limit; a candidate left out is N."""
    allowed = {
        "per_candidate": {"for", "against", "abstain"},
        "approval": {"for"},
        "rating": {"satisfied", "basically_satisfied", "unsatisfied", "abstain"},
    }[style]
    ok = all(isinstance(v, str) and v in allowed for v in choices.values())
    if style != "rating":
        ok = ok and sum(v == "for" for v in choices.values()) <= max_for
    keys = {str(k): v for k, v in choices.items()}
    if not ok:
        with pytest.raises(InvalidInput):
            rules.ballot_marks(keys, [1, 2, 3, 4], style=style, max_for=max_for)
        return
    marks = rules.ballot_marks(keys, [1, 2, 3, 4], style=style, max_for=max_for)
    assert marks == "".join(LETTER[choices[c]] if c in choices else "N" for c in [1, 2, 3, 4])
    assert set(marks) <= rules.allowed_marks(style)


@given(
    st.lists(st.integers(min_value=0, max_value=200), min_size=1, max_size=15),
    st.integers(min_value=1, max_value=15),
    st.one_of(st.none(), st.integers(min_value=0, max_value=200)),
)
def test_selection_invariants(fors, seats, threshold):
    seats = min(seats, len(fors))
    result = select(counts(*fors), seats=seats, threshold=threshold)
    assert result.threshold == threshold
    by_id = {d.candidate_id: d for d in result.decisions}
    approved = [by_id[i] for i in result.approved_ids]
    assert len(approved) <= seats
    for d in result.decisions:
        votes = fors[d.candidate_id - 1]
        assert d.passed is (threshold is None or votes >= threshold)
        assert not (d.approved and d.tied)
        if d.approved or d.tied:
            assert d.passed
    # every approved candidate has strictly more votes for than every passing one left out
    low = min((fors[d.candidate_id - 1] for d in approved), default=None)
    for d in result.decisions:
        if d.passed and not d.approved and low is not None:
            assert fors[d.candidate_id - 1] < low
    # the places are used: a full tie group fitting in the remaining places is never left out
    if not result.runoff_needed:
        passing = [d for d in result.decisions if d.passed]
        assert len(approved) == min(seats, len(passing))
    if result.runoff_needed:
        tied_votes = {fors[i - 1] for i in result.tied_ids}
        assert len(tied_votes) == 1
        assert len(result.tied_ids) > result.places_left == seats - len(approved) > 0
    else:
        assert not result.tied_ids


def test_paper_totals_consistency_and_void():
    good = [Count(1, 6, 2, 1), Count(2, 3, 3, 3)]
    totals = rules.PaperTotals(issued=10, returned=10, invalid=1, counts=good)
    assert rules.check_paper(totals, present=10, style="per_candidate", max_for=2) is None
    more_returned = rules.PaperTotals(issued=9, returned=10, invalid=1, counts=good)
    assert (
        rules.check_paper(more_returned, present=10, style="per_candidate", max_for=2)
        == "returned_exceeds_issued"
    )
    more_issued = rules.PaperTotals(issued=11, returned=10, invalid=1, counts=good)
    assert (
        rules.check_paper(more_issued, present=10, style="per_candidate", max_for=2)
        == "issued_exceeds_present"
    )
    bad_sum = rules.PaperTotals(10, 10, 0, good)
    with pytest.raises(InvalidInput):
        rules.check_paper(bad_sum, present=10, style="per_candidate", max_for=2)
    too_many_for = rules.PaperTotals(10, 10, 1, [Count(1, 9, 0, 0), Count(2, 9, 0, 0)])
    with pytest.raises(InvalidInput):
        rules.check_paper(too_many_for, present=10, style="per_candidate", max_for=1)


def test_a_candidate_id_has_at_most_18_digits():
    """Ids are the database's 64-bit integers: 18 digits always fit, 19 may not."""
    assert rules.candidate_key("9" * 18) == 999_999_999_999_999_999
    assert rules.candidate_key("1" * 19) is None
    assert rules.candidate_key("039") is None and rules.candidate_key("+39") is None
    assert rules.candidate_key(39) == 39 and rules.candidate_key(True) is None
