"""Accounts of organisers and administrators, and the bearer tokens of the JSON API."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from votesys.extensions import db
from votesys.models_base import utcnow


class Role(StrEnum):
    ADMIN = "admin"
    ORGANISER = "organiser"
    DEPUTY = "deputy"
    STATION_STAFF = "station_staff"
    UNIT = "unit"  # 责任单位: reports on its own unit's projects only


class User(db.Model):
    """An organiser (人大常委会 / 主席团 staff), an administrator or a station's staff."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    # None: manages every jurisdiction.
    jurisdiction_id: Mapped[int | None] = mapped_column(ForeignKey("jurisdictions.id"))
    # Station staff only: the station whose schedule and opinions they manage.
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"))
    # Role.UNIT only: the responsible unit this account reports for.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Bumped by logout: a session cookie signed before it is no longer accepted.
    auth_epoch: Mapped[int] = mapped_column(default=0, server_default="0")

    jurisdiction = relationship("Jurisdiction")
    station = relationship("Station")
    unit = relationship("Unit")

    # Flask-Login protocol
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"u:{self.id}"

    @property
    def is_deputy(self) -> bool:
        return False

    @property
    def display_name(self) -> str:
        return self.name or self.login


class ApiToken(db.Model):
    """A bearer token; only its SHA-256 is stored. Belongs to a user or to a deputy."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    deputy_id: Mapped[int | None] = mapped_column(ForeignKey("deputies.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # After this instant (UTC) the token is refused; a token without one (issued before
    # expiry existed) is refused too.
    expires_at: Mapped[datetime | None]
    revoked: Mapped[bool] = mapped_column(default=False)
