"""The outbox of messages to citizens: one row a message, sent by the worker
(``stations.worker``). It holds the opinion's id and the text, never the phone: the worker
reads the phone from the opinion, decrypted only when it sends."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from votesys.extensions import db
from votesys.models_base import utcnow


class MessageState(StrEnum):
    PENDING = "pending"  # waiting for its (next) attempt
    SENDING = "sending"  # claimed by a worker until lease_until
    SENT = "sent"  # the gateway took it
    FAILED = "failed"  # gave up after the last attempt; shown on the desk
    CANCELLED = "cancelled"  # the citizen's contact details were erased, or consent withdrawn


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_state_next", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    opinion_id: Mapped[int] = mapped_column(
        ForeignKey("opinions.id", ondelete="CASCADE"), index=True
    )
    # Sent with every attempt: the gateway keeps one message per id, however often it arrives.
    idempotency_id: Mapped[str] = mapped_column(String(36), unique=True)
    step: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(12), default=MessageState.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None]
    claim: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    opinion = relationship("Opinion")
