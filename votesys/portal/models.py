"""The public data's generation: a counter raised by every change the public could see."""

from __future__ import annotations

from sqlalchemy import BigInteger
from sqlalchemy.orm import Mapped, mapped_column

from votesys.extensions import db


class PublicGeneration(db.Model):
    """One row. Cached public answers are keyed by ``n``: changing it (to a new random value,
    in the same transaction as the change) retires every cached page and JSON answer on
    every process and host."""

    __tablename__ = "public_generation"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(BigInteger, default=0)
