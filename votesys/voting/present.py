"""How a vote and its result are shown: JSON shapes, the rule in words, CSV."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import inspect, select
from sqlalchemy.orm.attributes import set_committed_value

from votesys.extensions import db
from votesys.voting import casting, countdown, jurisdiction_rules, paper_part, rules, services
from votesys.voting.labels import RATING_LABELS
from votesys.voting.models import Candidate, Vote, VoteCandidate
from votesys.voting.rating import rated_project_ids
from votesys.voting.rule_words import rule_text


def entries_with_candidates(vote: Vote) -> list[VoteCandidate]:
    """The vote's entries in ballot order, each with its candidate: the entries (unless
    loaded) and then the candidates not yet loaded in one statement, whatever their number,
    instead of one statement a candidate. What selectinload would do, but also for entries a
    caller has already loaded (a view's vote, or one just closed)."""
    entries = vote.entries
    missing = [e for e in entries if "candidate" in inspect(e).unloaded]
    if missing:
        ids = [e.candidate_id for e in missing]
        found = {
            c.id: c for c in db.session.scalars(select(Candidate).where(Candidate.id.in_(ids)))
        }
        for entry in missing:  # as if loaded with the entry: no change to flush
            set_committed_value(entry, "candidate", found.get(entry.candidate_id))
    return entries


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
        "practice": vote.practice,
        "candidates": [
            {"id": e.candidate_id, "title": e.candidate.title}
            for e in entries_with_candidates(vote)
        ],
        "ballots_cast": casting.ballots_cast(vote),
        **countdown.as_dict(vote),  # the time limit, if any: closes_at and seconds_left
        "rule_exception": jurisdiction_rules.exception_dict(vote),  # or None
    }


def not_voted_dict(vote: Vote, deputies: list) -> dict[str, Any]:
    """Who has not voted: the desk's list and the API's answer (names, never choices)."""
    return {
        "vote_id": vote.id,
        "state": vote.state,
        "present_at_open": vote.present_at_open,
        "ballots_cast": casting.ballots_cast(vote),
        "not_voted": [
            {"code": d.code, "name": d.name, "delegation": d.delegation} for d in deputies
        ],
    }


def base_size_of(vote: Vote) -> int | None:
    """What the vote's percentages are of (rules.base_size), once it is counted."""
    if vote.ballots_cast is None or vote.void_reason:
        return None
    return rules.base_size(
        vote.base,
        total=vote.total_deputies or 0,
        present=vote.present_at_open or 0,
        valid=vote.valid_ballots or 0,
    )


def percents(row: Mapping[str, Any], of: int | None) -> dict[str, str | None]:
    """Each count of a result row as a share of the base (rules.percent): computed here,
    once, for the API, the desk and public pages, the hall and the CSV alike."""
    names = ("satisfied", "basically_satisfied", "unsatisfied") if "rating" in row else ()
    names = names or ("for", "against", "abstain")
    return {name: rules.percent(row[name], of) for name in names}


def result_dict(vote: Vote) -> dict[str, Any]:
    runoff = services.runoff_of(vote)
    size = base_size_of(vote)
    out = {
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
        if vote.mode != "paper" and vote.paper_issued is None  # paper vote, or paper part
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
                "invalid": vote.paper_invalid,  # None unless counted on paper (or in part)
                "not_voted": None
                if vote.ballots_cast is None or vote.void_reason
                else vote.total_deputies - vote.ballots_cast,
                "passed": e.passed,
                "rank": e.rank,
                "approved": e.approved,
                "tied": e.tied,
            }
            for e in entries_with_candidates(vote)
        ],
        "runoff_needed": vote.runoff_needed,
        "places_left": vote.places_left,
        "runoff_vote": runoff.id if runoff else None,
        "base_size": size,
        **paper_part.result_fields(vote),  # electronic_ballots, paper_ballots, fallback
    }
    for row in out["candidates"]:
        row["percent"] = percents(row, size)
    return out


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
            # Each count's share of the base (result_dict's "percent"), after the counts'
            # columns so that those keep their places.
            _("Satisfied (%)"),
            _("Basically satisfied (%)"),
            _("Unsatisfied (%)"),
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
                *_shares(c, ("satisfied", "basically_satisfied", "unsatisfied")),
            ]
            for c in data["candidates"]
        ]
    else:
        paper = vote.mode == "paper" or vote.paper_issued is not None  # or a paper part
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
            _("For (%)"),
            _("Against (%)"),
            _("Abstain (%)"),
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
                *_shares(c, ("for", "against", "abstain")),
            ]
            for c in data["candidates"]
        ]
    return header, [*rows, [], [_("Rule"), data["rule"]], *paper_part.table_rows(data)]


def _shares(row: dict[str, Any], names: tuple[str, ...]) -> list[str]:
    return [row["percent"][name] or "" for name in names]
