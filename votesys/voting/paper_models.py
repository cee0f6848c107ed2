"""The tellers' paper totals of a vote as entered, before and after a scrutineer confirms them
(四眼原则: entered by one person, effective only when a scrutineer of the session, another
person, confirms them; at once where the session has no scrutineers). One row a vote: a
correction replaces the entry (its ``revision`` goes up) and the audit chain keeps each."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column

from votesys.extensions import db
from votesys.models_base import utcnow


class PaperEntry(db.Model):
    """The paper totals of a paper vote, or of the paper part of a vote switched to paper."""

    __tablename__ = "paper_entries"

    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id"), primary_key=True)
    # 1 for the first entry, then one more for each correction: a confirmation names the
    # revision its scrutineer saw, so that nobody confirms figures they were not shown.
    revision: Mapped[int] = mapped_column(default=1)
    issued: Mapped[int]
    returned: Mapped[int]
    invalid: Mapped[int]
    # {"<candidate id>": [for, against, abstain]}
    counts: Mapped[dict] = mapped_column(JSON)
    # Who entered them: the actor as the audit chain names them ("user:login") and name.
    entered_by: Mapped[str] = mapped_column(String(120))
    entered_by_name: Mapped[str] = mapped_column(String(100), default="")
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Effective: confirmed by a scrutineer, or entered where the session has none.
    effective: Mapped[bool] = mapped_column(default=False, server_default=false())
    confirmed_by: Mapped[int | None] = mapped_column(ForeignKey("deputies.id"))
    confirmed_at: Mapped[datetime | None]
