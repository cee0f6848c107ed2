"""Every passage base end to end, through the JSON API, against an independent counter.

Electronic, paper and rating votes are opened, cast (or counted by the tellers) and closed on
each base: all deputies (some seats terminated), those present when the vote opened (fewer
than the current deputies, and more checked in after the opening), the valid ballots (paper
ballots over the "for" limit counted invalid) and none. The threshold, every candidate's
counts and decision, and the runoff are compared with ``tests.oracle``, which counts from
the law's text and imports nothing of votesys.

Each case's figures are chosen so that every wrong denominator (all deputies for present,
the roll with its terminated seats, those present at the close, the ballots returned for
the valid ones, ...) gives another decision: each case checks that it does, so a base
mixed up with another cannot pass unnoticed.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests import oracle
from tests.factories import PIN, build_scenario
from votesys import scenario
from votesys.extensions import db

CHOICE = {"f": "for", "a": "against", "s": "satisfied", "b": "basically_satisfied"}
CHOICE |= {"u": "unsatisfied"}


@dataclass(frozen=True)
class Case:
    """One vote: the hall, the ballots, and for paper the tellers' extra figures.

    Ballots are written one string each, a letter per candidate in ballot order: f for,
    a against, s / b / u satisfied / basically satisfied / unsatisfied, "." unmarked."""

    mode: str
    base: str
    roster: int  # deputies on the roll
    terminated: int  # of them, seats no longer current
    present: int  # checked in when the vote opens
    late: int  # checked in after it opened
    ballots: tuple[str, ...]
    seats: int
    max_for: int
    unreturned: int = 0  # paper: issued but not put in the box

    @property
    def current(self) -> int:
        return self.roster - self.terminated

    @property
    def candidates(self) -> int:
        return len(self.ballots[0])


# Electronic: 13 on the roll, 11 current (threshold 6), 8 present at the opening (5), two
# more after it (10 present at the close), 7 of the 8 vote (7 valid ballots: 4).
# "for" votes: c1 7, c2 6, c3 5, c4 4, c5 3, c6 2, c7 5 (c3 and c7 tie).
HALL = {"roster": 13, "terminated": 2, "present": 8, "late": 2}
ELECTRONIC = (
    "fffffff",
    "ffffffa",
    "fffff.f",
    "ffff..f",
    "fffaa.f",
    "ff.aa.a",
    "faa.a..",
)
# Paper: 11 on the roll, 9 current (threshold 5); at most 2 "for" marks a ballot, and the
# ballots with more are 废票. "for" votes over the valid ballots: c1 4 or 5, c2 3 or 4, ...
PAPER_SIX = ("ff..", "ff..", "ff..", "ff..", "f.f.", "a.ff", "fff.")  # 6 valid, 1 invalid
PAPER_FIVE = ("ff..", "ff..", "ff..", "f.f.", "..ff", "ffff")  # 5 valid, 1 invalid
PAPER_FIVE_TWO_INVALID = (*PAPER_FIVE, "fff.")  # 5 valid, 2 invalid
PAPER_TIE = ("ff..", "ff..", "f.f.", "f.f.", ".ff.", "aaaa", "f.ff")  # c2 and c3 tie
# Rating: the electronic hall; satisfied / basically satisfied per project:
# p1 6/0, p2 5/1, p3 4/1, p4 2/2.
RATING = ("ssss", "ssss", "sssb", "sssb", "ssbu", "sbuu", "uu..")

CASES = {
    "electronic-all": Case(
        "electronic", "all_deputies", **HALL, ballots=ELECTRONIC, seats=3, max_for=7
    ),
    "electronic-present": Case(
        "electronic", "present", **HALL, ballots=ELECTRONIC, seats=3, max_for=7
    ),
    "electronic-valid": Case(
        "electronic", "valid_ballots", **HALL, ballots=ELECTRONIC, seats=3, max_for=7
    ),
    "electronic-none": Case("electronic", "none", **HALL, ballots=ELECTRONIC, seats=3, max_for=7),
    # present 7 (threshold 4), 7 returned, 6 valid (4)
    "paper-all": Case("paper", "all_deputies", 11, 2, 7, 0, PAPER_SIX, seats=2, max_for=2),
    # present 6 (4) and 8 at the close (5); 6 returned, 5 valid (3)
    "paper-present": Case("paper", "present", 11, 2, 6, 2, PAPER_FIVE, seats=2, max_for=2),
    # present 8 (5); 8 issued, 7 returned (4), 2 invalid: 5 valid (3)
    "paper-valid": Case(
        "paper", "valid_ballots", 11, 2, 8, 0, PAPER_FIVE_TWO_INVALID, 2, 2, unreturned=1
    ),
    "paper-none": Case("paper", "none", 11, 2, 7, 0, PAPER_TIE, seats=2, max_for=2),
    "rating-all": Case("electronic", "all_deputies", **HALL, ballots=RATING, seats=4, max_for=4),
    "rating-present": Case("electronic", "present", **HALL, ballots=RATING, seats=4, max_for=4),
    "rating-valid": Case("electronic", "valid_ballots", **HALL, ballots=RATING, seats=4, max_for=4),
}


def codes(n: int) -> list[str]:
    return [f"D{i:04d}" for i in range(1, n + 1)]


def parse(case: Case, ids: list[str]) -> list[dict]:
    """The ballots as the deputies fill them: candidate id -> choice, unmarked left out."""
    return [
        {cid: CHOICE[m] for cid, m in zip(ids, ballot, strict=True) if m != "."}
        for ballot in case.ballots
    ]


def check_in(api, session: int, deputy_codes: list[str]) -> None:
    for code in deputy_codes:
        r = api.post(
            f"/api/v1/sessions/{session}/attendance", {"deputy_code": code}, as_="organiser"
        )
        assert r.status_code == 201, r.get_json()


def make_hall(api, case: Case, *, rating: bool) -> dict:
    """The scenario of the case loaded (with projects to rate, for a rating)."""
    data = build_scenario(
        deputies=case.roster,
        terminated=case.terminated,
        candidates=case.candidates,
        seats=case.seats,
        max_for=case.max_for,
        base=case.base,
        mode=case.mode,
    )
    if rating:
        data["projects"] = [
            {
                "key": f"p{i}",
                "title": f"项目{i}",
                "jurisdiction": data["jurisdiction"]["code"],
                "year": 2026,
                "completion": "this_year",
                "responsible_unit": "区民政局",
                "funding": {"county": "100.00"},
                "targets": [{"name": "培训", "unit": "人", "target": "2000"}],
            }
            for i in range(1, case.candidates + 1)
        ]
    ids = scenario.load(data)
    db.session.commit()
    api.login("organiser", "organiser-pass")
    return ids


def open_with_hall(api, ids: dict, vote: int, case: Case) -> list[str]:
    """Check in the present, open the vote, then check in the late; the voters' codes."""
    current = codes(case.current)  # the terminated are the last on the roll
    check_in(api, ids["session"], current[: case.present])
    r = api.post(f"/api/v1/votes/{vote}/open", as_="organiser")
    assert r.status_code == 200, r.get_json()
    check_in(api, ids["session"], current[case.present : case.present + case.late])
    return current[: case.present]


