"""A vote's paper totals as the count, the pages and the record read them: the entry that is
in effect (四眼: confirmed by a scrutineer where the session has scrutineers), whether one
awaits confirmation, and the paper part of a vote switched to paper (改用纸质选票) added to
its electronic ballots at the close. Entering and confirming are ``voting.fallback``'s."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from votesys.congress.models import Deputy
from votesys.errors import Conflict
from votesys.extensions import db
from votesys.voting import fallback_rules
from votesys.voting.models import Vote, VoteState
from votesys.voting.paper_models import PaperEntry
from votesys.voting.rules import Count, PaperTotals
from votesys.voting.scrutiny_models import Scrutiny


def entry_of(vote: Vote) -> PaperEntry | None:
    return db.session.get(PaperEntry, vote.id)


def has_scrutineers(session_id: int) -> bool:
    """A session with a scrutiny row has scrutineers: its paper totals need four eyes."""
    return db.session.get(Scrutiny, session_id) is not None


def paper_awaiting(vote: Vote) -> bool:
    """Do this open vote's paper totals wait for a scrutineer's confirmation? (The
    scrutineers' page links to /tablet/votes/<id>/paper when they do.)"""
    if vote.state != VoteState.OPEN:
        return False
    entry = entry_of(vote)
    return entry is not None and not entry.effective


def fallen_back(vote: Vote) -> bool:
    return vote.fallback_at is not None


def counts_of(entry: PaperEntry, candidate_ids: list[int]) -> list[Count]:
    """The entry's per-candidate counts, in ballot order."""
    return [Count(cid, *entry.counts[str(cid)]) for cid in candidate_ids]


def effective_entry(vote: Vote) -> PaperEntry:
    """The paper totals the count may use: entered, and confirmed where four eyes apply."""
    entry = entry_of(vote)
    if entry is None:
        raise Conflict("paper_totals_missing")
    if not entry.effective:
        raise Conflict("paper_not_confirmed")
    return entry


def add_paper_part(
    vote: Vote, electronic: list[Count], cast: int
) -> tuple[list[Count], int, int, str | None]:
    """At the close of a vote switched to paper: its effective paper totals checked against
    the deputies who had not voted on a tablet (``cast`` did) and added to the electronic
    ``electronic`` counts. Returns the counts, the ballots, the valid ballots and the void
    reason (None when the vote stands)."""
    entry = effective_entry(vote)
    ids = [c.candidate_id for c in electronic]
    paper = counts_of(entry, ids)
    totals = PaperTotals(entry.issued, entry.returned, entry.invalid, paper)
    void = fallback_rules.check_paper_part(
        totals, uncast=(vote.present_at_open or 0) - cast, style=vote.style, max_for=vote.max_for
    )
    vote.paper_issued, vote.paper_returned = entry.issued, entry.returned
    vote.paper_invalid = entry.invalid
    counts = fallback_rules.added(electronic, paper)
    return counts, cast + entry.returned, cast + totals.valid, void


def parts(vote: Vote) -> tuple[int | None, int | None]:
    """(electronic ballots, paper ballots) of a counted vote; (None, None) before."""
    if vote.ballots_cast is None or vote.practice:
        return None, None
    paper = vote.paper_returned or 0
    return vote.ballots_cast - paper, paper


def result_fields(vote: Vote) -> dict[str, Any]:
    """The result's two parts: ``electronic_ballots`` and ``paper_ballots`` for every vote,
    and for a vote switched to paper, when and why, and its paper part per candidate."""
    electronic, paper = parts(vote)
    fallback = None
    if fallen_back(vote):
        entry = entry_of(vote)
        fallback = {
            "reason": vote.fallback_reason,
            "switched_at": vote.fallback_at.isoformat(timespec="seconds") + "Z",
            "paper_candidates": None
            if entry is None or not entry.effective or vote.ballots_cast is None
            else [
                {
                    "id": c.candidate_id,
                    "for": c.votes_for,
                    "against": c.votes_against,
                    "abstain": c.votes_abstain,
                }
                for c in counts_of(entry, [e.candidate_id for e in vote.entries])
            ],
        }
    return {"electronic_ballots": electronic, "paper_ballots": paper, "fallback": fallback}


def record_fields(vote: Vote) -> dict[str, Any]:
    """The paper part in the election record (fallback_rules says its shape); nothing for a
    vote that was not switched to paper, so its record is as before."""
    if not fallen_back(vote):
        return {}
    entry = effective_entry(vote)
    electronic, _paper = parts(vote)
    return {
        "fallback": {
            "reason": vote.fallback_reason,
            "switched_at": vote.fallback_at.isoformat(timespec="seconds") + "Z",
            "electronic_ballots": electronic,
            "paper": {
                "issued": entry.issued,
                "returned": entry.returned,
                "invalid": entry.invalid,
                "tally": [
                    {
                        "candidate": c.candidate_id,
                        "for": c.votes_for,
                        "against": c.votes_against,
                        "abstain": c.votes_abstain,
                    }
                    for c in counts_of(entry, [e.candidate_id for e in vote.entries])
                ],
            },
        }
    }


def table_rows(result: dict[str, Any]) -> list[list[object]]:
    """The CSV's lines of a vote switched to paper: its two parts, and the paper part per
    candidate."""
    fallback = result.get("fallback")
    if not fallback:
        return []
    rows: list[list[object]] = [
        [],
        [_("Switched to paper ballots"), fallback["reason"]],
        [_("Ballots on tablets"), result["electronic_ballots"]],
        [_("Ballots on paper"), result["paper_ballots"]],
    ]
    if fallback["paper_candidates"]:
        titles = {c["id"]: c["title"] for c in result["candidates"]}
        rows.append([_("Paper part"), _("For"), _("Against"), _("Abstain")])
        rows += [
            [titles[c["id"]], c["for"], c["against"], c["abstain"]]
            for c in fallback["paper_candidates"]
        ]
    return rows


def status_dict(vote: Vote, to_issue: int | None) -> dict[str, Any]:
    """Where a vote's paper totals stand, for the desk, the scrutineer's page and the API:
    none entered, pending a scrutineer's confirmation, or in effect; the entry's figures."""
    entry = entry_of(vote)
    status = "none" if entry is None else ("effective" if entry.effective else "pending")
    if vote.mode == "paper" and vote.state != VoteState.OPEN and entry is None:
        status = "effective"  # counted as entered, before four eyes (or without them)
    out: dict[str, Any] = {
        "vote_id": vote.id,
        "state": vote.state,
        "mode": vote.mode,
        "fallback": None
        if not fallen_back(vote)
        else {
            "reason": vote.fallback_reason,
            "switched_at": vote.fallback_at.isoformat(timespec="seconds") + "Z",
        },
        "four_eyes": has_scrutineers(vote.session_id),
        "paper_ballots_to_issue": to_issue,
        "status": status,
        "entry": None,
    }
    if entry is not None:
        confirmer = db.session.get(Deputy, entry.confirmed_by) if entry.confirmed_by else None
        titles = {e.candidate_id: e.candidate.title for e in vote.entries}
        out["entry"] = {
            "revision": entry.revision,
            "issued": entry.issued,
            "returned": entry.returned,
            "invalid": entry.invalid,
            "candidates": [
                {
                    "id": c.candidate_id,
                    "title": titles[c.candidate_id],
                    "for": c.votes_for,
                    "against": c.votes_against,
                    "abstain": c.votes_abstain,
                }
                for c in counts_of(entry, list(titles))
            ],
            "entered_by": entry.entered_by_name,
            "entered_at": entry.entered_at.isoformat(timespec="seconds") + "Z",
            "confirmed_by": None
            if confirmer is None
            else {"code": confirmer.code, "name": confirmer.name},
            "confirmed_at": None
            if entry.confirmed_at is None
            else entry.confirmed_at.isoformat(timespec="seconds") + "Z",
        }
    return out
