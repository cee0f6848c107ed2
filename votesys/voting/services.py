"""What organisers and deputies do with votes. Services flush; the request commits."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from votesys.congress import services as congress
from votesys.congress.models import Attendance, CongressSession, Deputy
from votesys.congress.rules import Quorum
from votesys.database import truncate_wal_after_commit
from votesys.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound, invalid
from votesys.extensions import db
from votesys.integrity.services import audit
from votesys.models_base import utcnow
from votesys.voting import rules
from votesys.voting.labels import STATE_LABELS
from votesys.voting.models import (
    Ballot,
    Candidate,
    PresentAtOpening,
    RollEntry,
    Vote,
    VoteCandidate,
    VoteState,
)
from votesys.voting.record import write_record
from votesys.voting.rules import BallotStyle, PassageBase, VoteMode
from votesys.voting.signals import result_published

# Receipts avoid letters and digits that are easily confused when read aloud or copied.
RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
# A ballot stores one mark per candidate in a 500-character column.
MAX_CANDIDATES = 500


def get_vote(vote_id: int) -> Vote:
    vote = db.session.get(Vote, vote_id)
    if vote is None:
        raise NotFound("not_found")
    return vote


def get_managed_vote(vote_id: int, user: object) -> Vote:
    vote = get_vote(vote_id)
    congress.ensure_manages(user, vote.session.congress.jurisdiction)
    return vote


def candidate_ids(vote: Vote) -> list[int]:
    """The candidates in ballot order. The list never changes once the vote is created, so
    each process keeps it (a cast then reads no ballot definition)."""
    if "entries" in vote.__dict__:  # already loaded with the vote
        return [e.candidate_id for e in vote.entries]
    cache = current_app.extensions.setdefault("votesys.ballot_order", {})
    ids = cache.get(vote.id)
    if ids is None:
        ids = list(
            db.session.scalars(
                select(VoteCandidate.candidate_id)
                .where(VoteCandidate.vote_id == vote.id)
                .order_by(VoteCandidate.position)
            )
        )
        if len(cache) > 1000:
            cache.clear()
        cache[vote.id] = ids
    return list(ids)


def session_candidates(sess: CongressSession) -> list[Candidate]:
    return list(
        db.session.scalars(
            select(Candidate).where(Candidate.session_id == sess.id).order_by(Candidate.id)
        )
    )


def session_votes(sess: CongressSession) -> list[Vote]:
    return list(
        db.session.scalars(select(Vote).where(Vote.session_id == sess.id).order_by(Vote.id))
    )


def add_candidate(
    sess: CongressSession,
    title: str,
    summary: str = "",
    responsible_unit: str = "",
    budget_wan=None,
) -> Candidate:
    candidate = Candidate(
        session_id=sess.id,
        title=title,
        summary=summary,
        responsible_unit=responsible_unit,
        budget_wan=budget_wan,
    )
    db.session.add(candidate)
    db.session.flush()
    audit(
        "candidate_added",
        f"session:{sess.id}",
        candidate=candidate.id,
        title=title,
        responsible_unit=responsible_unit,
        budget_wan=None if budget_wan is None else str(budget_wan),
    )
    return candidate


def create_vote(
    sess: CongressSession,
    *,
    title: str,
    candidate_ids: Sequence[int],
    seats: int,
    max_for: int,
    style: str = BallotStyle.PER_CANDIDATE,
    base: str = PassageBase.ALL_DEPUTIES,
    mode: str = VoteMode.ELECTRONIC,
    runoff_of: Vote | None = None,
) -> Vote:
    """Create a draft vote. The rule (places, "for" limit, style, base) is fixed here."""
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise invalid("title", _l("1 to 200 characters"))
    if style not in rules.STYLES:
        raise invalid("style", _l("per_candidate, approval or rating"))
    if base not in rules.BASES:
        raise invalid("base", _l("all_deputies, present, valid_ballots or none"))
    if mode not in tuple(VoteMode):
        raise invalid("mode", _l("electronic or paper"))
    if style == BallotStyle.RATING:
        # 满意度测评: every project is rated, no places and no "for" limit apply.
        if mode != VoteMode.ELECTRONIC:
            raise invalid("mode", _l("a rating is held on tablets"))
        if base == PassageBase.NONE:
            raise invalid("base", _l("a rating needs a base"))
        seats = max_for = len(candidate_ids)
    if not candidate_ids:
        raise invalid("candidates", _l("at least one candidate"))
    if len(candidate_ids) > MAX_CANDIDATES:
        raise invalid("candidates", _l("at most %(n)s candidates", n=MAX_CANDIDATES))
    if len(set(candidate_ids)) != len(candidate_ids):
        raise invalid("candidates", _l("a candidate appears twice"))
    known = {c.id for c in session_candidates(sess)}
    if unknown := [cid for cid in candidate_ids if cid not in known]:
        raise invalid("candidates", _l("not candidates of this session: %(ids)s", ids=unknown[:5]))
    if not 1 <= seats <= len(candidate_ids):
        raise invalid("seats", _l("between 1 and the %(n)s candidates", n=len(candidate_ids)))
    if not 1 <= max_for <= len(candidate_ids):
        raise invalid("max_for", _l("between 1 and the %(n)s candidates", n=len(candidate_ids)))
    vote = Vote(
        session_id=sess.id,
        title=title,
        seats=seats,
        max_for=max_for,
        style=style,
        base=base,
        mode=mode,
        runoff_of=runoff_of,
    )
    vote.entries = [
        VoteCandidate(candidate_id=cid, position=i) for i, cid in enumerate(candidate_ids)
    ]
    db.session.add(vote)
    db.session.flush()
    audit(
        "vote_created",
        f"vote:{vote.id}",
        title=vote.title,
        seats=seats,
        max_for=max_for,
        style=style,
        base=base,
        mode=mode,
        candidates=list(candidate_ids),
        runoff_of=runoff_of.id if runoff_of else None,
    )
    return vote


def _require_state(vote: Vote, *needed: str) -> None:
    if vote.state not in needed:
        raise Conflict(
            "wrong_state",
            state=STATE_LABELS[vote.state],
            needed=" / ".join(str(STATE_LABELS[n]) for n in needed),
        )


def open_vote(vote: Vote) -> Vote:
    """Open a draft vote, if the quorum is met; fix the roll figures the rules will use."""
    _require_state(vote, VoteState.DRAFT)
    present = congress.present_deputy_ids(vote.session)
    q = Quorum(
        total=congress.current_deputies_count(vote.session.congress_id), present=len(present)
    )
    if not q.met:
        raise Conflict("quorum_not_met", present=q.present, required=q.required, total=q.total)
    other_open = db.session.scalar(
        select(Vote.id).where(
            Vote.session_id == vote.session_id, Vote.state == VoteState.OPEN, Vote.id != vote.id
        )
    )
    if other_open:
        raise Conflict("another_open", vote=other_open)
    vote.total_deputies = q.total
    vote.present_at_open = q.present
    vote.state = VoteState.OPEN
    vote.opened_at = utcnow()
    db.session.flush()
    db.session.execute(
        insert(PresentAtOpening), [{"vote_id": vote.id, "deputy_id": d} for d in present]
    )
    audit("vote_opened", f"vote:{vote.id}", current_deputies=q.total, present=q.present)
    return vote


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
    marks = rules.ballot_marks(choices, candidate_ids(vote), style=vote.style, max_for=vote.max_for)
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
    state = db.session.scalar(select(Vote.state).where(Vote.id == vote_id))
    if state != VoteState.OPEN:
        raise Conflict("vote_not_open")
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
        select(*columns, Vote.state, CongressSession.congress_id, checked_in, counted)
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
    return vote, CastCheck(check[0], check[1], check[2] is not None, check[3] is not None)


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
        state, congress_id, attendance, present = db.session.execute(
            _CAST_CHECKS[False, lock], {"vote_id": vote.id, "deputy_id": deputy.id}
        ).one()
        check = CastCheck(state, congress_id, attendance is not None, present is not None)
    if check.state != VoteState.OPEN:
        raise Conflict("vote_not_open")
    if deputy.congress_id != check.congress_id:
        raise Forbidden("deputy_not_in_congress")
    if not deputy.mandate_current:
        raise Forbidden("mandate_not_current")
    if not check.checked_in:
        raise Forbidden("not_checked_in")
    if not check.counted_at_opening:
        raise Forbidden("checked_in_after_opening")


def new_receipt() -> str:
    """A ballot tracker: 10 random characters (about 50 bits), shown as XXXXX-XXXXX."""
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


def close_vote(vote: Vote) -> Vote:
    """Close an electronic vote, count its ballots and apply the rule."""
    if vote.mode == VoteMode.PAPER:
        raise Conflict("paper_vote")
    _require_state(vote, VoteState.OPEN)
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
    marks = list(db.session.scalars(select(Ballot.marks).where(Ballot.vote_id == vote.id)))
    roll = db.session.scalar(select(func.count()).where(RollEntry.vote_id == vote.id))
    if roll != len(marks):  # one transaction writes both, so this never happens
        raise RuntimeError("roll and ballots disagree")
    counts = rules.tally(marks, candidate_ids(vote))
    _apply_decision(vote, counts, ballots=len(marks), valid=len(marks))
    _seal(vote.id)
    audit("vote_closed", f"vote:{vote.id}", ballots=len(marks))
    write_record(vote)
    return vote


def _seal(vote_id: int) -> None:
    """Rewrite the closed vote's ballots in a random order, in the closing transaction.

    While a vote is open, a ballot row and the roll row cast with it share a transaction id
    (PostgreSQL's ``xmin``) and sit on disk in the order of casting. Rewritten at close, every
    ballot carries the closing transaction's id, which no roll row has, and lies in an order
    that says nothing about the roll's. On SQLite the ballots table has no rowid and deleted
    rows are overwritten (``secure_delete``). See docs/security.md.
    """
    ballots = [
        dict(row)
        for row in db.session.execute(
            select(Ballot.id, Ballot.vote_id, Ballot.marks).where(Ballot.vote_id == vote_id)
        ).mappings()
    ]
    secrets.SystemRandom().shuffle(ballots)
    db.session.execute(delete(Ballot).where(Ballot.vote_id == vote_id))
    if ballots:  # multi-row VALUES insert rows in list order: the heap follows the shuffle
        db.session.execute(insert(Ballot), ballots)
    truncate_wal_after_commit(db.session())
    db.session.expire_all()


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
    ids = candidate_ids(vote)
    if set(counts) != set(ids):
        raise invalid("candidates", _l("give counts for every candidate on the ballot, no others"))
    rows = [
        rules.Count(cid, counts[cid]["for"], counts[cid]["against"], counts[cid]["abstain"])
        for cid in ids
    ]
    totals = rules.PaperTotals(issued, returned, invalid_ballots, rows)
    void = rules.check_paper(
        totals, present=vote.present_at_open, style=vote.style, max_for=vote.max_for
    )
    vote.paper_issued, vote.paper_returned, vote.paper_invalid = issued, returned, invalid_ballots
    vote.state = VoteState.CLOSED
    vote.closed_at = utcnow()
    if void:
        vote.void_reason = void
        vote.ballots_cast, vote.valid_ballots = returned, totals.valid
        for entry, count in zip(vote.entries, rows, strict=True):  # the tellers' counts stand
            entry.votes_for = count.votes_for
            entry.votes_against = count.votes_against
            entry.votes_abstain = count.votes_abstain
        db.session.flush()
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


def ensure_paper_entry(vote: Vote) -> None:
    """Paper totals are taken for an open paper vote only."""
    if vote.mode != VoteMode.PAPER:
        raise Conflict("electronic_vote")
    _require_state(vote, VoteState.OPEN)


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


def publish_vote(vote: Vote) -> Vote:
    """Publish a closed vote: its approved candidates enter the register as the year's
    projects, or, for a rating, each project gets its rating."""
    _require_state(vote, VoteState.CLOSED)
    vote.state = VoteState.PUBLISHED
    vote.published_at = utcnow()
    db.session.flush()
    audit("vote_published", f"vote:{vote.id}")
    if not vote.void_reason:
        result_published.send(vote)
    return vote


def runoff_of(vote: Vote) -> Vote | None:
    return db.session.scalar(select(Vote).where(Vote.runoff_of_id == vote.id))


def create_runoff(vote: Vote) -> Vote:
    """再次投票: a new vote among the tied candidates, for the places left, same rule."""
    _require_state(vote, VoteState.CLOSED, VoteState.PUBLISHED)
    if not vote.runoff_needed:
        raise Conflict("no_runoff_needed")
    if runoff_of(vote) is not None:
        raise Conflict("runoff_exists")
    tied = [e.candidate_id for e in vote.entries if e.tied]
    audit("runoff_created", f"vote:{vote.id}", tied=tied, places_left=vote.places_left)
    return create_vote(
        vote.session,
        title=f"{vote.title}（再次投票）",
        candidate_ids=tied,
        seats=vote.places_left,
        max_for=min(vote.max_for, vote.places_left),
        style=vote.style,
        base=vote.base,
        mode=vote.mode,
        runoff_of=vote,
    )


def result_visible_to(vote: Vote, user: object) -> bool:
    if vote.state == VoteState.PUBLISHED:
        return True
    if vote.state != VoteState.CLOSED:
        return False
    return congress.manages(user, vote.session.congress.jurisdiction)


def ensure_result_visible(vote: Vote, user: object) -> None:
    """Everyone sees a published result; organisers who manage the vote see it once closed.
    Others learn nothing, not even the vote's state."""
    if vote.state == VoteState.PUBLISHED:
        return
    if not congress.manages(user, vote.session.congress.jurisdiction):
        raise Forbidden("forbidden")
    if vote.state != VoteState.CLOSED:
        raise Conflict("wrong_state", state=STATE_LABELS[vote.state], needed=STATE_LABELS["closed"])
    if not result_visible_to(vote, user):
        raise Forbidden("forbidden")


def require_int(value: object, field: str, *, low: int = 0, high: int = 10**7) -> int:
    """An integer from JSON or a form, within bounds, else a field error."""
    if isinstance(value, bool):
        raise invalid(field, _l("a whole number"))
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,9}", value.strip()):
        value = int(value.strip())
    if not isinstance(value, int):
        raise invalid(field, _l("a whole number"))
    if not low <= value <= high:
        raise invalid(field, _l("between %(low)s and %(high)s", low=low, high=high))
    return value


def parse_paper_counts(raw: object, vote: Vote) -> dict[int, dict[str, int]]:
    """Per-candidate paper counts from {candidate_id: {"for", "against", "abstain"}}."""
    if not isinstance(raw, Mapping):
        raise invalid("candidates", _l("an object keyed by candidate id"))
    counts: dict[int, dict[str, int]] = {}
    ids = set(candidate_ids(vote))
    for key, value in raw.items():
        cid = rules.candidate_key(key)
        if cid is None or cid not in ids:
            raise InvalidInput("unknown_candidate", candidate=str(key)[:40])
        if not isinstance(value, Mapping):
            raise invalid(f"candidates[{cid}]", _l("an object with for, against, abstain"))
        counts[cid] = {
            word: require_int(value.get(word, 0), f"candidates[{cid}].{word}")
            for word in rules.CHOICES
        }
    return counts
