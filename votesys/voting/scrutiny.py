"""A session's scrutiny: appointing its scrutineers (监票人, deputies of the congress) and
tellers (计票人, staff), and the scrutineers' device keys — the first registered at once, a
new one (a lost device) only once an organiser approves it. The confirmations themselves are
confirming.py. Services flush; the request commits; every change is audited."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from votesys import fields
from votesys.auth.models import Role, User
from votesys.congress import services as congress
from votesys.congress.models import CongressSession, Deputy
from votesys.errors import Conflict, Forbidden, NotFound, invalid
from votesys.extensions import db
from votesys.integrity.services import audit
from votesys.models_base import utcnow
from votesys.voting import scrutiny_rules as rules
from votesys.voting.models import Vote, VoteState
from votesys.voting.scrutiny_models import Scrutineer, Scrutiny, Teller

MAX_SCRUTINEERS = 25
MAX_TELLERS = 25
TELLER_ROLES = (Role.ORGANISER, Role.ADMIN)


def scrutiny_of(session_id: int) -> Scrutiny | None:
    return db.session.get(Scrutiny, session_id)


def scrutineers(session_id: int) -> list[tuple[Scrutineer, Deputy]]:
    """The session's scrutineers with their deputies, by deputy code."""
    rows = db.session.execute(
        select(Scrutineer, Deputy)
        .join(Deputy, Deputy.id == Scrutineer.deputy_id)
        .where(Scrutineer.session_id == session_id)
        .order_by(Deputy.code)
    )
    return [(s, d) for s, d in rows]


def tellers(session_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(Teller, Teller.user_id == User.id)
            .where(Teller.session_id == session_id)
            .order_by(User.login)
        )
    )


def awaiting_publication(sess: CongressSession) -> Vote | None:
    """A vote of the session counted and not yet published (practice votes are never)."""
    return db.session.scalar(
        select(Vote).where(
            Vote.session_id == sess.id,
            Vote.state == VoteState.CLOSED,
            Vote.practice.is_(False),
        )
    )


def _ensure_unlocked(sess: CongressSession) -> None:
    """Who confirms a counted result is fixed before it is counted: while a vote of the
    session awaits publication, neither the scrutineers nor the number required may change
    (an organiser who has seen the result must not choose who confirms it)."""
    waiting = awaiting_publication(sess)
    if waiting is not None:
        raise Conflict("scrutiny_locked", title=waiting.title)


def _codes(value: object, field: str, limit: int) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        raise invalid(field, _l("a list of codes"))
    codes = [c.strip() for c in value]
    if any(not c or len(c) > 64 for c in codes):
        raise invalid(field, _l("a code is empty or too long"))
    if any(fields.CONTROL.search(c) or fields.DIRECTION.search(c) for c in codes):
        raise invalid(field, _l("must not contain control characters"))
    if len(codes) > limit:
        raise invalid(field, _l("at most %(n)s", n=limit))
    if dupes := sorted({c for c in codes if codes.count(c) > 1}):
        raise invalid(field, _l("named twice: %(codes)s", codes=", ".join(dupes[:5])))
    return codes


def appoint(
    sess: CongressSession, deputy_codes: object, required: object = None
) -> Scrutiny | None:
    """Appoint the session's scrutineers (deputies of its congress with a current mandate)
    and how many of them must confirm a result: between 1 and all of them, by default a
    majority. An empty list removes the scrutiny: the session's results then publish without
    confirmations. A scrutineer kept keeps their registered key."""
    _ensure_unlocked(sess)
    codes = _codes(deputy_codes, "deputy_codes", MAX_SCRUTINEERS)
    if not codes:
        db.session.execute(delete(Scrutineer).where(Scrutineer.session_id == sess.id))
        db.session.execute(delete(Scrutiny).where(Scrutiny.session_id == sess.id))
        db.session.flush()
        audit("scrutiny_removed", f"session:{sess.id}")
        return None
    deputies = {
        d.code: d
        for d in db.session.scalars(
            select(Deputy).where(Deputy.code.in_(codes), Deputy.congress_id == sess.congress_id)
        )
    }
    if unknown := [c for c in codes if c not in deputies]:
        raise invalid(
            "deputy_codes",
            _l("not deputies of this congress: %(codes)s", codes=", ".join(unknown[:5])),
        )
    if ended := [c for c in codes if not deputies[c].mandate_current]:
        raise invalid(
            "deputy_codes",
            _l("mandate not current: %(codes)s", codes=", ".join(ended[:5])),
        )
    if required is None:
        required = rules.default_required(len(codes))
    if isinstance(required, bool) or not isinstance(required, int):
        raise invalid("required", _l("a whole number"))
    if not 1 <= required <= len(codes):
        raise invalid("required", _l("between 1 and the %(n)s scrutineers", n=len(codes)))
    wanted = {deputies[c].id for c in codes}
    db.session.execute(
        delete(Scrutineer).where(
            Scrutineer.session_id == sess.id, Scrutineer.deputy_id.not_in(wanted)
        )
    )
    kept = set(
        db.session.scalars(select(Scrutineer.deputy_id).where(Scrutineer.session_id == sess.id))
    )
    for deputy_id in sorted(wanted - kept):
        db.session.add(Scrutineer(session_id=sess.id, deputy_id=deputy_id))
    row = scrutiny_of(sess.id)
    if row is None:
        row = Scrutiny(session_id=sess.id, required=required)
        db.session.add(row)
    row.required = required
    db.session.flush()
    audit("scrutineers_appointed", f"session:{sess.id}", deputies=sorted(codes), required=required)
    return row


