"""Paper when tablets fail (改用纸质选票), and the four eyes on paper totals (四眼原则).

During an open electronic vote the organiser switches it to paper: casting stops at once
(the casting check reads ``votes.fallback_at`` with the state, and the switch takes the
vote's row as a close does: a cast racing it is counted on its tablet or refused, never
both, never lost). The deputies counted at the opening who had not voted on a tablet are
given paper ballots; the tellers' totals of those are entered here; closing the vote adds
them to the electronic ballots (``counting.close_vote``, ``paper_part``).

Paper totals, of a paper vote or of a paper part, are entered by one person and take effect
only when a scrutineer of the session (another person) confirms them; where the session has
no scrutineers they take effect at once, as before. A correction before the confirmation
replaces the entry (its revision goes up); each step is audited. Flush only."""

from __future__ import annotations

from collections.abc import Mapping

from flask import g, has_request_context
from flask_login import current_user
from sqlalchemy import update

from votesys import fields
from votesys.congress.models import Deputy
from votesys.errors import Conflict, Forbidden
from votesys.extensions import db
from votesys.integrity.services import audit, current_actor
from votesys.models_base import utcnow
from votesys.voting import casting, counting, fallback_rules, paper_part, rules, services
from votesys.voting.labels import STATE_LABELS
from votesys.voting.models import Vote, VoteState
from votesys.voting.paper_models import PaperEntry
from votesys.voting.rules import BallotStyle, VoteMode
from votesys.voting.scrutiny_models import Scrutineer

MAX_REASON = 500