def sizes(case: Case, *, returned: int, valid: int) -> dict[str, int]:
    """The figures a base could be taken from, right or wrong."""
    return {
        "current deputies": case.current,
        "deputies on the roll": case.roster,
        "present at the opening": case.present,
        "present at the close": case.present + case.late,
        "ballots returned": returned,
        "valid ballots": valid,
    }


def assert_discriminates(decide, case: Case, *, returned: int, valid: int) -> None:
    """The case would catch a base taken from any other figure: each other figure that
    moves the threshold changes the decision."""
    right = oracle.base_size(
        case.base, current=case.current, present_at_opening=case.present, valid=valid
    )
    expected = decide(right)
    for name, size in sizes(case, returned=returned, valid=valid).items():
        if oracle.threshold(size) != oracle.threshold(right):
            assert decide(size) != expected, f"{case.base}: {name} decides alike"


@pytest.mark.parametrize("name", [k for k in CASES if not k.startswith("rating")])
def test_a_vote_on_each_base_decides_as_the_law_says(name, app, organiser, api):
    case = CASES[name]
    ids = make_hall(api, case, rating=False)
    vote = ids["votes"]["main"]
    cids = [str(ids["candidates"][f"c{i}"]) for i in range(1, case.candidates + 1)]
    ballots = parse(case, cids)
    voters = open_with_hall(api, ids, vote, case)
    if case.mode == "electronic":
        assert len(ballots) < len(voters)  # one present deputy does not vote
        for code, ballot in zip(voters, ballots, strict=False):
            api.login(code, PIN)
            r = api.post(f"/api/v1/votes/{vote}/ballots", {"choices": ballot}, as_=code)
            assert r.status_code == 201, r.get_json()
        result = api.post(f"/api/v1/votes/{vote}/close", as_="organiser").get_json()
        valid_ballots, returned = ballots, len(ballots)
    else:
        valid_ballots = [b for b in ballots if oracle.paper_ballot_valid(b, max_for=case.max_for)]
        assert 0 < len(valid_ballots) < len(ballots)  # some ballots are 废票
        returned = len(ballots)
        marks = oracle.count(valid_ballots, cids)
        totals = {
            "issued": returned + case.unreturned,
            "returned": returned,
            "invalid": returned - len(valid_ballots),
            "candidates": {
                c: {"for": m.votes_for, "against": m.against, "abstain": m.abstain}
                for c, m in marks.items()
            },
        }
        r = api.post(f"/api/v1/votes/{vote}/paper", totals, as_="organiser")
        assert r.status_code == 200, r.get_json()
        result = r.get_json()
    valid = len(valid_ballots)
    marks = oracle.count(valid_ballots, cids)
    size = oracle.base_size(
        case.base, current=case.current, present_at_opening=case.present, valid=valid
    )

    def decide(size):
        return oracle.decide(
            {c: m.votes_for for c, m in marks.items()}, seats=case.seats, size=size
        )

    assert_discriminates(decide, case, returned=returned, valid=valid)
    expected = decide(size)
    assert result["void"] is None
    assert (result["total_deputies"], result["present"]) == (case.current, case.present)
    assert (result["ballots"], result["valid_ballots"]) == (returned, valid)
    assert result["threshold"] == oracle.threshold(size)
    got = {
        str(c["id"]): (
            oracle.Marks(c["for"], c["against"], c["abstain"]),
            oracle.Outcome(c["passed"], c["rank"], c["approved"], c["tied"]),
        )
        for c in result["candidates"]
    }
    assert got == {c: (marks[c], expected[c]) for c in cids}
    places = oracle.runoff_places(expected, case.seats)
    assert (result["runoff_needed"], result["places_left"]) == (places > 0, places)


