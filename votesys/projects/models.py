"""Tables of the register: units, projects and their plan, reports, changes, supervision."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, LargeBinary, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from votesys.extensions import db
from votesys.models_base import utcnow


class Completion(StrEnum):
    THIS_YEAR = "this_year"
    TWO_YEARS = "two_years"
    LONG_TERM = "long_term"


class Status(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    DELAYED = "delayed"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"


class Rating(StrEnum):
    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    UNSATISFIED = "unsatisfied"


class Unit(db.Model):
    """责任单位: a government department or office responsible for projects."""

    __tablename__ = "units"
    __table_args__ = (Index("uq_units_jurisdiction_name", "jurisdiction_id", "name", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"))
    name: Mapped[str] = mapped_column(String(200))

    jurisdiction = relationship("Jurisdiction")


class Project(db.Model):
    """民生实事项目: an approved project and its implementation plan (实施计划).

    ``status``, ``progress`` are the latest report's; ``rating`` the latest satisfaction
    rating; ``rectification`` (整改) is set by a 不满意 rating and cleared by a later better one.
    """

    __tablename__ = "projects"
    __table_args__ = (Index("ix_projects_jurisdiction_year", "jurisdiction_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The public, readable id of the project's page (year, jurisdiction code, number):
    # given once at registration, it survives renames.
    ref: Mapped[str] = mapped_column(String(48), unique=True)
    # active history: the roll-ups learn the unit a project leaves (votesys.congress.rollups)
    jurisdiction_id: Mapped[int] = mapped_column(
        ForeignKey("jurisdictions.id"), active_history=True
    )
    year: Mapped[int] = mapped_column(active_history=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(20), default="other")
    vote_id: Mapped[int | None] = mapped_column(ForeignKey("votes.id"))
    candidate_id: Mapped[int | None] = mapped_column(ForeignKey("candidates.id"), unique=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    lead_official: Mapped[str] = mapped_column(String(100), default="")
    completion: Mapped[str] = mapped_column(String(20), default=Completion.THIS_YEAR)
    planned_start: Mapped[date | None]
    planned_finish: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(20), default=Status.NOT_STARTED)
    progress: Mapped[int] = mapped_column(default=0)
    rating: Mapped[str | None] = mapped_column(String(30))
    rating_year: Mapped[int | None]
    rectification: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    jurisdiction = relationship("Jurisdiction")
    unit = relationship("Unit")
    targets = relationship(
        "Target", order_by="Target.id", cascade="all, delete-orphan", back_populates="project"
    )
    milestones = relationship(
        "Milestone", order_by="Milestone.planned_date", cascade="all, delete-orphan"
    )
    funding = relationship("Funding", order_by="Funding.source", cascade="all, delete-orphan")
    stages = relationship("StageTarget", order_by="StageTarget.year", cascade="all, delete-orphan")
    supervisors = relationship("Supervisor", cascade="all, delete-orphan")


class StageTarget(db.Model):
    """年度阶段性目标: what a multi-year project should reach by the end of a given year."""

    __tablename__ = "project_stage_targets"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(primary_key=True)
    description: Mapped[str] = mapped_column(String(500))


class Target(db.Model):
    """A quantified target, e.g. "培训 2000 人"; ``actual`` is the latest reported value."""

    __tablename__ = "project_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(20))
    target: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    actual: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))

    project = relationship("Project", back_populates="targets")


class Milestone(db.Model):
    """A milestone with its planned date; ``done_on`` once ticked off."""

    __tablename__ = "project_milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    planned_date: Mapped[date]
    done_on: Mapped[date | None]


class Funding(db.Model):
    """资金计划: the planned amount from one funding source, in 万元."""

    __tablename__ = "project_funding"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    source: Mapped[str] = mapped_column(String(32), primary_key=True)
    amount_wan: Mapped[Decimal] = mapped_column(Numeric(14, 2))


class Supervisor(db.Model):
    """A deputy of the group assigned by the organisers to supervise a project."""

    __tablename__ = "project_supervisors"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    deputy_id: Mapped[int] = mapped_column(
        ForeignKey("deputies.id", ondelete="CASCADE"), primary_key=True
    )

    deputy = relationship("Deputy")


class Report(db.Model):
    """进度报告 by the responsible unit; the latest one is the project's state."""

    __tablename__ = "progress_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    reported_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(20))
    progress: Mapped[int]
    narrative: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(String(64), default="")
    # Why this report lowers a source's spending (spending is cumulative): None otherwise.
    correction: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    values = relationship("ReportValue", cascade="all, delete-orphan")
    spending = relationship("Spending", order_by="Spending.source", cascade="all, delete-orphan")
    photos = relationship("Photo", order_by="Photo.id", cascade="all, delete-orphan")


class ReportValue(db.Model):
    """A target's actual value as of a report."""

    __tablename__ = "report_values"

    report_id: Mapped[int] = mapped_column(
        ForeignKey("progress_reports.id", ondelete="CASCADE"), primary_key=True
    )
    target_id: Mapped[int] = mapped_column(
        ForeignKey("project_targets.id", ondelete="CASCADE"), primary_key=True
    )
    actual: Mapped[Decimal] = mapped_column(Numeric(14, 2))


class Spending(db.Model):
    """Money spent so far from one source, as of a report, in 万元 (cumulative)."""

    __tablename__ = "report_spending"

    report_id: Mapped[int] = mapped_column(
        ForeignKey("progress_reports.id", ondelete="CASCADE"), primary_key=True
    )
    source: Mapped[str] = mapped_column(String(32), primary_key=True)
    amount_wan: Mapped[Decimal] = mapped_column(Numeric(14, 2))


class Photo(db.Model):
    """A report's photo, re-encoded on upload (no EXIF, no metadata), stored as bytes."""

    __tablename__ = "report_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("progress_reports.id", ondelete="CASCADE"), index=True
    )
    mime: Mapped[str] = mapped_column(String(20))
    width: Mapped[int]
    height: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)  # read only when served


class ChangeRequest(db.Model):
    """调整 / 暂缓 / 终止: a requested change; only an approved one alters the plan."""

    __tablename__ = "change_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    # What the change would set, as canonical JSON: new_finish, funding, scope.
    proposal: Mapped[str] = mapped_column(Text, default="{}")
    state: Mapped[str] = mapped_column(String(20), default="pending")
    requested_by: Mapped[str] = mapped_column(String(64), default="")
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decision_ref: Mapped[str | None] = mapped_column(String(200))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]


class SupervisionRecord(db.Model):
    """监督: a deputy's inspection (视察) or comment, or an organisers' progress hearing."""

    __tablename__ = "supervision_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    held_on: Mapped[date]
    deputy_id: Mapped[int | None] = mapped_column(ForeignKey("deputies.id"))
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    deputy = relationship("Deputy")


class CitizenRating(db.Model):
    """群众满意度: one citizen's rating of a project, from the form its poster (民生码) opens.
    Never the deputies' rating (``Project.rating``, from a rating vote). The phone is kept
    only as ``phone_hash``, an HMAC under the installation's rating key over the project and
    the normalised number (projects.citizen_ratings): repeats are caught, the number cannot
    be read back, and one phone's ratings of two projects cannot be linked."""

    __tablename__ = "citizen_ratings"
    __table_args__ = (
        Index("uq_citizen_ratings_project_phone", "project_id", "phone_hash", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    choice: Mapped[str] = mapped_column(String(30))
    phone_hash: Mapped[str] = mapped_column(String(64))
    comment: Mapped[str] = mapped_column(Text, default="")  # staff only
    rated_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
