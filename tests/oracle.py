"""An independent counter of the vote, written from the law's text (docs: DOMAIN.md, "The
rules that the vote must get exactly right"), not from ``votesys.voting.rules``.

The end-to-end tests compare what votesys decides with what this module decides from the
same ballots. It imports nothing from votesys on purpose: a wrong rule in the product
cannot make it agree. It is written plainly, sentence by sentence, rather than cleverly.

Ballots are given as the tests cast them: one dict per ballot, candidate -> choice, where a
choice is "for", "against", "abstain" (or, on a rating ballot, "satisfied",
"basically_satisfied", "unsatisfied"); a candidate left off a ballot is not marked.
"""

from __future__ import annotations

from dataclasses import dataclass

FOR, AGAINST, ABSTAIN = "for", "against", "abstain"
SATISFIED, BASIC, UNSATISFIED = "satisfied", "basically_satisfied", "unsatisfied"


# 法定人数: "a session may vote only when at least two-thirds of the deputies are present
# ('三分之二以上', the bound itself counts)".
def quorum_met(current: int, present: int) -> bool:
    if current <= 0:
        return False
    # present / current >= 2 / 3, in whole numbers
    return 3 * present >= 2 * current


def quorum_required(current: int) -> int:
    """The fewest deputies present that meet the quorum."""
    n = 0
    while not quorum_met(current, n):
        n += 1
    return n


# The base: "more than half of ALL deputies" (全体代表: mandate current when the vote opens),
# or, where a congress's rule says so, of those present (when the vote opened), or of the
# valid ballots; or no base at all.
def base_size(base: str, *, current: int, present_at_opening: int, valid: int) -> int | None:
    if base == "all_deputies":
        return current
    if base == "present":
        return present_at_opening
    if base == "valid_ballots":
        return valid
    if base == "none":
        return None
    raise ValueError(base)


def more_than_half(votes: int, of: int) -> bool:
    """过半数: strictly more than half."""
    return 2 * votes > of


def threshold(size: int | None) -> int | None:
    """The least number of votes that is more than half of ``size`` (None: no threshold)."""
    if size is None:
        return None
    n = 0
    while not more_than_half(n, size):
        n += 1
    return n


def paper_ballot_valid(ballot: dict, *, max_for: int) -> bool:
    """ "A ballot may carry at most K 'for' marks ... a paper one [over the limit] is counted
    invalid (废票)"."""
    return sum(1 for choice in ballot.values() if choice == FOR) <= max_for


@dataclass(frozen=True)
class Marks:
    votes_for: int = 0
    against: int = 0
    abstain: int = 0  # abstain or left unmarked
    basic: int = 0  # 基本满意, rating ballots only


def count(ballots: list[dict], candidates: list) -> dict:
    """Each candidate's marks over the (valid) ballots; unmarked counts as abstain."""
    out = {}
    for c in candidates:
        choices = [b.get(c, ABSTAIN) for b in ballots]
        out[c] = Marks(
            votes_for=sum(x in (FOR, SATISFIED) for x in choices),
            against=sum(x in (AGAINST, UNSATISFIED) for x in choices),
            abstain=sum(x == ABSTAIN for x in choices),
            basic=sum(x == BASIC for x in choices),
        )
    return out


@dataclass(frozen=True)
class Outcome:
    passed: bool
    rank: int | None
    approved: bool
    tied: bool  # goes to the runoff


def decide(votes_for: dict, *, seats: int, size: int | None) -> dict:
    """通过 then 差额: a candidate passes with more than half of the base voting for (every
    candidate, when there is no base); passing candidates are ranked by "for" votes, the
    top ``seats`` approved; "a tie that crosses the N-th place is not decided": those tied
    go to a runoff; fewer than N may pass.

    Candidate by candidate: with ``above`` passing candidates strictly ahead of it and
    ``level`` passing candidates (itself included) on its number of votes, it is approved
    when ``above + level`` fit in the places; tied when it does not fit but places are left
    after those ahead of it.
    """
    passing = {c: v for c, v in votes_for.items() if size is None or more_than_half(v, size)}
    out = {}
    for c, v in votes_for.items():
        if c not in passing:
            out[c] = Outcome(False, None, False, False)
            continue
        above = sum(1 for w in passing.values() if w > v)
        level = sum(1 for w in passing.values() if w == v)
        fits = above + level <= seats
        out[c] = Outcome(True, above + 1, fits, not fits and above < seats)
    return out


def runoff_places(outcomes: dict, seats: int) -> int:
    """The places the runoff is for: those not filled by the approved (0: no runoff)."""
    if not any(o.tied for o in outcomes.values()):
        return 0
    return seats - sum(o.approved for o in outcomes.values())


def rating(marks: Marks, size: int) -> str:
    """满意度测评: 满意 when more than half of the base are satisfied; otherwise 基本满意 when
    satisfied and basically satisfied together are more than half; otherwise 不满意."""
    if more_than_half(marks.votes_for, size):
        return SATISFIED
    if more_than_half(marks.votes_for + marks.basic, size):
        return BASIC
    return UNSATISFIED
