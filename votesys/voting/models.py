"""Tables of the vote. The roll (who voted) and the ballots (what was marked) never meet."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    ForeignKey,
    Index,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from votesys.extensions import db
from votesys.models_base import utcnow
from votesys.voting import (
    call_models,  # noqa: F401  (its table joins the metadata here)
    jurisdiction_rules_models,  # noqa: F401  (its tables, likewise)
    paper_models,  # noqa: F401  (its table joins the metadata here)
    scrutiny_models,  # noqa: F401  (its tables join the metadata here)
)
from votesys.voting.rules import BallotStyle, PassageBase, VoteMode


class VoteState(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"


class Candidate(db.Model):
    """候选项目: a candidate livelihood project put before a session."""

    __tablename__ = "candidates"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    responsible_unit: Mapped[str] = mapped_column(String(200), default="")
    budget_wan: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))


class Vote(db.Model):
    """票决: one secret vote on a list of candidates, for ``seats`` places."""

    __tablename__ = "votes"
    __table_args__ = (
        # A vote has at most one runoff, and a session at most one open vote: checked in the
        # services, and held by the database when two clicks race.
        Index("uq_votes_runoff_of_id", "runoff_of_id", unique=True),
        Index(
            "uq_votes_one_open_per_session",
            "session_id",
            unique=True,
            sqlite_where=text("state = 'open'"),
            postgresql_where=text("state = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    seats: Mapped[int]
    max_for: Mapped[int]
    style: Mapped[str] = mapped_column(String(20), default=BallotStyle.PER_CANDIDATE)
    base: Mapped[str] = mapped_column(String(20), default=PassageBase.ALL_DEPUTIES)
    mode: Mapped[str] = mapped_column(String(20), default=VoteMode.ELECTRONIC)
    state: Mapped[str] = mapped_column(String(20), default=VoteState.DRAFT)
    runoff_of_id: Mapped[int | None] = mapped_column(ForeignKey("votes.id"))
    # 试投票: tests the tablets before the first vote. Cast through the same path; at the
    # close its ballots are dropped uncounted; never published, never in the register.
    practice: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The ballot box's public key (X25519, hex): ballots are sealed to it while the vote is
    # open; its private half lives outside the database until the close (voting.ballot_box).
    box_key: Mapped[str | None] = mapped_column(String(64))
    # Fixed when the vote opens: the roll figures every rule is applied to.
    total_deputies: Mapped[int | None]
    present_at_open: Mapped[int | None]
    # Fixed when the vote closes.
    ballots_cast: Mapped[int | None]
    valid_ballots: Mapped[int | None]
    threshold: Mapped[int | None]
    runoff_needed: Mapped[bool] = mapped_column(default=False)
    places_left: Mapped[int | None]
    void_reason: Mapped[str | None] = mapped_column(String(40))
    # Paper votes: the counted totals entered by the organiser.
    paper_issued: Mapped[int | None]
    paper_returned: Mapped[int | None]
    paper_invalid: Mapped[int | None]
    # 改用纸质选票: an open electronic vote switched to paper (voting.fallback). Casting stops
    # (the casting check reads this column with the state); the tellers count the rest.
    fallback_at: Mapped[datetime | None]
    fallback_reason: Mapped[str | None] = mapped_column(String(500))
    # The time limit set at the opening, if any (voting.countdown): the hall and the tablets
    # count down to it from the server's clock; at zero the desk is prompted to close. It
    # closes nothing: closing stays the organiser's act, and ballots count until then.
    closes_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]

    session = relationship("CongressSession")
    runoff_of = relationship("Vote", remote_side=[id])
    entries = relationship(
        "VoteCandidate", order_by="VoteCandidate.position", cascade="all, delete-orphan"
    )


class VoteCandidate(db.Model):
    """A candidate on a vote's ballot, in ballot order; the counts and decision after closing."""

    __tablename__ = "vote_candidates"

    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id"), primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), primary_key=True)
    position: Mapped[int]
    votes_for: Mapped[int | None]
    votes_against: Mapped[int | None]
    votes_abstain: Mapped[int | None]
    # Rating votes only: the 基本满意 count and the rating (满意 / 基本满意 / 不满意).
    votes_basic: Mapped[int | None]
    rating: Mapped[str | None] = mapped_column(String(30))
    passed: Mapped[bool | None]
    rank: Mapped[int | None]
    approved: Mapped[bool | None]
    tied: Mapped[bool | None]

    candidate = relationship("Candidate")


class RollEntry(db.Model):
    """The roll: only THAT a deputy voted. No timestamp, no link to the ballot.

    The primary key makes a second ballot of the same deputy impossible at the database.
    ``receipt`` is the tracker shown to the deputy; ``idempotency_key`` lets a retried
    submission get its first answer back.
    """

    __tablename__ = "roll_entries"
    __table_args__ = (UniqueConstraint("vote_id", "receipt"),)

    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id"), primary_key=True)
    deputy_id: Mapped[int] = mapped_column(ForeignKey("deputies.id"), primary_key=True)
    receipt: Mapped[str] = mapped_column(String(16))
    idempotency_key: Mapped[str | None] = mapped_column(String(64))


class Ballot(db.Model):
    """An anonymous ballot: a random id and the marks, one letter per ballot position.

    While the vote is open ``marks`` holds the marks sealed to the vote's ballot box
    (``voting.ballot_box``: ``x1:`` and base64); the close opens them and writes them in the
    clear, under fresh ids, in a random order.

    ``F`` for, ``A`` against, ``N`` abstain (or not ticked, on an approval ballot); on a
    rating ballot ``S`` 满意, ``B`` 基本满意, ``U`` 不满意, ``N`` not rated.
    No deputy, no time, no sequential key; on SQLite the table has no rowid, so rows are
    stored in the order of their random ids, not in the order they were cast.
    """

    __tablename__ = "ballots"
    __table_args__ = (Index("ix_ballots_vote_id", "vote_id"), {"sqlite_with_rowid": False})

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id"))
    marks: Mapped[str] = mapped_column(String(800))


class PresentAtOpening(db.Model):
    """The deputies counted present when the vote opened: those, and only those, may vote in
    it. Written from the same read as the count, so the two agree by construction."""

    __tablename__ = "present_at_opening"

    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id"), primary_key=True)
    deputy_id: Mapped[int] = mapped_column(ForeignKey("deputies.id"), primary_key=True)


class VoteRecord(db.Model):
    """The election record of a closed vote: the exact signed bytes and the signature."""

    __tablename__ = "vote_records"

    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id"), primary_key=True)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    key_fingerprint: Mapped[str] = mapped_column(String(64))


class RatedProject(db.Model):
    """A rating vote's candidate stands for a project of the register (满意度测评): the link
    from the ballot to the project it rates. The register makes it when it puts its projects
    to a rating vote."""

    __tablename__ = "rated_projects"

    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
