"""What organisers do with congresses: set-up, scope, check-in and the live quorum."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, or_, select

from votesys import importing
from votesys.auth.models import Role, User
from votesys.auth.services import hash_secret
from votesys.congress.models import (
    Attendance,
    Congress,
    CongressSession,
    Deputy,
    Jurisdiction,
    Level,
    MandateStatus,
)
from votesys.congress.rules import Quorum
from votesys.errors import Conflict, Forbidden, InvalidInput, NotFound, invalid
from votesys.extensions import db
from votesys.integrity.services import audit


def manages(user: object, jurisdiction: Jurisdiction) -> bool:
    """An organiser manages their jurisdiction and everything under it; None means all."""
    if not isinstance(user, User) or user.role not in (Role.ADMIN, Role.ORGANISER):
        return False
    if user.jurisdiction_id is None:
        return True
    return any(j.id == user.jurisdiction_id for j in jurisdiction.ancestors_and_self())


def ensure_manages(user: object, jurisdiction: Jurisdiction) -> None:
    if not isinstance(user, User) or user.role not in (Role.ADMIN, Role.ORGANISER):
        raise Forbidden("forbidden")
    if not manages(user, jurisdiction):
        raise Forbidden("out_of_scope")


def unlock_pin(user: User, deputy: Deputy) -> None:
    """An organiser who manages the deputy's jurisdiction unlocks a locked PIN."""
    ensure_manages(user, deputy.congress.jurisdiction)
    was_locked = deputy.pin_locked
    deputy.failed_pins = 0
    deputy.locked_at = None
    db.session.flush()
    audit("pin_unlocked", f"deputy:{deputy.code}", was_locked=was_locked)


def unlock_all_pins(user: User, body: Congress) -> list[str]:
    """Unlock every locked PIN of a congress at once (after a burst of guesses locked a
    hall's deputies): one audit entry naming them. Returns the codes unlocked."""
    ensure_manages(user, body.jurisdiction)
    locked = db.session.scalars(
        select(Deputy)
        .where(Deputy.congress_id == body.id, Deputy.locked_at.is_not(None))
        .order_by(Deputy.code)
    ).all()
    for deputy in locked:
        deputy.failed_pins = 0
        deputy.locked_at = None
    db.session.flush()
    codes = [d.code for d in locked]
    if codes:
        audit("pins_unlocked", f"congress:{body.id}", deputies=codes)
    return codes


def managed_congresses(user: User) -> list[Congress]:
    congresses = db.session.scalars(select(Congress).order_by(Congress.id)).all()
    return [c for c in congresses if manages(user, c.jurisdiction)]


def get_session(session_id: int, user: object | None = None) -> CongressSession:
    """A session, checked against the user's jurisdiction when a user is given."""
    sess = db.session.get(CongressSession, session_id)
    if sess is None:
        raise NotFound("not_found")
    if user is not None:
        ensure_manages(user, sess.congress.jurisdiction)
    return sess


def jurisdiction_by_code(code: str) -> Jurisdiction:
    node = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == (code or "")[:32]))
    if node is None:
        raise NotFound("not_found")
    return node


def subtree_ids(root_id: int) -> list[int]:
    """A jurisdiction and every jurisdiction under it, at any depth (the tree is small:
    read it whole)."""
    children: dict[int | None, list[int]] = {}
    for jid, parent in db.session.execute(select(Jurisdiction.id, Jurisdiction.parent_id)):
        children.setdefault(parent, []).append(jid)
    out, stack = [], [root_id]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(children.get(node, []))
    return out


def create_jurisdiction(code: str, name: str, level: str, parent_code: str | None) -> Jurisdiction:
    if level not in tuple(Level):
        raise invalid("level", _l("province, city, county or township"))
    parent = None
    if parent_code:
        parent = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == parent_code))
        if parent is None:
            raise invalid("parent", _l("no jurisdiction with code %(code)s", code=parent_code))
    node = Jurisdiction(code=code, name=name, level=level, parent=parent)
    db.session.add(node)
    db.session.flush()
    return node


def find_or_create_jurisdiction(
    code: str, name: str, level: str, parent_code: str | None
) -> Jurisdiction:
    existing = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == code))
    return existing or create_jurisdiction(code, name, level, parent_code)


