"""The scrutineers' confirmations of a counted vote: each signs the exact bytes of the vote's
election record with their device key; the server checks the signature against the key
registered under their name and keeps it. A vote of a session with scrutineers is "counted,
awaiting confirmation" (state closed) until the number required have confirmed; only then may
it be published. A session without scrutineers publishes as before."""

from __future__ import annotations

import json

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from votesys.congress.models import Deputy
from votesys.errors import Conflict, Forbidden, InvalidInput, NotFound, invalid
from votesys.extensions import db
from votesys.integrity.models import AuditEntry
from votesys.integrity.services import audit
from votesys.voting import scrutiny
from votesys.voting import scrutiny_rules as rules
from votesys.voting.labels import STATE_LABELS
from votesys.voting.models import Vote, VoteState
from votesys.voting.record import record_of
from votesys.voting.scrutiny_models import Confirmation, Scrutineer


def post_of(vote: Vote, user: object) -> Scrutineer | None:
    """The scrutineer's post of ``user`` in the vote's session, if they are one."""
    if not getattr(user, "is_deputy", False):
        return None
    return db.session.get(Scrutineer, (vote.session_id, user.id))


def may_scrutinise(vote: Vote, user: object) -> bool:
    """A scrutineer sees the counted result and record of their session's vote before it is
    published: that is what they confirm."""
    return vote.state == VoteState.CLOSED and not vote.practice and post_of(vote, user) is not None


def confirm(vote: Vote, deputy: Deputy, signature: object) -> tuple[Confirmation, bool]:
    """Record a scrutineer's signature over the vote's record. Returns the confirmation and
    whether it is new: the same signature again (a retry) is answered as before; another
    one after a confirmation is refused."""
    post = post_of(vote, deputy)
    if post is None:
        raise Forbidden("not_a_scrutineer")
    if not deputy.mandate_current:  # appointed while a deputy; no longer one
        raise Forbidden("scrutineer_mandate_ended")
    if vote.practice:
        raise Conflict("practice_vote")
    if vote.state != VoteState.CLOSED:
        raise Conflict(
            "wrong_state", state=STATE_LABELS[vote.state], needed=STATE_LABELS[VoteState.CLOSED]
        )
    if post.public_key is None:
        raise Conflict("no_key")
    if rules.decode(signature, rules.SIGNATURE_BYTES) is None:
        raise invalid("signature", _l("base64 of a 64-byte Ed25519 signature"))
    record = record_of(vote.id)
    if record is None:
        raise NotFound("not_found")
    done = db.session.get(Confirmation, (vote.id, deputy.id))
    if done is not None:
        if done.signature == signature.strip() and done.public_key == post.public_key:
            return done, False
        raise Conflict("already_confirmed")
    if not rules.verifies(post.public_key, signature, record.body):
        raise InvalidInput("bad_signature")
    row = Confirmation(
        vote_id=vote.id,
        deputy_id=deputy.id,
        public_key=post.public_key,
        signature=signature.strip(),
    )
    db.session.add(row)
    db.session.flush()
    audit(
        "vote_confirmed",
        f"vote:{vote.id}",
        deputy=deputy.code,
        fingerprint=post.key_fingerprint,
    )
    return row, True


def _rows(vote: Vote) -> list[tuple[Confirmation, Deputy]]:
    return [
        (c, d)
        for c, d in db.session.execute(
            select(Confirmation, Deputy)
            .join(Deputy, Deputy.id == Confirmation.deputy_id)
            .where(Confirmation.vote_id == vote.id)
            .order_by(Deputy.code)
        )
    ]


def valid_confirmations(vote: Vote) -> list[tuple[Confirmation, Deputy]]:
    """The confirmations whose signature verifies over the record as it is stored now: a
    record written again (a correction) is confirmed afresh."""
    record = record_of(vote.id)
    if record is None:
        return []
    return [
        (c, d) for c, d in _rows(vote) if rules.verifies(c.public_key, c.signature, record.body)
    ]


def public_confirmations(vote: Vote) -> list[dict]:
    """What anyone who may read the record may check it with (the API's contract)."""
    return [
        {"deputy_code": d.code, "public_key": c.public_key, "signature": c.signature}
        for c, d in valid_confirmations(vote)
    ]


