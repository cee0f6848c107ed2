"""Tables of the congress: the jurisdiction tree, congresses, deputies, sessions, check-in;
and the background jobs of large imports (votesys.congress.jobs)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from votesys.auth.principals import register_deputies
from votesys.extensions import db
from votesys.models_base import utcnow


class Level(StrEnum):
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"
    TOWNSHIP = "township"


class MandateStatus(StrEnum):
    ACTIVE = "active"
    TERMINATED = "terminated"


class Jurisdiction(db.Model):
    """行政区划: a node of the tree province > city > county/district > township/street."""

    __tablename__ = "jurisdictions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("jurisdictions.id"))

    parent = relationship("Jurisdiction", remote_side=[id])

    def ancestors_and_self(self) -> list[Jurisdiction]:
        chain, node = [], self
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain


class Congress(db.Model):
    """人民代表大会 of a jurisdiction, for one term (届)."""

    __tablename__ = "congresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"))
    name: Mapped[str] = mapped_column(String(200))
    term: Mapped[int]

    jurisdiction = relationship("Jurisdiction")


class Deputy(db.Model):
    """人大代表. Logs in on a tablet with code + PIN; the PIN is stored hashed."""

    __tablename__ = "deputies"

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congresses.id"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    delegation: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(20), default=MandateStatus.ACTIVE)
    pin_hash: Mapped[str] = mapped_column(String(255))
    # Wrong PINs in a row; at PIN_LOCK_AFTER the PIN locks (locked_at) until an organiser of
    # the deputy's jurisdiction unlocks it. In the database, so every process and host agrees.
    failed_pins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_at: Mapped[datetime | None]
    # Bumped by logout and PIN change: a session cookie signed before it is no longer accepted.
    auth_epoch: Mapped[int] = mapped_column(default=0, server_default="0")
    # 长辈模式: how the deputy's tablet pages are shown (congress.display), kept with the
    # deputy and not with a vote, since every tablet page shows it, whichever floor renders it.
    text_size: Mapped[str] = mapped_column(
        String(10), default="standard", server_default="standard"
    )
    high_contrast: Mapped[bool] = mapped_column(default=False, server_default=false())

    congress = relationship("Congress")

    # Flask-Login protocol
    is_authenticated = True
    is_anonymous = False
    role = "deputy"

    @property
    def is_active(self) -> bool:
        return True

    def get_id(self) -> str:
        return f"d:{self.id}"

    @property
    def is_deputy(self) -> bool:
        return True

    @property
    def pin_locked(self) -> bool:
        return self.locked_at is not None

    @property
    def mandate_current(self) -> bool:
        return self.status == MandateStatus.ACTIVE

    @property
    def display_name(self) -> str:
        return self.name


class CongressSession(db.Model):
    """会议: one sitting of a congress (e.g. 一届人大一次会议), where votes are held."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congresses.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    date: Mapped[date]

    congress = relationship("Congress")


class Attendance(db.Model):
    """签到: a deputy checked in for a session at the desk."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("session_id", "deputy_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    deputy_id: Mapped[int] = mapped_column(ForeignKey("deputies.id", ondelete="CASCADE"))
    checked_in_at: Mapped[datetime] = mapped_column(default=utcnow)

    deputy = relationship("Deputy")


# Deputies sign in with their code and PIN through auth, which knows them only from here.
register_deputies(Deputy)


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(db.Model):
    """A large import run in the background (votesys.congress.jobs). This row is what every
    server process reads: its state, its progress and, once it ends, its outcome. The file
    itself is never stored (a roster holds initial PINs): the job's thread holds its rows."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # roster, candidates, plan, progress
    object: Mapped[str] = mapped_column(String(100))  # what it imports into: congress:3, …
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(10), default=JobState.QUEUED)
    stage: Mapped[str] = mapped_column(String(20), default="")  # checking, hashing, writing
    rows_done: Mapped[int] = mapped_column(default=0)
    rows_total: Mapped[int] = mapped_column(default=0)
    result: Mapped[str | None] = mapped_column(Text)  # JSON: the counts of a job done
    error: Mapped[str | None] = mapped_column(String(20))  # import_refused, import_conflict, …
    errors: Mapped[str | None] = mapped_column(Text)  # JSON: the rows refused
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Renewed at least every few seconds while the job is queued or running: a job not heard
    # from for longer was interrupted (its server process ended) and wrote nothing.
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    jurisdiction = relationship("Jurisdiction")
