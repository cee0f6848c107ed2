"""The law of the vote as pure functions: quorum, passage threshold, ballot checks, selection.

Nothing here touches Flask or the database, so every rule can be tested at its edges alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from flask_babel import lazy_gettext as _l

from votesys.errors import InvalidInput, invalid


class BallotStyle(StrEnum):
    PER_CANDIDATE = "per_candidate"
    APPROVAL = "approval"
    RATING = "rating"  # 满意度测评: each project rated 满意 / 基本满意 / 不满意


class PassageBase(StrEnum):
    ALL_DEPUTIES = "all_deputies"
    PRESENT = "present"
    VALID_BALLOTS = "valid_ballots"
    NONE = "none"


class VoteMode(StrEnum):
    ELECTRONIC = "electronic"
    PAPER = "paper"


# The allowed values, once: their labels are voting.labels' (STYLE_LABELS, …).
STYLES = tuple(BallotStyle)
BASES = tuple(PassageBase)
MODES = tuple(VoteMode)
FOR, AGAINST, ABSTAIN = "for", "against", "abstain"
CHOICES = (FOR, AGAINST, ABSTAIN)
MARK_OF = {FOR: "F", AGAINST: "A", ABSTAIN: "N"}
CHOICE_OF = {v: k for k, v in MARK_OF.items()}
# 满意度测评: a rating ballot marks each project 满意 S, 基本满意 B or 不满意 U (N: not rated).
# Counted, 满意 goes in the "for" column, 不满意 in "against", 基本满意 in its own.
SATISFIED, BASIC, UNSATISFIED = "satisfied", "basically_satisfied", "unsatisfied"
RATINGS = (SATISFIED, BASIC, UNSATISFIED)
RATING_CHOICES = (*RATINGS, ABSTAIN)
RATING_MARK_OF = {SATISFIED: "S", BASIC: "B", UNSATISFIED: "U", ABSTAIN: "N"}


def allowed_marks(style: str) -> set[str]:
    """The letters a ballot of this style may hold."""
    if style == "rating":
        return set(RATING_MARK_OF.values())
    return {"F", "N"} if style == "approval" else {"F", "A", "N"}


def passage_threshold(base: str, *, total: int, present: int, valid: int) -> int | None:
    """通过: the least number of "for" votes that passes, or None when the base sets none.

    More than half ("过半数", strictly) of the base: all current deputies, those present when
    the vote opened, or the valid ballots.
    """
    if base == "none":
        return None
    denominator = {"all_deputies": total, "present": present, "valid_ballots": valid}[base]
    return denominator // 2 + 1


def base_size(base: str, *, total: int, present: int, valid: int) -> int:
    """The number a vote's counts are shown as a share of: its base (all current deputies,
    those present at the opening, the valid ballots); a vote without a base, the valid
    ballots."""
    return {"all_deputies": total, "present": present}.get(base, valid)


def percent(count: int | None, of: int | None) -> str | None:
    """``count`` as a share of ``of`` in per cent, one decimal, rounded half up ("58.3");
    None when there is nothing to share (no count, or a base of 0)."""
    if count is None or not of:
        return None
    return str((Decimal(count) * 100 / Decimal(of)).quantize(Decimal("0.1"), ROUND_HALF_UP))


def ballot_marks(
    choices: Mapping[object, object],
    candidate_ids: Sequence[int],
    *,
    style: str,
    max_for: int,
) -> str:
    """Check one electronic ballot and encode it as one mark letter per ballot position.

    A candidate left out counts as abstain (not-for on an approval ballot). A ballot with
    more than ``max_for`` "for" marks is refused before it is cast.
    """
    position = {cid: i for i, cid in enumerate(candidate_ids)}
    marks = ["N"] * len(candidate_ids)
    count_for = 0
    for raw_key, raw_choice in choices.items():
        cid = candidate_key(raw_key)
        if cid is None or cid not in position:
            raise InvalidInput("unknown_candidate", candidate=str(raw_key)[:40])
        if style == "rating":
            if not isinstance(raw_choice, str) or raw_choice not in RATING_CHOICES:
                raise InvalidInput("bad_rating", choice=str(raw_choice)[:40])
            marks[position[cid]] = RATING_MARK_OF[raw_choice]
            continue
        if not isinstance(raw_choice, str) or raw_choice not in CHOICES:
            raise InvalidInput("bad_choice", choice=str(raw_choice)[:40])
        if style == "approval" and raw_choice != FOR:
            raise InvalidInput("approval_for_only")
        marks[position[cid]] = MARK_OF[raw_choice]
        count_for += raw_choice == FOR
    if count_for > max_for:
        raise InvalidInput("too_many_for", max_for=max_for, count=count_for)
    return "".join(marks)


def candidate_key(raw: object) -> int | None:
    """Candidate ids arrive as JSON object keys, i.e. strings of digits, written the one
    way an id is written: "39", never "039" or "+39" (two keys must not name one candidate)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if (
        isinstance(raw, str)
        and raw.isascii()
        and raw.isdigit()
        and len(raw) < 19
        and str(int(raw)) == raw
    ):
        return int(raw)
    return None


@dataclass(frozen=True)
class Count:
    """A candidate's counted marks. On a rating ballot, for = 满意, against = 不满意 and
    basic = 基本满意."""

    candidate_id: int
    votes_for: int
    votes_against: int
    votes_abstain: int
    votes_basic: int = 0


