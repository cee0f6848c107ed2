"""How a vote and its result are shown: JSON shapes, the rule in words, CSV."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from votesys.voting import casting, services
from votesys.voting.labels import RATING_LABELS
from votesys.voting.models import Vote
from votesys.voting.rating import rated_project_ids
from votesys.voting.rule_words import rule_text


def vote_dict(vote: Vote) -> dict[str, Any]:
    return {
        "id": vote.id,
        "session": vote.session_id,
        "title": vote.title,
        "state": vote.state,
        "mode": vote.mode,
        "seats": vote.seats,
        "max_for": vote.max_for,
        "style": vote.style,
        "base": vote.base,
        "runoff_of": vote.runoff_of_id,
        "candidates": [{"id": e.candidate_id, "title": e.candidate.title} for e in vote.entries],
        "ballots_cast": casting.ballots_cast(vote),
    }


def result_dict(vote: Vote) -> dict[str, Any]:
    runoff = services.runoff_of(vote)
    return {
        "id": vote.id,
        "title": vote.title,
        "state": vote.state,
        "mode": vote.mode,
        "base": vote.base,
        "rule": rule_text(vote),
        "seats": vote.seats,
        "max_for": vote.max_for,
        "total_deputies": vote.total_deputies,
        "present": vote.present_at_open,
        "threshold": vote.threshold,
        "ballots": vote.ballots_cast,
        "valid_ballots": vote.valid_ballots,
        "void": vote.void_reason,
        "paper": None
        if vote.mode != "paper"
        else {
            "issued": vote.paper_issued,
            "returned": vote.paper_returned,
            "invalid": vote.paper_invalid,
        },
        "candidates": [
            {
                "id": e.candidate_id,
                "title": e.candidate.title,
                **_rating_fields(vote, e),
                "for": e.votes_for,
                "against": e.votes_against,
                "abstain": e.votes_abstain,
                # A paper ballot found invalid counts for no candidate: shown beside the
                # marks, so that each row adds up to the ballots cast.
                "invalid": vote.paper_invalid if vote.mode == "paper" else None,
                "not_voted": None
                if vote.ballots_cast is None or vote.void_reason
                else vote.total_deputies - vote.ballots_cast,
                "passed": e.passed,
                "rank": e.rank,
                "approved": e.approved,
                "tied": e.tied,
            }
            for e in vote.entries
        ],
        "runoff_needed": vote.runoff_needed,
        "places_left": vote.places_left,
        "runoff_vote": runoff.id if runoff else None,
    }


def _rating_fields(vote: Vote, entry) -> dict[str, Any]:
    """A rating's counts under their own names, its rating and the project rated."""
    if vote.style != "rating":
        return {}
    return {
        "project": rated_project_ids(vote).get(entry.candidate_id),
        "satisfied": entry.votes_for,
        "basically_satisfied": entry.votes_basic,
        "unsatisfied": entry.votes_against,
        "rating": entry.rating,
    }


def result_table(vote: Vote) -> tuple[list[str], list[list[object]]]:
    """The result as a header and rows (then a blank row and the rule), for CSV and .xlsx."""
    data = result_dict(vote)
    yes, no = _("yes"), _("no")
    if vote.style == "rating":
        header = [
            _("Project"),
            _("Satisfied"),
            _("Basically satisfied"),
            _("Unsatisfied"),
            _("Not rated"),
            _("Did not vote"),
            _("Rating"),
        ]
        rows = [
            [
                c["title"],
                c["satisfied"],
                c["basically_satisfied"],
                c["unsatisfied"],
                c["abstain"],
                c["not_voted"],
                str(RATING_LABELS[c["rating"]]) if c["rating"] else "",
            ]
            for c in data["candidates"]
        ]
    else:
        paper = vote.mode == "paper"
        header = [
            _("Candidate"),
            _("For"),
            _("Against"),
            _("Abstain"),
            *([_("Invalid")] if paper else []),
            _("Did not vote"),
            _("Passed"),
            _("Rank"),
            _("Approved"),
            _("Tied, runoff needed"),
        ]
        rows = [
            [
                c["title"],
                c["for"],
                c["against"],
                c["abstain"],
                *([c["invalid"]] if paper else []),
                c["not_voted"],
                yes if c["passed"] else no,
                c["rank"] or "",
                yes if c["approved"] else no,
                yes if c["tied"] else "",
            ]
            for c in data["candidates"]
        ]
    return header, [*rows, [], [_("Rule"), data["rule"]]]
