"""Votes set up and moved through their states: candidates, creating, opening, publishing,
runoffs, who may see a result. Casting is casting.py, counting counting.py. Services flush;
the request commits."""

from __future__ import annotations

from collections.abc import Sequence

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select

from votesys import fields, importing
from votesys.congress import services as congress
from votesys.congress.models import CongressSession
from votesys.congress.rules import Quorum
from votesys.errors import Conflict, Forbidden, NotFound, invalid
from votesys.extensions import db
from votesys.integrity.services import audit
from votesys.models_base import utcnow
from votesys.voting import ballot_box, confirming, countdown, jurisdiction_rules, rules
from votesys.voting.labels import STATE_LABELS
from votesys.voting.models import (
    Candidate,
    PresentAtOpening,
    Vote,
    VoteCandidate,
    VoteState,
)
from votesys.voting.rules import BallotStyle, PassageBase, VoteMode
from votesys.voting.signals import result_published

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
    title = fields.text(title, "title", 200)
    summary = fields.text(summary, "summary", 2000, required=False)
    responsible_unit = fields.text(responsible_unit, "responsible_unit", 200, required=False)
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


def import_candidates(
    sess: CongressSession,
    upload: importing.Upload,
    *,
    actor: str,
    progress: importing.Progress = importing.INLINE,
) -> dict:
    """Candidate projects from a file, every row or none: the rows checked (ImportRefused,
    every bad cell reported), then written in one transaction whose last statement is the
    import's one audit entry (the file's digest, its rows, the ids given), not one a row."""
    progress.stage("checking", upload.rows)
    parsed = importing.candidates(upload.table)
    progress.writing(len(parsed))
    ids: list[int] = []
    table = Candidate.__table__  # the table's insert: no ORM objects are made
    for batch in importing.batches(parsed):
        rows = [{"session_id": sess.id, **c} for c in batch]
        ids += db.session.scalars(
            insert(table).returning(table.c.id, sort_by_parameter_order=True), rows
        ).all()
        progress.advance(len(batch))
    return importing.finish(
        "candidates_imported",
        f"session:{sess.id}",
        actor,
        upload,
        len(ids),
        candidates=[ids[0], ids[-1]],
    )


def create_vote(
    sess: CongressSession,
    *,
    title: str,
    candidate_ids: Sequence[int],
    seats: int,
    max_for: int,
    style: str = BallotStyle.PER_CANDIDATE,
    base: str | None = None,
    mode: str = VoteMode.ELECTRONIC,
    runoff_of: Vote | None = None,
    practice: bool = False,
    exception_reason: str | None = None,
) -> Vote:
    """Create a draft vote. The rule (places, "for" limit, style, base) is fixed here. A
    ``practice`` vote (试投票) tests the tablets: on tablets, never counted or published.
    No ``base``: the jurisdiction's default; its rules are checked (``jurisdiction_rules``),
    an ``exception_reason`` recording an exception to them."""
    title = fields.text(title, "title", 200)
    base = jurisdiction_rules.settings_for(sess).default_base if base is None else base
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
    if practice and (mode != VoteMode.ELECTRONIC or style == BallotStyle.RATING):
        raise invalid("practice", _l("a practice vote tests the tablets: electronic, not a rating"))
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
    waiver = jurisdiction_rules.check_new_vote(
        sess,
        seats=seats,
        candidates=len(candidate_ids),
        style=style,
        exempt=practice or runoff_of is not None,
        exception_reason=exception_reason,
    )
    vote = Vote(
        session_id=sess.id,
        title=title,
        seats=seats,
        max_for=max_for,
        style=style,
        base=base,
        mode=mode,
        runoff_of=runoff_of,
        practice=practice,
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
    jurisdiction_rules.keep_exception(vote, waiver)
    return vote


def require_state(vote: Vote, *needed: str) -> None:
    if vote.state not in needed:
        raise Conflict(
            "wrong_state",
            state=STATE_LABELS[vote.state],
            needed=" / ".join(str(STATE_LABELS[n]) for n in needed),
        )


def open_vote(vote: Vote, time_limit_minutes: int | None = None) -> Vote:
    """Open a draft vote, if the quorum is met; fix the roll figures the rules will use. A
    practice vote tests the tablets of whoever is checked in, quorum or not."""
    require_state(vote, VoteState.DRAFT)
    present = congress.present_deputy_ids(vote.session)
    q = Quorum(
        total=congress.current_deputies_count(vote.session.congress_id), present=len(present)
    )
    if not q.met and not vote.practice:
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
    if vote.mode == VoteMode.ELECTRONIC:
        ballot_box.open_box(vote)
    vote.state = VoteState.OPEN
    vote.opened_at = utcnow()
    vote.closes_at = countdown.deadline(time_limit_minutes)  # a countdown: closes nothing
    db.session.flush()
    db.session.execute(
        insert(PresentAtOpening), [{"vote_id": vote.id, "deputy_id": d} for d in present]
    )
    limit = {"time_limit_minutes": time_limit_minutes} if time_limit_minutes else {}
    audit("vote_opened", f"vote:{vote.id}", current_deputies=q.total, present=q.present, **limit)
    return vote


def publish_vote(vote: Vote) -> Vote:
    """Publish a closed vote: its approved candidates enter the register as the year's
    projects, or, for a rating, each project gets its rating."""
    require_state(vote, VoteState.CLOSED)
    if vote.practice:
        raise Conflict("practice_vote")
    confirming.ensure_confirmed(vote)  # a session's scrutineers confirm before publication
    vote.state = VoteState.PUBLISHED
    vote.published_at = utcnow()
    db.session.flush()
    audit("vote_published", f"vote:{vote.id}", **confirming.publication_facts(vote))
    if not vote.void_reason:
        result_published.send(vote)
    return vote


def runoff_of(vote: Vote) -> Vote | None:
    return db.session.scalar(select(Vote).where(Vote.runoff_of_id == vote.id))


def create_runoff(vote: Vote) -> Vote:
    """再次投票: a new vote among the tied candidates, for the places left, same rule."""
    require_state(vote, VoteState.CLOSED, VoteState.PUBLISHED)
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
    if confirming.may_scrutinise(vote, user):
        return True
    return congress.manages(user, vote.session.congress.jurisdiction)


def ensure_result_visible(vote: Vote, user: object) -> None:
    """Everyone sees a published result; organisers who manage the vote see it once closed.
    Others learn nothing, not even the vote's state."""
    if vote.state == VoteState.PUBLISHED or confirming.may_scrutinise(vote, user):
        return  # a scrutineer of the session sees the counted result they confirm
    if not congress.manages(user, vote.session.congress.jurisdiction):
        raise Forbidden("forbidden")
    if vote.state != VoteState.CLOSED:
        raise Conflict("wrong_state", state=STATE_LABELS[vote.state], needed=STATE_LABELS["closed"])
    if vote.practice:
        raise Conflict("practice_vote")  # nothing counted: who cast is at /not-voted
    if not result_visible_to(vote, user):
        raise Forbidden("forbidden")
