"""Tables of an opinion's photos (staff only unless it is published) and of the public's
support (附议) for a published opinion: one row per browser."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from votesys.extensions import db
from votesys.models_base import utcnow


class OpinionPhoto(db.Model):
    """A photo sent with an opinion, re-encoded on upload (no EXIF, no metadata), stored as
    bytes as a progress report's photos are."""

    __tablename__ = "opinion_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    opinion_id: Mapped[int] = mapped_column(
        ForeignKey("opinions.id", ondelete="CASCADE"), index=True
    )
    mime: Mapped[str] = mapped_column(String(20))
    width: Mapped[int]
    height: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)  # read only when served


class OpinionSupport(db.Model):
    """附议: one browser's support of a published opinion. The browser is kept as a keyed hash
    of its random id (a cookie), never an address or anything of the person."""

    __tablename__ = "opinion_supports"
    __table_args__ = (UniqueConstraint("opinion_id", "browser_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    opinion_id: Mapped[int] = mapped_column(
        ForeignKey("opinions.id", ondelete="CASCADE"), index=True
    )
    browser_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