def status(vote: Vote) -> dict | None:
    """Confirmed by k of n scrutineers (r required), and by whom; None for a practice vote
    or a session without scrutineers. Only the confirmations of the scrutineers appointed
    count: now, while the vote awaits publication (the appointment is then fixed); as they
    were when it was published, for a published vote (``publication_facts``), so that a
    later appointment does not rewrite a published result's confirmation."""
    if vote.practice:
        return None
    fixed = _fixed_at_publication(vote) if vote.state == VoteState.PUBLISHED else None
    if fixed is None:
        row = scrutiny.scrutiny_of(vote.session_id)
        if row is None:
            return None
        required, appointed = row.required, scrutiny.scrutineers(vote.session_id)
    elif not fixed:
        return None  # published when the session had no scrutineers
    else:
        required, appointed = fixed["required"], _posts_of(vote, fixed["scrutineers"])
    confirmed = {d.id: c for c, d in valid_confirmations(vote)}
    people = []
    for post, deputy in appointed:
        c = confirmed.get(deputy.id)
        key = c.public_key if c is not None else (post.public_key if post else None)
        raw = rules.public_key(key) if key else None
        people.append(
            {
                "code": deputy.code,
                "name": deputy.name,
                "confirmed": c is not None,
                "confirmed_at": c.confirmed_at if c is not None else None,
                "fingerprint": rules.fingerprint(raw) if raw else None,
                "has_key": key is not None,
            }
        )
    k = sum(1 for p in people if p["confirmed"])
    return {
        "appointed": len(people),
        "required": required,
        "confirmed": k,
        "complete": k >= required,
        "awaiting": vote.state == VoteState.CLOSED and k < required,
        "scrutineers": people,
    }


def publication_facts(vote: Vote) -> dict:
    """What the audit entry of the publication fixes: the scrutineers appointed, the number
    required and who confirmed ({} for a session without scrutineers)."""
    s = status(vote)
    if s is None:
        return {}
    people = s["scrutineers"]
    return {
        "scrutineers": [p["code"] for p in people],
        "required": s["required"],
        "confirmed_by": [p["code"] for p in people if p["confirmed"]],
    }


def _fixed_at_publication(vote: Vote) -> dict | None:
    """The scrutiny as the publication's audit entry fixed it: {} when it had none; None
    when there is no such entry (a vote published by other means: the appointment now)."""
    details = db.session.scalar(
        select(AuditEntry.details)
        .where(AuditEntry.action == "vote_published", AuditEntry.object == f"vote:{vote.id}")
        .order_by(AuditEntry.seq.desc())
        .limit(1)
    )
    if details is None:
        return None
    facts = json.loads(details)
    if not isinstance(facts.get("scrutineers"), list) or "required" not in facts:
        return {}
    return facts


def _posts_of(vote: Vote, codes: list[str]) -> list[tuple[Scrutineer | None, Deputy]]:
    """The deputies named, in order, with their post if they are still appointed."""
    deputies = {
        d.code: d
        for d in db.session.scalars(
            select(Deputy).where(
                Deputy.code.in_(codes), Deputy.congress_id == vote.session.congress_id
            )
        )
    }
    return [
        (db.session.get(Scrutineer, (vote.session_id, deputies[c].id)), deputies[c])
        for c in codes
        if c in deputies
    ]


def figures(vote: Vote) -> dict | None:
    """The hall's line: confirmed by k of n scrutineers (r required)."""
    s = status(vote)
    if s is None:
        return None
    return {"confirmed": s["confirmed"], "appointed": s["appointed"], "required": s["required"]}


def ensure_confirmed(vote: Vote) -> None:
    """Publication waits until the number required have confirmed (sessions with scrutineers
    only)."""
    s = status(vote)
    if s is not None and not s["complete"]:
        raise Conflict("not_confirmed", confirmed=s["confirmed"], required=s["required"])


def awaiting(deputy: Deputy) -> list[Vote]:
    """The counted votes of the sessions where the deputy is a scrutineer, not yet published:
    those they may confirm (or have)."""
    return list(
        db.session.scalars(
            select(Vote)
            .join(Scrutineer, Scrutineer.session_id == Vote.session_id)
            .where(
                Scrutineer.deputy_id == deputy.id,
                Vote.state == VoteState.CLOSED,
                Vote.practice.is_(False),
            )
            .order_by(Vote.id)
        )
    )


def confirmed_by(vote: Vote, deputy: Deputy) -> Confirmation | None:
    return db.session.get(Confirmation, (vote.id, deputy.id))
