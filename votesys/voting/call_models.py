"""The table of calls for staff (呼叫工作人员): a deputy at a tablet asks for help at the seat.

A call names the session and the deputy, never a vote or anything marked: the desk learns who
needs help, and when, nothing more."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from votesys.extensions import db
from votesys.models_base import utcnow


class StaffCall(db.Model):
    """One press of the call button, open until staff answer it or the deputy cancels it."""

    __tablename__ = "staff_calls"
    __table_args__ = (
        # A deputy has at most one open call: pressing again is the same call (checked in
        # voting.calls, held by the database when two presses race).
        Index(
            "uq_staff_calls_one_open_per_deputy",
            "deputy_id",
            unique=True,
            sqlite_where=text("answered_at IS NULL AND cancelled_at IS NULL"),
            postgresql_where=text("answered_at IS NULL AND cancelled_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"), index=True)
    deputy_id: Mapped[int] = mapped_column(ForeignKey("deputies.id"))
    made_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cancelled_at: Mapped[datetime | None]

    deputy = relationship("Deputy")