def appoint_tellers(sess: CongressSession, logins: object) -> list[User]:
    """The session's tellers: accounts of organisers (or administrators) who manage its
    jurisdiction. An empty list appoints none."""
    _ensure_unlocked(sess)
    names = _codes(logins, "logins", MAX_TELLERS)
    users = (
        {u.login: u for u in db.session.scalars(select(User).where(User.login.in_(names)))}
        if names
        else {}
    )
    jurisdiction = sess.congress.jurisdiction
    if wrong := [
        n
        for n in names
        if n not in users
        or users[n].role not in TELLER_ROLES
        or not congress.manages(users[n], jurisdiction)
    ]:
        raise invalid(
            "logins",
            _l("not staff of this jurisdiction: %(logins)s", logins=", ".join(wrong[:5])),
        )
    db.session.execute(delete(Teller).where(Teller.session_id == sess.id))
    for name in names:
        db.session.add(Teller(session_id=sess.id, user_id=users[name].id))
    db.session.flush()
    audit("tellers_appointed", f"session:{sess.id}", tellers=sorted(names))
    return [users[n] for n in sorted(names)]


def current_post(deputy: Deputy) -> Scrutineer | None:
    """The deputy's scrutineer's post in their latest session that appointed them."""
    return db.session.scalar(
        select(Scrutineer)
        .join(CongressSession, CongressSession.id == Scrutineer.session_id)
        .where(Scrutineer.deputy_id == deputy.id)
        .order_by(CongressSession.date.desc(), CongressSession.id.desc())
        .limit(1)
    )


def register_key(deputy: Deputy, public_key: object) -> dict:
    """A scrutineer registers their device's public key for their latest session. The first
    key is registered at once; the same key again changes nothing; another key (a lost or
    replaced device) waits for an organiser's approval (``pending``)."""
    post = current_post(deputy)
    if post is None:
        raise Forbidden("not_a_scrutineer")
    raw = rules.public_key(public_key)
    if raw is None:
        raise invalid("public_key", _l("base64 of a 32-byte Ed25519 public key"))
    key, fp = rules.b64(raw), rules.fingerprint(raw)
    obj = f"session:{post.session_id}"
    if post.public_key is None:
        post.public_key, post.key_fingerprint, post.key_registered_at = key, fp, utcnow()
        post.pending_key = None
        audit("scrutineer_key_registered", obj, deputy=deputy.code, fingerprint=fp)
    elif post.public_key == key:
        post.pending_key = None
    elif post.pending_key != key:
        post.pending_key = key
        audit(
            "scrutineer_key_requested",
            obj,
            deputy=deputy.code,
            fingerprint=post.key_fingerprint,
            new_fingerprint=fp,
        )
    db.session.flush()
    return key_state(post)


def key_state(post: Scrutineer) -> dict:
    pending = rules.public_key(post.pending_key) if post.pending_key else None
    return {
        "session_id": post.session_id,
        "status": "pending" if pending else ("registered" if post.public_key else "none"),
        "fingerprint": post.key_fingerprint,
        "pending_fingerprint": rules.fingerprint(pending) if pending else None,
    }


def decide_key(sess: CongressSession, deputy_code: str, approve: bool) -> Scrutineer:
    """An organiser approves (or refuses) a scrutineer's new key: approved, it replaces the
    old one for the confirmations still to come; the audit chain names both fingerprints."""
    post = db.session.scalar(
        select(Scrutineer)
        .join(Deputy, Deputy.id == Scrutineer.deputy_id)
        .where(Scrutineer.session_id == sess.id, Deputy.code == deputy_code)
    )
    if post is None:
        raise NotFound("not_found")
    if not post.pending_key:
        raise Conflict("no_pending_key")
    new_fp = rules.fingerprint(rules.public_key(post.pending_key) or b"")
    details = {
        "deputy": deputy_code,
        "fingerprint": post.key_fingerprint,
        "new_fingerprint": new_fp,
    }
    if approve:
        post.public_key, post.key_fingerprint = post.pending_key, new_fp
        post.key_registered_at = utcnow()
        audit("scrutineer_key_replaced", f"session:{sess.id}", **details)
    else:
        audit("scrutineer_key_refused", f"session:{sess.id}", **details)
    post.pending_key = None
    db.session.flush()
    return post


def parse_decision(value: object) -> bool:
    if value not in ("approve", "refuse"):
        raise invalid("decision", _l("approve or refuse"))
    return value == "approve"


def appointed_codes(session_id: int) -> Sequence[str]:
    return [d.code for _, d in scrutineers(session_id)]
