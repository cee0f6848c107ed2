"""The rule of a vote switched to paper while open (改用纸质选票), as pure functions: the
paper part checked as a paper vote is, against the deputies who had not voted on a tablet,
and the two parts added. Used when the vote closes and by ``record_rules`` to check a
record with nothing but the record. No Flask, no database.

A record of such a vote carries, besides the electronic ballots, its paper part:
``"fallback": {"reason", "switched_at", "electronic_ballots", "paper": {"issued",
"returned", "invalid", "tally": [{"candidate", "for", "against", "abstain"}]}}``. Records
without it (every record made before) are checked as before."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from votesys.voting import rules
from votesys.voting.rules import Count, PaperTotals

# The void reason of a paper part whose ballots issued exceed the deputies left to vote.
ISSUED_EXCEEDS_UNCAST = "issued_exceeds_uncast"


def check_paper_part(
    totals: PaperTotals, *, uncast: int, style: str, max_for: int, law: Any = rules
) -> str | None:
    """Check the paper part's totals. Entry mistakes are refused as for a paper vote (input
    errors, nothing stored). Ballots issued above ``uncast`` (the deputies counted at the
    opening who had not voted on a tablet: a deputy who did cannot vote again on paper), or
    returned above issued, void the vote. Returns the void reason, or None."""
    void = law.check_paper(totals, present=uncast, style=style, max_for=max_for)
    return ISSUED_EXCEEDS_UNCAST if void == "issued_exceeds_present" else void


def added(electronic: Sequence[Count], paper: Sequence[Count]) -> list[Count]:
    """The two parts' counts added, candidate by candidate, in the electronic part's order."""
    by_id = {c.candidate_id: c for c in paper}
    if set(by_id) != {c.candidate_id for c in electronic}:
        raise ValueError("the paper part names other candidates than the ballot")
    out = []
    for e in electronic:
        p = by_id[e.candidate_id]
        out.append(
            Count(
                e.candidate_id,
                e.votes_for + p.votes_for,
                e.votes_against + p.votes_against,
                e.votes_abstain + p.votes_abstain,
                e.votes_basic + p.votes_basic,
            )
        )
    return out


# --- the record ---------------------------------------------------------------------------


def in_record(record: dict) -> bool:
    return record.get("fallback") is not None


def format_problem(record: dict) -> str | None:
    """A paper part belongs to an electronic vote, as an object."""
    if not in_record(record):
        return None
    if not isinstance(record["fallback"], dict) or record["vote"].get("mode") != "electronic":
        return "a paper part belongs to an electronic vote switched to paper"
    return None


def _part(record: dict, law: Any) -> tuple[PaperTotals, int]:
    part = record["fallback"]
    paper = part["paper"]
    counts = [
        law.Count(t["candidate"], t["for"], t["against"], t["abstain"]) for t in paper["tally"]
    ]
    totals = law.PaperTotals(paper["issued"], paper["returned"], paper["invalid"], counts)
    return totals, part["electronic_ballots"]


def void_of(record: dict, law: Any) -> str | None:
    """The void reason the paper part gives (input mistakes raise, as at entry)."""
    totals, electronic = _part(record, law)
    uncast = record["roll"]["present"] - electronic
    vote = record["vote"]
    return check_paper_part(
        totals, uncast=uncast, style=vote["style"], max_for=vote["max_for"], law=law
    )


def counts_problem(record: dict, law: Any) -> str | None:
    """The ballots, trackers and roll of a vote switched to paper add up: one tracker per
    electronic ballot, the ballots cast are the electronic ones and the paper ones
    returned, and the paper part's figures are consistent (a void part may exceed)."""
    roll, ballots, trackers = record["roll"], record["ballots"], record["trackers"]
    totals, electronic = _part(record, law)
    if not len(trackers) == len(ballots) == electronic:
        return (
            f"trackers {len(trackers)}, ballots {len(ballots)}, "
            f"electronic ballots {electronic} differ"
        )
    if len(set(trackers)) != len(trackers) or trackers != sorted(trackers):
        return "trackers repeat or are not sorted"
    if roll["ballots_cast"] != electronic + totals.returned:
        return "ballots cast differ from the electronic ballots and the paper ones returned"
    if not electronic <= roll["present"] <= roll["current_deputies"]:
        return "electronic ballots ≤ present ≤ current deputies does not hold"
    void = void_of(record, law)
    if void is None and roll["ballots_cast"] > roll["present"]:
        return "more ballots than deputies present, and the vote is not void"
    return None


def counted(record: dict, electronic: list[Count], law: Any) -> list[Count]:
    """The tally a record of a vote switched to paper must state: both parts added."""
    if not in_record(record):
        return electronic
    totals, _ = _part(record, law)
    return added(electronic, totals.counts)


def valid_ballots(record: dict, law: Any) -> int:
    totals, electronic = _part(record, law)
    return electronic + totals.valid
