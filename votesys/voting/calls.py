"""呼叫工作人员: a deputy's tablet calls the staff to the seat; the desk sees it and answers.

A call names the deputy and the session, never a vote, a ballot or a mark. Pressing the
button again while a call is open is the same call (one open call per deputy); a new call
comes at most every CALL_EVERY_SECONDS, so that pressing and cancelling in turn cannot flood
the desk or the audit chain."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from votesys import clock
from votesys.congress.models import Attendance, CongressSession, Deputy
from votesys.errors import Conflict, DomainError
from votesys.extensions import db
from votesys.integrity.services import audit
from votesys.models_base import utcnow
from votesys.voting.call_models import StaffCall
from votesys.voting.models import Vote, VoteState

CALL_EVERY_SECONDS = 10


class TooSoon(DomainError):
    status = 429


def open_call(deputy: Deputy) -> StaffCall | None:
    """The deputy's call waiting for staff, if any."""
    return db.session.scalar(
        select(StaffCall).where(
            StaffCall.deputy_id == deputy.id,
            StaffCall.answered_at.is_(None),
            StaffCall.cancelled_at.is_(None),
        )
    )


def session_for(deputy: Deputy) -> CongressSession | None:
    """The session a deputy's call is made in: that of the congress's open vote; else the
    latest the deputy checked in to; else the congress's latest."""
    by_vote = db.session.scalar(
        select(CongressSession)
        .join(Vote, Vote.session_id == CongressSession.id)
        .where(CongressSession.congress_id == deputy.congress_id, Vote.state == VoteState.OPEN)
        .order_by(Vote.id)
    )
    if by_vote is not None:
        return by_vote
    checked_in = db.session.scalar(
        select(CongressSession)
        .join(Attendance, Attendance.session_id == CongressSession.id)
        .where(Attendance.deputy_id == deputy.id)
        .order_by(Attendance.checked_in_at.desc(), CongressSession.id.desc())
    )
    if checked_in is not None:
        return checked_in
    return db.session.scalar(
        select(CongressSession)
        .where(CongressSession.congress_id == deputy.congress_id)
        .order_by(CongressSession.date.desc(), CongressSession.id.desc())
    )


def call_staff(deputy: Deputy) -> StaffCall:
    """Call the staff: the open call if there is one (the same call, not another), else a
    new one, refused (429) within CALL_EVERY_SECONDS of the deputy's last call."""
    existing = open_call(deputy)
    if existing is not None:
        return existing
    sess = session_for(deputy)
    if sess is None:
        raise Conflict("no_session_to_call")
    last = db.session.scalar(
        select(StaffCall.made_at)
        .where(StaffCall.deputy_id == deputy.id)
        .order_by(StaffCall.made_at.desc())
    )
    if last is not None and utcnow() - last < timedelta(seconds=CALL_EVERY_SECONDS):
        raise TooSoon("call_too_soon", seconds=CALL_EVERY_SECONDS)
    call = StaffCall(session_id=sess.id, deputy_id=deputy.id, made_at=utcnow())
    try:
        with db.session.begin_nested():  # two presses at once: the database keeps one
            db.session.add(call)
    except IntegrityError:
        existing = open_call(deputy)
        if existing is None:  # pragma: no cover - the other press's call was answered since
            raise Conflict("conflict") from None
        return existing
    audit("staff_called", f"session:{sess.id}", deputy=deputy.code)
    return call


def cancel_call(deputy: Deputy) -> None:
    """The deputy takes the call back (no help needed after all); nothing if none is open."""
    call = open_call(deputy)
    if call is None:
        return
    call.cancelled_at = utcnow()
    db.session.flush()
    audit("staff_call_cancelled", f"session:{call.session_id}", deputy=deputy.code)


def open_calls(sess: CongressSession) -> list[StaffCall]:
    """The session's calls waiting for staff, the oldest first."""
    return list(
        db.session.scalars(
            select(StaffCall)
            .where(
                StaffCall.session_id == sess.id,
                StaffCall.answered_at.is_(None),
                StaffCall.cancelled_at.is_(None),
            )
            .order_by(StaffCall.made_at, StaffCall.id)
        )
    )


def answer_call(sess: CongressSession, deputy_id: int, user) -> StaffCall:
    """Staff have gone to the deputy: the call is answered (409 if none is open, e.g. the
    deputy cancelled it, or another desk answered it first)."""
    call = db.session.scalar(
        select(StaffCall).where(
            StaffCall.session_id == sess.id,
            StaffCall.deputy_id == deputy_id,
            StaffCall.answered_at.is_(None),
            StaffCall.cancelled_at.is_(None),
        )
    )
    if call is None:
        raise Conflict("no_open_call")
    call.answered_at = utcnow()
    call.answered_by_id = user.id
    db.session.flush()
    audit("staff_call_answered", f"session:{sess.id}", deputy=call.deputy.code)
    return call


def call_dict(call: StaffCall) -> dict[str, Any]:
    """A call as the desk and the API show it: who and since when, nothing of any vote."""
    return {
        "session": call.session_id,
        "deputy_id": call.deputy_id,
        "code": call.deputy.code,
        "name": call.deputy.name,
        "delegation": call.deputy.delegation,
        "made_at": call.made_at.isoformat(timespec="seconds") + "Z",
        "made_at_local": local_clock(call.made_at),
    }


def local_clock(at) -> str:
    """A stored time as the clock at the congress reads it: "14:05"."""
    return clock.local_time(at).strftime("%H:%M")


def calls_dict(sess: CongressSession) -> dict[str, Any]:
    return {"session": sess.id, "calls": [call_dict(c) for c in open_calls(sess)]}
