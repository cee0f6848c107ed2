"""Casting: a deputy's ballot and the roll entry that says they voted, in one transaction;
the one-statement casting check; receipts; idempotent retries. Flush only."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError

from votesys.congress.models import Attendance, CongressSession, Deputy
from votesys.errors import Conflict, DomainError, Forbidden, NotFound, invalid
from votesys.extensions import db
from votesys.voting import ballot_box, rules, services
from votesys.voting.models import (
    Ballot,
    PresentAtOpening,
    RollEntry,
    Vote,
    VoteState,
)
from votesys.voting.rules import VoteMode

# Receipts avoid letters and digits that are easily confused when read aloud or copied.
RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


@dataclass(frozen=True)
class CastResult:
    receipt: str
    replayed: bool = False


def cast_ballot(
    vote: Vote,
    deputy: Deputy,
    choices: Mapping[object, object],
    idempotency_key: str | None = None,
    *,
    check: CastCheck | None = None,
) -> CastResult:
    """投票: record THAT the deputy voted and store the anonymous ballot, in one transaction.

    A retry with the same Idempotency-Key gets the first answer back, whatever happened
    since; any other second ballot is refused, by the roll's primary key when two arrive at
    the same instant. The path is lean on purpose (a hall's burst): one query checks the
    deputy (and, on PostgreSQL, locks the vote's state), then the two inserts. ``check``:
    that query's answer from ``vote_for_casting`` in this transaction.
    """
    key_hash = _key_hash(idempotency_key)
    vote_id, deputy_id = vote.id, deputy.id
    try:
        return _cast(vote, deputy, choices, key_hash, check)
    except IntegrityError:
        db.session.rollback()
        if key_hash is not None and (replay := _replay(vote_id, deputy_id, key_hash)):
            return replay
        if _has_voted(vote_id, deputy_id):
            raise Conflict("already_voted") from None
        raise Conflict("conflict") from None
    except DomainError:
        if key_hash is not None:  # the first attempt's answer stands, e.g. after closing
            db.session.rollback()
            if replay := _replay(vote_id, deputy_id, key_hash):
                return replay
        raise


def _cast(
    vote: Vote, deputy: Deputy, choices, key_hash: str | None, check: CastCheck | None
) -> CastResult:
    # On PostgreSQL the check reads the vote's state FOR SHARE: from then until the commit
    # no close can commit, and a close under way makes the check wait and see "closed".
    locking = _locking()
    ensure_can_cast(vote, deputy, lock=locking, check=check)
    marks = rules.ballot_marks(
        choices, services.candidate_ids(vote), style=vote.style, max_for=vote.max_for
    )
    if vote.box_key is not None:  # every vote opened since ballot boxes exist
        marks = ballot_box.seal(vote.box_key, marks)
    receipt = new_receipt()
    vote_id, deputy_id = vote.id, deputy.id
    roll = RollEntry(
        vote_id=vote_id, deputy_id=deputy_id, receipt=receipt, idempotency_key=key_hash
    )
    ballot = Ballot(id=secrets.token_hex(16), vote_id=vote_id, marks=marks)
    if locking:
        db.session.add_all([roll, ballot])
        db.session.flush()
        return CastResult(receipt)
    # SQLite reads outside a transaction: write the roll first (this takes the database's
    # write lock, so no close can commit now), then check the state, then the ballot.
    db.session.add(roll)
    db.session.flush()
    state, fallback_at = db.session.execute(
        select(Vote.state, Vote.fallback_at).where(Vote.id == vote_id)
    ).one()
    if state != VoteState.OPEN:
        raise Conflict("vote_not_open")
    if fallback_at is not None:  # switched to paper meanwhile (voting.fallback)
        raise Conflict("fallen_back")
    db.session.add(ballot)
    db.session.flush()
    return CastResult(receipt)


@dataclass(frozen=True)
class CastCheck:
    """What decides whether a deputy may cast now, read in one statement."""

    state: VoteState
    congress_id: int
    checked_in: bool
    counted_at_opening: bool
    # 改用纸质选票: the vote was switched to paper (voting.fallback); casting has stopped.
    fallen_back: bool = False


def _build_cast_check(with_vote: bool, lock: bool):
    deputy_id = bindparam("deputy_id")
    checked_in = (
        select(Attendance.id)
        .where(Attendance.session_id == Vote.session_id, Attendance.deputy_id == deputy_id)
        .correlate(Vote)
        .scalar_subquery()
    )
    counted = (
        select(PresentAtOpening.deputy_id)
        .where(PresentAtOpening.vote_id == Vote.id, PresentAtOpening.deputy_id == deputy_id)
        .correlate(Vote)
        .scalar_subquery()
    )
    columns = (Vote,) if with_vote else ()
    query = (
        select(
            *columns, Vote.state, CongressSession.congress_id, checked_in, counted, Vote.fallback_at
        )
        .join(CongressSession, CongressSession.id == Vote.session_id)
        .where(Vote.id == bindparam("vote_id"))
    )
    return query.with_for_update(read=True, of=Vote) if lock else query


# The casting check, built once (with or without the vote's row, with or without the lock):
# it runs for every ballot.
_CAST_CHECKS = {(v, lk): _build_cast_check(v, lk) for v in (False, True) for lk in (False, True)}


def _locking() -> bool:
    """PostgreSQL: the cast's check reads the vote's state FOR SHARE (see ``_cast``)."""
    return db.session.get_bind().dialect.name == "postgresql"


def vote_for_casting(vote_id: int, deputy: Deputy) -> tuple[Vote, CastCheck]:
    """The vote and the casting check in one statement: the API's cast begins here (and on
    PostgreSQL holds the vote's state FOR SHARE from here to its commit)."""
    query = _CAST_CHECKS[True, _locking()]
    row = db.session.execute(query, {"vote_id": vote_id, "deputy_id": deputy.id}).first()
    if row is None:
        raise NotFound("not_found")
    vote, *check = row
    return vote, CastCheck(
        check[0], check[1], check[2] is not None, check[3] is not None, check[4] is not None
    )


def ensure_can_cast(
    vote: Vote, deputy: Deputy, *, lock: bool = False, check: CastCheck | None = None
) -> None:
    """May this deputy cast a ballot in this vote now? Raises the reason why not.

    Only deputies counted present when the vote opened may vote in it: that count is the
    "present" every rule uses (the threshold on the present base, the paper void rule,
    ballots ≤ present), and the list of them was written with it. A deputy who arrives
    later votes in the next vote. One query reads the vote's state, its congress, the
    deputy's check-in and whether they were counted at opening; ``lock`` reads the state
    FOR SHARE (PostgreSQL) until the transaction ends. ``check``: that query's answer, read
    earlier in this transaction (``vote_for_casting``), so it is not read again.
    """
    if vote.mode == VoteMode.PAPER:
        raise Conflict("paper_vote")
    if check is None:
        state, congress_id, attendance, present, fallback_at = db.session.execute(
            _CAST_CHECKS[False, lock], {"vote_id": vote.id, "deputy_id": deputy.id}
        ).one()
        check = CastCheck(
            state, congress_id, attendance is not None, present is not None, fallback_at is not None
        )
    if check.state != VoteState.OPEN:
        raise Conflict("vote_not_open")
    if check.fallen_back:
        raise Conflict("fallen_back")
    if deputy.congress_id != check.congress_id:
        raise Forbidden("deputy_not_in_congress")
    if not deputy.mandate_current:
        raise Forbidden("mandate_not_current")
    if not check.checked_in:
        raise Forbidden("not_checked_in")
    if not check.counted_at_opening:
        raise Forbidden("checked_in_after_opening")


def new_receipt() -> str:
    """A ballot tracker: 10 random characters (about 50 bits), shown in two groups of five,
    e.g. "7KQ2M-9XRT4"."""
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def _key_hash(key: str | None) -> str | None:
    if key is None or key == "":
        return None
    if len(key) > 200:
        raise invalid("Idempotency-Key", _l("at most 200 characters"))
    return hashlib.sha256(key.encode()).hexdigest()


def _replay(vote_id: int, deputy_id: int, key_hash: str) -> CastResult | None:
    entry = db.session.get(RollEntry, (vote_id, deputy_id))
    if entry is not None and entry.idempotency_key == key_hash:
        return CastResult(entry.receipt, replayed=True)
    return None


def _has_voted(vote_id: int, deputy_id: int) -> bool:
    return db.session.get(RollEntry, (vote_id, deputy_id)) is not None


def has_voted(vote: Vote, deputy: Deputy) -> bool:
    return _has_voted(vote.id, deputy.id)


def has_voted_id(vote_id: int, deputy_id: int) -> bool:
    """Has the deputy voted in the vote? One primary-key probe, no objects loaded."""
    return (
        db.session.scalar(
            select(RollEntry.vote_id).where(
                RollEntry.vote_id == vote_id, RollEntry.deputy_id == deputy_id
            )
        )
        is not None
    )


def ballots_cast(vote: Vote) -> int:
    """How many deputies have voted (the roll), never what they marked."""
    if vote.ballots_cast is not None:
        return vote.ballots_cast
    return db.session.scalar(select(func.count()).where(RollEntry.vote_id == vote.id))


def not_voted(vote: Vote) -> list[Deputy]:
    """The deputies counted present at the opening who have not voted (the roll), by code:
    who, never what anyone marked. An electronic vote once opened (409 ``wrong_state``
    before); a paper vote has no roll (409 ``not_electronic``)."""
    if vote.mode != VoteMode.ELECTRONIC:
        raise Conflict("not_electronic")
    services.require_state(vote, VoteState.OPEN, VoteState.CLOSED, VoteState.PUBLISHED)
    if vote.fallback_at is not None and vote.state != VoteState.OPEN:
        # switched to paper and counted: paper ballots name no one, so the tablets' roll
        # would list as "not voted" the deputies who voted on paper (409 paper_roll_closed)
        raise Conflict("paper_roll_closed")
    voted = select(RollEntry.deputy_id).where(RollEntry.vote_id == vote.id)
    return list(
        db.session.scalars(
            select(Deputy)
            .join(PresentAtOpening, PresentAtOpening.deputy_id == Deputy.id)
            .where(PresentAtOpening.vote_id == vote.id, Deputy.id.not_in(voted))
            .order_by(Deputy.code)
        )
    )
