"""Counting: closing an electronic vote (tally, rule, seal, record), a paper vote's totals,
and the decision applied to the counts. Flush only."""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, insert, select, update

from votesys import fields
from votesys.database import truncate_wal_after_commit
from votesys.errors import Conflict, InvalidInput, invalid
from votesys.extensions import db
from votesys.integrity.services import audit
from votesys.models_base import utcnow
from votesys.voting import ballot_box, paper_part, rules, services
from votesys.voting.labels import STATE_LABELS
from votesys.voting.models import (
    Ballot,
    RollEntry,
    Vote,
    VoteState,
)
from votesys.voting.record import write_record
from votesys.voting.rules import BallotStyle, VoteMode


def close_vote(vote: Vote) -> Vote:
    """Close an electronic vote, count its ballots and apply the rule."""
    if vote.mode == VoteMode.PAPER:
        raise Conflict("paper_vote")
    services.require_state(vote, VoteState.OPEN)
    if vote.fallback_at is not None:  # switched to paper: its totals must be in effect first
        paper_part.effective_entry(vote)
    # The conditional update takes the vote row's lock: it waits for casts in flight and
    # makes later casts see "closed". Two organisers closing at once: one wins.
    done = db.session.execute(
        update(Vote)
        .where(Vote.id == vote.id, Vote.state == VoteState.OPEN)
        .values(state=VoteState.CLOSED, closed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        raise Conflict("wrong_state", state=STATE_LABELS["closed"], needed=STATE_LABELS["open"])
    db.session.refresh(vote)
    if vote.practice:
        return _close_practice(vote)
    stored = list(db.session.scalars(select(Ballot.marks).where(Ballot.vote_id == vote.id)))
    marks = ballot_box.unseal_all(vote, stored)
    roll = db.session.scalar(select(func.count()).where(RollEntry.vote_id == vote.id))
    if roll != len(marks):  # one transaction writes both, so this never happens
        raise RuntimeError("roll and ballots disagree")
    counts = rules.tally(marks, services.candidate_ids(vote))
    ballots = valid = len(marks)
    void = None
    if vote.fallback_at is not None:  # 改用纸质选票: the tellers' paper part added
        counts, ballots, valid, void = paper_part.add_paper_part(vote, counts, len(marks))
    if void:
        _record_void(vote, counts, void, ballots=ballots, valid=valid)
    else:
        _apply_decision(vote, counts, ballots=ballots, valid=valid)
    _seal(vote.id, marks)
    ballot_box.destroy_after_commit(vote)
    audit("vote_closed", f"vote:{vote.id}", ballots=len(marks), **_paper_audit(vote, ballots, void))
    write_record(vote)
    return vote


def _close_practice(vote: Vote) -> Vote:
    """试投票 closed: how many tablets cast is kept; the ballots, never counted, are dropped
    unopened with the ballot box's key. No decision, no record, nothing to publish."""
    roll = db.session.scalar(select(func.count()).where(RollEntry.vote_id == vote.id))
    db.session.execute(delete(Ballot).where(Ballot.vote_id == vote.id))
    vote.ballots_cast = roll
    ballot_box.destroy_after_commit(vote)
    db.session.flush()
    audit("practice_closed", f"vote:{vote.id}", ballots=roll, present=vote.present_at_open)
    return vote


def _seal(vote_id: int, marks: list[str]) -> None:
    """Write the closed vote's ballots anew, in the clear, under fresh random ids, in a
    random order, in the closing transaction.

    While a vote is open, a ballot row and the roll row cast with it share a transaction id
    (PostgreSQL's ``xmin``) and sit on disk in the order of casting; that is why they hold
    their marks sealed to the ballot box (``voting.ballot_box``). Rewritten at close, every
    ballot carries the closing transaction's id, which no roll row has, an id no cast saw,
    and lies in an order that says nothing about the roll's. On SQLite the ballots table has
    no rowid and deleted rows are overwritten (``secure_delete``). See docs/security.md.
    """
    shuffled = list(marks)
    secrets.SystemRandom().shuffle(shuffled)
    db.session.execute(delete(Ballot).where(Ballot.vote_id == vote_id))
    if shuffled:  # multi-row VALUES insert rows in list order: the heap follows the shuffle
        db.session.execute(
            insert(Ballot),
            [{"id": secrets.token_hex(16), "vote_id": vote_id, "marks": m} for m in shuffled],
        )
    truncate_wal_after_commit(db.session())
    db.session.expire_all()


def paper_totals(
    vote: Vote,
    issued: int,
    returned: int,
    invalid_ballots: int,
    counts: Mapping[int, Mapping[str, int]],
) -> rules.PaperTotals:
    """The tellers' totals as the rules read them: counts for every candidate of the ballot,
    in its order, and no others (422 otherwise)."""
    ids = services.candidate_ids(vote)
    if set(counts) != set(ids):
        raise invalid("candidates", _l("give counts for every candidate on the ballot, no others"))
    rows = [
        rules.Count(cid, counts[cid]["for"], counts[cid]["against"], counts[cid]["abstain"])
        for cid in ids
    ]
    return rules.PaperTotals(issued, returned, invalid_ballots, rows)


def enter_paper_totals(
    vote: Vote,
    *,
    issued: int,
    returned: int,
    invalid_ballots: int,
    counts: Mapping[int, Mapping[str, int]],
) -> Vote:
    """Record the tellers' totals of a paper vote, check them, and close the vote."""
    ensure_paper_entry(vote)
    totals = paper_totals(vote, issued, returned, invalid_ballots, counts)
    rows = totals.counts
    void = rules.check_paper(
        totals, present=vote.present_at_open, style=vote.style, max_for=vote.max_for
    )
    vote.paper_issued, vote.paper_returned, vote.paper_invalid = issued, returned, invalid_ballots
    vote.state = VoteState.CLOSED
    vote.closed_at = utcnow()
    if void:
        _record_void(vote, rows, void, ballots=returned, valid=totals.valid)
    else:
        _apply_decision(vote, rows, ballots=returned, valid=totals.valid)
    audit(
        "paper_totals_entered",
        f"vote:{vote.id}",
        issued=issued,
        returned=returned,
        invalid=invalid_ballots,
        void=void,
        counts={str(c.candidate_id): [c.votes_for, c.votes_against, c.votes_abstain] for c in rows},
    )
    write_record(vote)
    return vote


def _record_void(
    vote: Vote, counts: list[rules.Count], void: str, *, ballots: int, valid: int
) -> None:
    """A void vote: the reason, the ballots and the counts stand; no decision."""
    vote.void_reason = void
    vote.ballots_cast, vote.valid_ballots = ballots, valid
    for entry, count in zip(vote.entries, counts, strict=True):  # the tellers' counts stand
        entry.votes_for = count.votes_for
        entry.votes_against = count.votes_against
        entry.votes_abstain = count.votes_abstain
    db.session.flush()


def _paper_audit(vote: Vote, ballots: int, void: str | None) -> dict:
    """A vote switched to paper: the audit entry of its close names both parts."""
    if vote.fallback_at is None:
        return {}
    return {"paper": vote.paper_returned, "total": ballots, "void": void}


def ensure_paper_entry(vote: Vote) -> None:
    """Paper totals are taken for an open paper vote only."""
    if vote.mode != VoteMode.PAPER:
        raise Conflict("electronic_vote")
    services.require_state(vote, VoteState.OPEN)


def _apply_decision(vote: Vote, counts: list[rules.Count], *, ballots: int, valid: int) -> None:
    threshold = rules.passage_threshold(
        vote.base, total=vote.total_deputies, present=vote.present_at_open, valid=valid
    )
    if vote.style == BallotStyle.RATING:
        _apply_rating(vote, counts, threshold, ballots=ballots, valid=valid)
        return
    result = rules.select(counts, seats=vote.seats, threshold=threshold)
    by_id = {c.candidate_id: c for c in counts}
    decided = {d.candidate_id: d for d in result.decisions}
    for entry in vote.entries:
        count, decision = by_id[entry.candidate_id], decided[entry.candidate_id]
        entry.votes_for = count.votes_for
        entry.votes_against = count.votes_against
        entry.votes_abstain = count.votes_abstain
        entry.passed, entry.rank = decision.passed, decision.rank
        entry.approved, entry.tied = decision.approved, decision.tied
    vote.ballots_cast, vote.valid_ballots = ballots, valid
    vote.threshold = threshold
    vote.runoff_needed = result.runoff_needed
    vote.places_left = result.places_left
    db.session.flush()


def _apply_rating(
    vote: Vote, counts: list[rules.Count], threshold: int | None, *, ballots: int, valid: int
) -> None:
    """满意度测评: each project's counts and rating; no passage, ranks or places."""
    ratings = rules.rate(counts, threshold=threshold)
    by_id = {c.candidate_id: c for c in counts}
    for entry in vote.entries:
        count = by_id[entry.candidate_id]
        entry.votes_for = count.votes_for
        entry.votes_against = count.votes_against
        entry.votes_abstain = count.votes_abstain
        entry.votes_basic = count.votes_basic
        entry.rating = ratings[entry.candidate_id]
    vote.ballots_cast, vote.valid_ballots = ballots, valid
    vote.threshold = threshold
    vote.runoff_needed, vote.places_left = False, 0
    db.session.flush()


def parse_paper_counts(raw: object, vote: Vote) -> dict[int, dict[str, int]]:
    """Per-candidate paper counts from {candidate_id: {"for", "against", "abstain"}}."""
    if not isinstance(raw, Mapping):
        raise invalid("candidates", _l("an object keyed by candidate id"))
    counts: dict[int, dict[str, int]] = {}
    ids = set(services.candidate_ids(vote))
    for key, value in raw.items():
        cid = rules.candidate_key(key)
        if cid is None or cid not in ids:
            raise InvalidInput("unknown_candidate", candidate=str(key)[:40])
        if not isinstance(value, Mapping):
            raise invalid(f"candidates[{cid}]", _l("an object with for, against, abstain"))
        counts[cid] = {
            word: fields.integer(value.get(word, 0), f"candidates[{cid}].{word}")
            for word in rules.CHOICES
        }
    return counts
