"""What a refusal says: the field it names and its reason, for paper totals and the rating
rule; and what entering paper totals writes to the audit log. (A refusal naming the wrong
field, or none, leaves the organiser unable to find the mistake.)"""

from __future__ import annotations

import json

import pytest
from flask_babel import lazy_gettext

from tests.factories import build_scenario
from votesys import scenario
from votesys.congress import services as congress
from votesys.congress.models import CongressSession, Deputy
from votesys.errors import Conflict, InvalidInput
from votesys.extensions import db
from votesys.integrity.models import AuditEntry
from votesys.voting import counting, rules, services
from votesys.voting.models import PresentAtOpening, Vote
from votesys.voting.rules import Count, PaperTotals


def refusal(call) -> tuple[str, str]:
    with pytest.raises(InvalidInput) as err:
        call()
    assert err.value.code == "invalid"
    return str(err.value.params["field"]), str(err.value.params["reason"])


GOOD = [Count(1, 5, 1, 1), Count(2, 2, 3, 2)]  # 7 valid ballots


@pytest.mark.parametrize(
    ("totals", "style", "max_for", "field", "reason"),
    [
        (PaperTotals(-1, 0, 0, []), "per_candidate", 1, "issued", "must not be negative"),
        (PaperTotals(8, -1, 0, []), "per_candidate", 1, "returned", "must not be negative"),
        (PaperTotals(8, 8, -1, []), "per_candidate", 1, "invalid", "must not be negative"),
        (
            PaperTotals(8, 8, 9, []),
            "per_candidate",
            1,
            "invalid",
            "cannot exceed the ballots returned",
        ),
        # a negative count, though the row adds up to the 7 valid ballots
        *(
            (PaperTotals(8, 8, 1, [Count(1, *row)]), "per_candidate", 8, "candidates[1]", neg)
            for row in [(-1, 8, 0), (8, -1, 0), (8, 0, -1)]
            for neg in ["must not be negative"]
        ),
        (
            PaperTotals(8, 8, 1, [Count(1, 5, 1, 1)]),
            "approval",
            1,
            "candidates[1].against",
            "approval ballots have none",
        ),
        (
            PaperTotals(8, 8, 0, GOOD),
            "per_candidate",
            2,
            "candidates[1]",
            "for + against + abstain must equal the 8 valid ballots",
        ),
        (
            PaperTotals(8, 8, 1, GOOD),
            "per_candidate",
            0,
            "candidates",
            "more “for” marks than 0 per valid ballot allow",
        ),
    ],
)
def test_paper_totals_refusals_name_the_field_and_the_reason(totals, style, max_for, field, reason):
    call = lambda: rules.check_paper(totals, present=8, style=style, max_for=max_for)  # noqa: E731
    assert refusal(call) == (field, reason)


def test_every_ballot_invalid_is_a_count_that_stands():
    """All the returned ballots invalid (废票): nobody has a vote, the vote stands."""
    totals = PaperTotals(3, 3, 3, [Count(1, 0, 0, 0), Count(2, 0, 0, 0)])
    assert totals.valid == 0
    assert rules.check_paper(totals, present=3, style="per_candidate", max_for=1) is None


def test_a_rating_without_a_base_is_a_programming_error_said_as_such():
    with pytest.raises(ValueError, match=r"^a rating needs a base$"):
        rules.rating_of(1, 1, None)


@pytest.fixture
def paper_vote(app):
    """An open paper vote of 9 deputies, 8 present, on two candidates."""

    def make(style="per_candidate") -> Vote:
        ids = scenario.load(
            build_scenario(deputies=9, candidates=2, seats=1, style=style, mode="paper")
        )
        sess = db.session.get(CongressSession, ids["session"])
        for i in range(1, 9):
            congress.check_in(sess, f"D{i:04d}")
        vote = services.open_vote(db.session.get(Vote, ids["votes"]["main"]))
        db.session.commit()
        return vote

    return make


def test_counts_for_some_candidates_only_are_refused_by_name(paper_vote):
    vote = paper_vote()
    c1 = services.candidate_ids(vote)[0]
    call = lambda: counting.enter_paper_totals(  # noqa: E731
        vote,
        issued=8,
        returned=8,
        invalid_ballots=1,
        counts={c1: {"for": 5, "against": 1, "abstain": 1}},
    )
    assert refusal(call) == (
        "candidates",
        str(lazy_gettext("give counts for every candidate on the ballot, no others")),
    )
    assert vote.state == "open"


def test_an_approval_paper_vote_takes_no_against(paper_vote):
    vote = paper_vote(style="approval")
    c1, c2 = services.candidate_ids(vote)
    counts = {
        c1: {"for": 5, "against": 1, "abstain": 1},
        c2: {"for": 2, "against": 0, "abstain": 5},
    }
    call = lambda: counting.enter_paper_totals(  # noqa: E731
        vote, issued=8, returned=8, invalid_ballots=1, counts=counts
    )
    assert refusal(call)[0] == f"candidates[{c1}].against"


