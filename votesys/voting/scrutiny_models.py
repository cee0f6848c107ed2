"""Tables of the scrutiny of a session's votes: the scrutineers (监票人) who watch the count and
confirm each record with a signature of their own, the tellers (计票人) who count paper, and
the confirmations themselves.

A scrutineer's key is an Ed25519 key made and kept on their own device; the server holds
only its public half (base64 of the raw 32 bytes) and its fingerprint (the SHA-256 of those
bytes in hex, as the installation's signing key's)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from votesys.extensions import db
from votesys.models_base import utcnow


class Scrutiny(db.Model):
    """A session's scrutiny: how many of its scrutineers must confirm a vote's record before
    the vote may be published. A session without this row has no scrutineers."""

    __tablename__ = "scrutiny"

    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"), primary_key=True)
    required: Mapped[int]


class Scrutineer(db.Model):
    """监票人: a deputy of the session appointed to watch the count and confirm its record."""

    __tablename__ = "scrutineers"

    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"), primary_key=True)
    deputy_id: Mapped[int] = mapped_column(ForeignKey("deputies.id"), primary_key=True)
    # The registered key (None until the scrutineer registers one on their device).
    public_key: Mapped[str | None] = mapped_column(String(64))
    key_fingerprint: Mapped[str | None] = mapped_column(String(64))
    key_registered_at: Mapped[datetime | None]
    # A new key after a lost device, waiting for the organiser's approval.
    pending_key: Mapped[str | None] = mapped_column(String(64))


class Teller(db.Model):
    """计票人: a member of staff appointed to count and enter paper ballots of the session."""

    __tablename__ = "tellers"

    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)


class Confirmation(db.Model):
    """A scrutineer's signature over the exact bytes of a vote's record: the key it was made
    with is kept beside it, so a later re-registration does not change what was confirmed."""

    __tablename__ = "confirmations"

    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id"), primary_key=True)
    deputy_id: Mapped[int] = mapped_column(ForeignKey("deputies.id"), primary_key=True)
    public_key: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(100))
    confirmed_at: Mapped[datetime] = mapped_column(default=utcnow)