def switch_to_paper(vote: Vote, reason: object) -> Vote:
    """Switch an open electronic vote to paper, with the reason; casting stops at once."""
    if vote.practice:
        raise Conflict("practice_vote")
    if vote.mode == VoteMode.PAPER:
        raise Conflict("paper_vote")
    if vote.style == BallotStyle.RATING:
        raise Conflict("rating_on_tablets")
    services.require_state(vote, VoteState.OPEN)
    if vote.fallback_at is not None:
        raise Conflict("already_fallen_back")
    reason = fields.text(reason, "reason", MAX_REASON)
    # The conditional update takes the vote's row (PostgreSQL: it waits for the casts whose
    # check holds it FOR SHARE, and later checks see the switch; SQLite: the write lock).
    done = db.session.execute(
        update(Vote)
        .where(Vote.id == vote.id, Vote.state == VoteState.OPEN, Vote.fallback_at.is_(None))
        .values(fallback_at=utcnow(), fallback_reason=reason)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(vote)
    if done.rowcount != 1:
        services.require_state(vote, VoteState.OPEN)
        raise Conflict("already_fallen_back")
    cast = casting.ballots_cast(vote)
    audit(
        "vote_fallback",
        f"vote:{vote.id}",
        reason=reason,
        electronic=cast,
        paper_to_issue=uncast(vote),
    )
    return vote


def uncast(vote: Vote) -> int:
    """How many paper ballots may be issued: the deputies counted at the opening who have
    not voted on a tablet."""
    return (vote.present_at_open or 0) - casting.ballots_cast(vote)


def paper_to_issue(vote: Vote) -> int | None:
    """Paper ballots to issue: a paper part's uncast deputies, a paper vote's present."""
    if vote.fallback_at is not None:
        return uncast(vote)
    return vote.present_at_open if vote.mode == VoteMode.PAPER else None


def ensure_entry(vote: Vote) -> None:
    """Paper totals are taken for an open paper vote, or an open vote switched to paper."""
    if vote.mode == VoteMode.PAPER:
        counting.ensure_paper_entry(vote)
        return
    if vote.fallback_at is None:
        raise Conflict("electronic_vote")
    services.require_state(vote, VoteState.OPEN)


def enter_paper(
    vote: Vote,
    *,
    issued: int,
    returned: int,
    invalid_ballots: int,
    counts: Mapping[int, Mapping[str, int]],
) -> str:
    """Take the tellers' totals. Returns what became of them: ``closed`` (a paper vote of a
    session without scrutineers: counted at once, as before), ``effective`` (the paper part
    of a vote switched to paper, in a session without scrutineers: counted at the close) or
    ``pending`` (a scrutineer of the session must confirm them). Entry mistakes are refused
    (422) and nothing is stored; the void rules apply when the totals are counted."""
    ensure_entry(vote)
    totals = counting.paper_totals(vote, issued, returned, invalid_ballots, counts)
    rows = totals.counts
    four_eyes = paper_part.has_scrutineers(vote.session_id)
    if vote.mode == VoteMode.PAPER and not four_eyes:
        counting.enter_paper_totals(
            vote, issued=issued, returned=returned, invalid_ballots=invalid_ballots, counts=counts
        )
        return "closed"
    # Entry mistakes are refused now, as for a paper vote; the void rules wait for the count.
    if vote.mode == VoteMode.PAPER:
        rules.check_paper(
            totals, present=vote.present_at_open, style=vote.style, max_for=vote.max_for
        )
    else:
        fallback_rules.check_paper_part(
            totals, uncast=uncast(vote), style=vote.style, max_for=vote.max_for
        )
    _hold_open(vote)
    actor, name = current_actor(), _name_of_actor()  # before the new row (an autoflush)
    entry = paper_part.entry_of(vote)
    corrected = entry is not None
    if entry is None:
        entry = PaperEntry(vote_id=vote.id, revision=0)
        db.session.add(entry)
    entry.revision += 1
    entry.issued, entry.returned, entry.invalid = issued, returned, invalid_ballots
    entry.counts = {
        str(c.candidate_id): [c.votes_for, c.votes_against, c.votes_abstain] for c in rows
    }
    entry.entered_by, entry.entered_by_name = actor, name
    entry.entered_at = utcnow()
    entry.effective = not four_eyes
    entry.confirmed_by = entry.confirmed_at = None
    db.session.flush()
    audit(
        "paper_totals_corrected" if corrected else "paper_totals_entered",
        f"vote:{vote.id}",
        revision=entry.revision,
        pending=four_eyes,
        part=vote.mode == VoteMode.ELECTRONIC,
        issued=issued,
        returned=returned,
        invalid=invalid_ballots,
        counts=entry.counts,
    )
    return "pending" if four_eyes else "effective"


def confirm_paper(vote: Vote, deputy: Deputy, revision: object) -> str:
    """A scrutineer of the vote's session confirms the paper totals they were shown (their
    ``revision``). A paper vote is then counted and closed; a paper part waits for the
    close. Returns ``closed`` or ``effective``."""
    ensure_scrutineer(vote, deputy)
    revision = fields.integer(revision, "entry", low=1)
    services.require_state(vote, VoteState.OPEN)
    _hold_open(vote)
    entry = paper_part.entry_of(vote)
    if entry is None or entry.effective:
        raise Conflict("nothing_to_confirm")
    confirmer = f"deputy:{deputy.code}"  # as current_actor() names a signed-in deputy
    if entry.entered_by == confirmer:
        raise Forbidden("own_entry")
    if revision != entry.revision:
        raise Conflict("paper_changed")
    entry.effective = True
    entry.confirmed_by, entry.confirmed_at = deputy.id, utcnow()
    db.session.flush()
    audit(
        "paper_totals_confirmed",
        f"vote:{vote.id}",
        confirmer,
        revision=entry.revision,
        entered_by=entry.entered_by,
    )
    if vote.mode == VoteMode.PAPER:
        counting.enter_paper_totals(
            vote,
            issued=entry.issued,
            returned=entry.returned,
            invalid_ballots=entry.invalid,
            counts={
                c.candidate_id: {
                    "for": c.votes_for,
                    "against": c.votes_against,
                    "abstain": c.votes_abstain,
                }
                for c in paper_part.counts_of(entry, services.candidate_ids(vote))
            },
        )
        return "closed"
    return "effective"


def ensure_scrutineer(vote: Vote, deputy: Deputy) -> None:
    """A deputy reads or confirms a vote's paper totals as a scrutineer of its session."""
    if deputy.congress_id != vote.session.congress_id:
        raise Forbidden("deputy_not_in_congress")
    if db.session.get(Scrutineer, (vote.session_id, deputy.id)) is None:
        raise Forbidden("not_a_scrutineer")


def _hold_open(vote: Vote) -> None:
    """Take the vote's row (as a close does) and make sure it is still open: an entry or a
    confirmation and a close are one after the other, never both at once."""
    held = db.session.execute(
        update(Vote)
        .where(Vote.id == vote.id, Vote.state == VoteState.OPEN)
        .values(state=VoteState.OPEN)
        .execution_options(synchronize_session=False)
    )
    if held.rowcount != 1:
        raise Conflict("wrong_state", state=STATE_LABELS["closed"], needed=STATE_LABELS["open"])


def _name_of_actor() -> str:
    """The enterer's name as people read it (the API's principal, else the signed-in user)."""
    if not has_request_context():  # the command line, the demo
        return ""
    who = g.get("principal") or current_user
    return (getattr(who, "name", "") or getattr(who, "login", "") or "")[:100]