@pytest.mark.parametrize(("issued", "void"), [(8, None), (7, "returned_exceeds_issued")])
def test_paper_totals_are_audited_as_entered(paper_vote, issued, void):
    vote = paper_vote()
    c1, c2 = services.candidate_ids(vote)
    counts = {
        c1: {"for": 5, "against": 1, "abstain": 1},
        c2: {"for": 2, "against": 3, "abstain": 2},
    }
    counting.enter_paper_totals(vote, issued=issued, returned=8, invalid_ballots=1, counts=counts)
    entry = db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.action == "paper_totals_entered")
    )
    assert entry.object == f"vote:{vote.id}"
    assert json.loads(entry.details) == {
        "issued": issued,
        "returned": 8,
        "invalid": 1,
        "void": void,
        "counts": {str(c1): [5, 1, 1], str(c2): [2, 3, 2]},
    }
    assert (vote.void_reason, vote.ballots_cast, vote.valid_ballots) == (void, 8, 7)
    assert vote.box_key is None  # paper: no ballot box on the server
    assert [(e.votes_for, e.votes_against, e.votes_abstain) for e in vote.entries] == [
        (5, 1, 1),
        (2, 3, 2),
    ]


@pytest.mark.parametrize(
    ("style", "choices", "code", "params"),
    [
        ("per_candidate", {"9": "for"}, "unknown_candidate", {"candidate": "9"}),
        ("per_candidate", {"x" * 50: "for"}, "unknown_candidate", {"candidate": "x" * 40}),
        ("per_candidate", {"1": "yes"}, "bad_choice", {"choice": "yes"}),
        ("per_candidate", {"1": "y" * 50}, "bad_choice", {"choice": "y" * 40}),
        ("rating", {"1": "for"}, "bad_rating", {"choice": "for"}),
        ("rating", {"1": "z" * 50}, "bad_rating", {"choice": "z" * 40}),
        ("approval", {"1": "against"}, "approval_for_only", {}),
        (
            "per_candidate",
            {"1": "for", "2": "for", "3": "for"},
            "too_many_for",
            {"max_for": 2, "count": 3},
        ),
    ],
)
def test_a_refused_ballot_names_what_was_refused_in_at_most_40_characters(
    style, choices, code, params
):
    with pytest.raises(InvalidInput) as err:
        rules.ballot_marks(choices, [1, 2, 3], style=style, max_for=2)
    assert (err.value.code, err.value.params) == (code, params)


def test_opening_without_a_quorum_says_the_figures(app):
    ids = scenario.load(build_scenario(deputies=9, terminated=1, candidates=2, seats=1))
    sess = db.session.get(CongressSession, ids["session"])
    for i in range(1, 5):  # 4 of the 8 current deputies; 6 are needed
        congress.check_in(sess, f"D{i:04d}")
    vote = db.session.get(Vote, ids["votes"]["main"])
    with pytest.raises(Conflict) as err:
        services.open_vote(vote)
    assert (err.value.code, err.value.params) == (
        "quorum_not_met",
        {"present": 4, "required": 6, "total": 8},
    )
    assert vote.state == "draft"


def test_opening_fixes_and_audits_the_roll(app):
    """The figures the base is taken from, fixed at the opening: current deputies, those
    present, each present deputy's row; and the audit entry saying so."""
    ids = scenario.load(build_scenario(deputies=9, terminated=1, candidates=2, seats=1))
    sess = db.session.get(CongressSession, ids["session"])
    present = [f"D{i:04d}" for i in range(1, 7)]
    for code in present:
        congress.check_in(sess, code)
    vote = services.open_vote(db.session.get(Vote, ids["votes"]["main"]))
    assert (vote.state, vote.total_deputies, vote.present_at_open) == ("open", 8, 6)
    assert vote.opened_at is not None
    assert vote.box_key is not None  # its ballots are sealed while it is open
    rows = db.session.scalars(
        db.select(Deputy.code)
        .join(PresentAtOpening, PresentAtOpening.deputy_id == Deputy.id)
        .where(PresentAtOpening.vote_id == vote.id)
    )
    assert sorted(rows) == present
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "vote_opened"))
    assert entry.object == f"vote:{vote.id}"
    assert json.loads(entry.details) == {"current_deputies": 8, "present": 6}
    # a second vote of the session cannot open while this one is
    other = services.create_vote(
        sess, title="第二票", candidate_ids=services.candidate_ids(vote), seats=1, max_for=1
    )
    with pytest.raises(Conflict) as err:
        services.open_vote(other)
    assert (err.value.code, err.value.params) == ("another_open", {"vote": vote.id})


def test_only_an_open_vote_of_the_same_session_stops_another_opening(app):
    def seated(**kw):
        ids = scenario.load(build_scenario(deputies=3, candidates=2, seats=1, **kw))
        sess = db.session.get(CongressSession, ids["session"])
        for code in ids["deputies"]:
            congress.check_in(sess, code)
        return sess, db.session.get(Vote, ids["votes"]["main"])

    sess, first = seated()
    other_sess, elsewhere = seated(code_prefix="X", jurisdiction="430211")
    services.open_vote(first)
    assert services.open_vote(elsewhere).state == "open"  # another congress's session
    counting.close_vote(first)
    second = services.create_vote(
        sess, title="第二票", candidate_ids=services.candidate_ids(first), seats=1, max_for=1
    )
    assert services.open_vote(second).state == "open"  # the first one is closed
    assert other_sess.id != sess.id