def tally(marks: Iterable[str], candidate_ids: Sequence[int]) -> list[Count]:
    """Count ballots (mark strings) per candidate, in ballot order."""
    n = len(candidate_ids)
    fors, againsts, abstains, basics = [0] * n, [0] * n, [0] * n, [0] * n
    for ballot in marks:
        for i, mark in enumerate(ballot):
            if mark in ("F", "S"):
                fors[i] += 1
            elif mark in ("A", "U"):
                againsts[i] += 1
            elif mark == "B":
                basics[i] += 1
            else:
                abstains[i] += 1
    return [
        Count(cid, fors[i], againsts[i], abstains[i], basics[i])
        for i, cid in enumerate(candidate_ids)
    ]


def rate(counts: Sequence[Count], *, threshold: int | None) -> dict[int, str]:
    """满意度测评: each project's rating from its counts (see ``rating_of``)."""
    return {c.candidate_id: rating_of(c.votes_for, c.votes_basic, threshold) for c in counts}


@dataclass(frozen=True)
class Decision:
    """One candidate's outcome."""

    candidate_id: int
    passed: bool
    rank: int | None
    approved: bool
    tied: bool


@dataclass(frozen=True)
class SelectionResult:
    """差额 selection: who passed, their ranks, who is approved, and any runoff."""

    decisions: list[Decision]
    threshold: int | None
    runoff_needed: bool
    places_left: int

    @property
    def approved_ids(self) -> list[int]:
        return [d.candidate_id for d in self.decisions if d.approved]

    @property
    def tied_ids(self) -> list[int]:
        return [d.candidate_id for d in self.decisions if d.tied]


def select(counts: Sequence[Count], *, seats: int, threshold: int | None) -> SelectionResult:
    """Rank passing candidates by "for" votes and approve the top ``seats``.

    Candidates with equal "for" votes share a rank (1, 2, 2, 4). A tie group that fits
    within the places is approved whole; a tie group that crosses the last place is not
    decided here: those candidates are marked tied and go to a runoff for the places left.
    Fewer than ``seats`` may pass; then fewer are approved.
    """
    passing = [c for c in counts if threshold is None or c.votes_for >= threshold]
    passing.sort(key=lambda c: -c.votes_for)
    outcome: dict[int, Decision] = {}
    approved = 0
    runoff_needed = False
    i = 0
    while i < len(passing):
        group = [c for c in passing[i:] if c.votes_for == passing[i].votes_for]
        rank = i + 1
        # Places are filled in rank order; once a group does not fit, nobody below it can.
        fits = not runoff_needed and approved + len(group) <= seats
        crosses = not fits and not runoff_needed and approved < seats
        for c in group:
            outcome[c.candidate_id] = Decision(c.candidate_id, True, rank, fits, crosses)
        if fits:
            approved += len(group)
        runoff_needed = runoff_needed or crosses
        i += len(group)
    decisions = [
        outcome.get(c.candidate_id, Decision(c.candidate_id, False, None, False, False))
        for c in counts
    ]
    places_left = seats - approved if runoff_needed else 0
    return SelectionResult(decisions, threshold, runoff_needed, places_left)


@dataclass(frozen=True)
class PaperTotals:
    """The counted totals of a paper vote, as the tellers report them."""

    issued: int
    returned: int
    invalid: int
    counts: Sequence[Count]

    @property
    def valid(self) -> int:
        return self.returned - self.invalid


def check_paper(totals: PaperTotals, *, present: int, style: str, max_for: int) -> str | None:
    """Check paper totals. Returns a void reason, or None when the vote stands.

    Entry mistakes (negative numbers, per-candidate counts that do not add up to the valid
    ballots) are refused as input errors: nothing is stored. More ballots returned than
    issued, or issued than deputies present, voids the vote, as election practice has it.
    """
    for field in ("issued", "returned", "invalid"):
        if getattr(totals, field) < 0:
            raise invalid(field, _l("must not be negative"))
    if totals.invalid > totals.returned:
        raise invalid("invalid", _l("cannot exceed the ballots returned"))
    for c in totals.counts:
        if min(c.votes_for, c.votes_against, c.votes_abstain) < 0:
            raise invalid(f"candidates[{c.candidate_id}]", _l("must not be negative"))
        if style == "approval" and c.votes_against:
            raise invalid(f"candidates[{c.candidate_id}].against", _l("approval ballots have none"))
        if c.votes_for + c.votes_against + c.votes_abstain != totals.valid:
            raise invalid(
                f"candidates[{c.candidate_id}]",
                _l("for + against + abstain must equal the %(n)s valid ballots", n=totals.valid),
            )
    if sum(c.votes_for for c in totals.counts) > max_for * totals.valid:
        raise invalid(
            "candidates", _l("more “for” marks than %(k)s per valid ballot allow", k=max_for)
        )
    if totals.returned > totals.issued:
        return "returned_exceeds_issued"
    if totals.issued > present:
        return "issued_exceeds_present"
    return None


def rating_of(satisfied: int, basic: int, threshold: int | None) -> str:
    """满意度测评: 满意 when the 满意 votes reach ``threshold`` (more than half of the base);
    else 基本满意 when 满意 + 基本满意 reach it; else 不满意. Exactly half is not enough.

    ``threshold`` is the voting rule's ``passage_threshold`` (base // 2 + 1). A rating vote
    always has a base, so None is refused.
    """
    if threshold is None:
        raise ValueError("a rating needs a base")
    if satisfied >= threshold:
        return SATISFIED
    if satisfied + basic >= threshold:
        return BASIC
    return UNSATISFIED
