"""Tables of the stations: stations, reception days, the public's opinions and their steps.

A citizen's name and phone are stored only as Fernet tokens (see ``votesys.personal``).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from votesys.extensions import db
from votesys.models_base import utcnow


class StationKind(StrEnum):
    STATION = "station"  # 代表联系群众工作站
    ROOM = "room"  # 代表工作室
    RECEPTION_ROOM = "reception_room"  # 接待室
    BUILDING = "building"  # 楼宇联络站
    INDUSTRIAL_PARK = "industrial_park"  # 园区联络站


class Source(StrEnum):
    RECEPTION = "reception"  # registered at a station's reception
    ONLINE = "online"  # a citizen's own submission
    DEPUTY = "deputy"  # a deputy's own contacts


class Step(StrEnum):
    """The seven steps (七步工作法), in order."""

    RECEIVED = "received"  # 接待
    REGISTERED = "registered"  # 登记
    HANDLING = "handling"  # 处理
    SUPERVISED = "supervised"  # 督办
    REPLIED = "replied"  # 回复
    FEEDBACK = "feedback"  # 反馈
    ARCHIVED = "archived"  # 归档


class Route(StrEnum):
    """Whose power the matter falls under, decided when handling starts."""

    TOWNSHIP_ORDINARY = "township_ordinary"
    TOWNSHIP_MAJOR = "township_major"
    COUNTY_OR_ABOVE = "county_or_above"
    NOT_ACCEPTED = "not_accepted"


class Feedback(StrEnum):
    SATISFIED = "satisfied"  # 满意
    BASICALLY = "basically"  # 基本满意
    UNSATISFIED = "unsatisfied"  # 不满意


class Station(db.Model):
    """代表联系群众工作站 (or 联络站, 工作室, 接待室) of a jurisdiction."""

    __tablename__ = "stations"

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(
        ForeignKey("jurisdictions.id"), index=True, active_history=True
    )
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default=StationKind.STATION)
    address: Mapped[str] = mapped_column(String(300), default="")
    opening_hours: Mapped[str] = mapped_column(String(200), default="")
    contact: Mapped[str] = mapped_column(String(200), default="")
    # Fixed reception days of every month, e.g. "10,20,30" (逢十接待).
    reception_days: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    jurisdiction = relationship("Jurisdiction")

    @property
    def fixed_days(self) -> list[int]:
        return [int(d) for d in self.reception_days.split(",") if d]


class StationDeputy(db.Model):
    """A deputy stationed at a station (进站). A deputy of any level, at several stations."""

    __tablename__ = "station_deputies"

    station_id: Mapped[int] = mapped_column(
        ForeignKey("stations.id", ondelete="CASCADE"), primary_key=True
    )
    deputy_id: Mapped[int] = mapped_column(
        ForeignKey("deputies.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    deputy = relationship("Deputy")


class Reception(db.Model):
    """接待日: a dated reception session with the deputies on duty; public once published."""

    __tablename__ = "receptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(
        ForeignKey("stations.id"), index=True, active_history=True
    )
    date: Mapped[date] = mapped_column(active_history=True)
    hours: Mapped[str] = mapped_column(String(100), default="")
    topic: Mapped[str] = mapped_column(String(200), default="")
    published_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    station = relationship("Station")


class ReceptionDuty(db.Model):
    """A deputy on duty at a reception; counts as one attendance (人次) once it is held."""

    __tablename__ = "reception_duties"

    reception_id: Mapped[int] = mapped_column(
        ForeignKey("receptions.id", ondelete="CASCADE"), primary_key=True
    )
    deputy_id: Mapped[int] = mapped_column(
        ForeignKey("deputies.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    deputy = relationship("Deputy")


class ReserveItem(db.Model):
    """储备库: a project idea kept for a later year, made from opinions."""

    __tablename__ = "reserve_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    jurisdiction = relationship("Jurisdiction")


class Opinion(db.Model):
    """意见建议: one citizen's problem or idea, followed through the seven steps."""

    __tablename__ = "opinions"
    __table_args__ = (
        Index("ix_opinions_jurisdiction_received", "jurisdiction_id", "received_on"),
        Index("ix_opinions_station_received", "station_id", "received_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_code: Mapped[str] = mapped_column(String(16), unique=True)
    # active history: the roll-ups learn the unit an opinion leaves (votesys.congress.rollups)
    jurisdiction_id: Mapped[int] = mapped_column(
        ForeignKey("jurisdictions.id"), active_history=True
    )
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"))
    reception_id: Mapped[int | None] = mapped_column(ForeignKey("receptions.id"))
    source: Mapped[str] = mapped_column(String(20))
    received_on: Mapped[date] = mapped_column(active_history=True)
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(20), index=True)
    place: Mapped[str] = mapped_column(String(200), default="")
    # Personal data: Fernet tokens, never plain text.
    citizen_name_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    citizen_phone_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The citizen agreed to a message at each step (stations.notify); the day their name and
    # phone were erased (stations.lifetime), at their request or at the end of the retention.
    notify_consent: Mapped[bool] = mapped_column(default=False, server_default=false())
    contact_erased_on: Mapped[date | None]
    # The citizen chose to publish it (never their name or phone); staff may hide it, audited
    # (stations.publicity). Published and not hidden: a public page, open to support (附议).
    public: Mapped[bool] = mapped_column(default=False, server_default=false())
    hidden_at: Mapped[datetime | None]
    hidden_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    status: Mapped[str] = mapped_column(String(20), default=Step.RECEIVED, index=True)
    route: Mapped[str | None] = mapped_column(String(20))
    handling_unit: Mapped[str] = mapped_column(String(200), default="")
    handed_on_at: Mapped[date | None]
    due_on: Mapped[date | None]
    reason: Mapped[str] = mapped_column(Text, default="")  # why not accepted
    reply: Mapped[str] = mapped_column(Text, default="")  # 回复, shown to the citizen
    replied_on: Mapped[date | None]
    feedback: Mapped[str | None] = mapped_column(String(20))
    closed_on: Mapped[date | None]
    created_by: Mapped[str] = mapped_column(String(100))  # "user:<login>", "deputy:<code>"
    candidate_id: Mapped[int | None] = mapped_column(ForeignKey("candidates.id"), index=True)
    reserve_item_id: Mapped[int | None] = mapped_column(ForeignKey("reserve_items.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    jurisdiction = relationship("Jurisdiction")
    station = relationship("Station")
    candidate = relationship("Candidate")
    reserve_item = relationship("ReserveItem")
    steps = relationship("OpinionStep", order_by="OpinionStep.id", back_populates="opinion")


class OpinionDeputy(db.Model):
    """A deputy linked to an opinion: present at its reception, entered it, or signed the
    suggestion (代表建议) it became."""

    __tablename__ = "opinion_deputies"

    opinion_id: Mapped[int] = mapped_column(
        ForeignKey("opinions.id", ondelete="CASCADE"), primary_key=True
    )
    deputy_id: Mapped[int] = mapped_column(
        ForeignKey("deputies.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)  # received | signed

    deputy = relationship("Deputy")


class OpinionStep(db.Model):
    """One move of an opinion: who, when, from which step to which, and a note."""

    __tablename__ = "opinion_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    opinion_id: Mapped[int] = mapped_column(
        ForeignKey("opinions.id", ondelete="CASCADE"), index=True
    )
    from_step: Mapped[str | None] = mapped_column(String(20))
    to_step: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")

    opinion = relationship("Opinion", back_populates="steps")