def import_roster(
    body: Congress,
    upload: importing.Upload,
    *,
    actor: str,
    progress: importing.Progress = importing.INLINE,
) -> dict:
    """A roster from a file, every row or none: the rows checked (every bad cell reported,
    ImportRefused), each initial PIN hashed, then the deputies written in one transaction
    whose last statement is the import's one audit entry: the file's digest, its rows, the
    codes imported. Nothing before that entry takes the audit chain's head."""
    progress.stage("checking", upload.rows)
    parsed = importing.deputies(upload.table, existing_deputy_codes)
    progress.stage("hashing", len(parsed))
    for d in parsed:
        d["pin_hash"] = hash_secret(d.pop("pin"))
        progress.advance()
    progress.writing(len(parsed))
    if taken := existing_deputy_codes([d["code"] for d in parsed]):  # registered meanwhile
        raise importing.ImportRefused(
            [
                importing.RowError(d["row"], "代表编号", _l("already registered"))
                for d in parsed
                if d["code"] in taken
            ]
        )
    columns = ("code", "name", "pin_hash", "delegation", "status")
    for batch in importing.batches(parsed):
        rows = [{"congress_id": body.id, **{k: d[k] for k in columns}} for d in batch]
        db.session.execute(insert(Deputy.__table__), rows)  # the table's: no ORM objects
        progress.advance(len(batch))
    return importing.finish(
        "roster_imported",
        f"congress:{body.id}",
        actor,
        upload,
        len(parsed),
        deputies=[d["code"] for d in parsed],
    )


def existing_deputy_codes(codes: list[str]) -> set[str]:
    """Those of ``codes`` already taken, by a deputy or as a user's login."""
    if not codes:
        return set()
    taken = set(db.session.scalars(select(Deputy.code).where(Deputy.code.in_(codes))))
    return taken | set(db.session.scalars(select(User.login).where(User.login.in_(codes))))


def create_session(congress: Congress, name: str, when: date) -> CongressSession:
    sess = CongressSession(congress=congress, name=name, date=when)
    db.session.add(sess)
    db.session.flush()
    audit(
        "session_created",
        f"session:{sess.id}",
        congress=congress.id,
        name=name,
        date=when.isoformat(),
    )
    return sess


def current_deputies_count(congress_id: int) -> int:
    """全体代表: deputies whose mandate is current."""
    return db.session.scalar(
        select(func.count(Deputy.id)).where(
            Deputy.congress_id == congress_id, Deputy.status == MandateStatus.ACTIVE
        )
    )


def present_count(sess: CongressSession) -> int:
    """Checked-in deputies whose mandate is current."""
    return db.session.scalar(
        select(func.count(Attendance.id))
        .join(Deputy, Deputy.id == Attendance.deputy_id)
        .where(Attendance.session_id == sess.id, Deputy.status == MandateStatus.ACTIVE)
    )


def present_deputy_ids(sess: CongressSession) -> list[int]:
    """The checked-in deputies whose mandate is current."""
    return list(
        db.session.scalars(
            select(Attendance.deputy_id)
            .join(Deputy, Deputy.id == Attendance.deputy_id)
            .where(Attendance.session_id == sess.id, Deputy.status == MandateStatus.ACTIVE)
        )
    )


def quorum(sess: CongressSession) -> Quorum:
    return Quorum(total=current_deputies_count(sess.congress_id), present=present_count(sess))


def is_checked_in(sess_id: int, deputy_id: int) -> bool:
    return (
        db.session.scalar(
            select(Attendance.id).where(
                Attendance.session_id == sess_id, Attendance.deputy_id == deputy_id
            )
        )
        is not None
    )


def deputy_by_code(sess: CongressSession, code: str) -> Deputy:
    code = (code or "").strip()
    deputy = db.session.scalar(select(Deputy).where(Deputy.code == code)) if code else None
    if deputy is None:
        raise NotFound("not_found")
    if deputy.congress_id != sess.congress_id:
        raise InvalidInput("deputy_not_in_congress")
    return deputy


def check_in(sess: CongressSession, code: str) -> Deputy:
    """签到: mark a deputy present. Checking in twice is harmless."""
    deputy = deputy_by_code(sess, code)
    if not deputy.mandate_current:
        raise Conflict("mandate_not_current")
    if not is_checked_in(sess.id, deputy.id):
        db.session.add(Attendance(session_id=sess.id, deputy_id=deputy.id))
        db.session.flush()
        audit("checked_in", f"session:{sess.id}", deputy=deputy.code)
    return deputy


def undo_check_in(sess: CongressSession, code: str) -> Deputy:
    deputy = deputy_by_code(sess, code)
    row = db.session.scalar(
        select(Attendance).where(
            Attendance.session_id == sess.id, Attendance.deputy_id == deputy.id
        )
    )
    if row is not None:
        db.session.delete(row)
        db.session.flush()
        audit("check_in_undone", f"session:{sess.id}", deputy=deputy.code)
    return deputy


def search_deputies(sess: CongressSession, text: str, limit: int | None = 30) -> list[Deputy]:
    """Find deputies of the session's congress by code (exact or prefix) or name; all of
    them when ``limit`` is None."""
    text = (text or "").strip()
    query = select(Deputy).where(Deputy.congress_id == sess.congress_id)
    if text:
        query = query.where(
            or_(Deputy.code == text, Deputy.code.startswith(text), Deputy.name.contains(text))
        )
    query = query.order_by(Deputy.code)
    return list(db.session.scalars(query if limit is None else query.limit(limit)))


def checked_in_ids(sess: CongressSession) -> set[int]:
    return set(
        db.session.scalars(select(Attendance.deputy_id).where(Attendance.session_id == sess.id))
    )