def _rating_case(api, case: Case):
    ids = make_hall(api, case, rating=True)
    projects = [ids["projects"][f"p{i}"] for i in range(1, case.candidates + 1)]
    r = api.post(
        f"/api/v1/sessions/{ids['session']}/rating-votes",
        {"title": "满意度测评", "projects": projects, "base": case.base},
        as_="organiser",
    )
    assert r.status_code == 201, r.get_json()
    vote = r.get_json()
    return ids, vote, projects


@pytest.mark.parametrize("name", [k for k in CASES if k.startswith("rating")])
def test_a_rating_on_each_base_rates_as_the_law_says(name, app, organiser, api):
    case = CASES[name]
    ids, vote, projects = _rating_case(api, case)
    cids = [str(c["id"]) for c in vote["candidates"]]
    ballots = parse(case, cids)
    voters = open_with_hall(api, ids, vote["id"], case)
    assert len(ballots) < len(voters)
    for code, ballot in zip(voters, ballots, strict=False):
        api.login(code, PIN)
        r = api.post(f"/api/v1/votes/{vote['id']}/ballots", {"choices": ballot}, as_=code)
        assert r.status_code == 201, r.get_json()
    result = api.post(f"/api/v1/votes/{vote['id']}/close", as_="organiser").get_json()
    marks = oracle.count(ballots, cids)

    def rate(size):
        return {c: oracle.rating(m, size) for c, m in marks.items()}

    valid = len(ballots)
    assert_discriminates(rate, case, returned=valid, valid=valid)
    size = oracle.base_size(
        case.base, current=case.current, present_at_opening=case.present, valid=valid
    )
    assert result["threshold"] == oracle.threshold(size)
    assert (result["total_deputies"], result["present"]) == (case.current, case.present)
    assert (result["ballots"], result["valid_ballots"]) == (valid, valid)
    got = {
        str(c["id"]): (
            oracle.Marks(c["satisfied"], c["unsatisfied"], c["abstain"], c["basically_satisfied"]),
            c["rating"],
            c["project"],
        )
        for c in result["candidates"]
    }
    expected = rate(size)
    assert got == {c: (marks[c], expected[c], p) for c, p in zip(cids, projects, strict=True)}
