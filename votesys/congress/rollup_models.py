"""Tables of the roll-ups (votesys.congress.rollups): precomputed figures per jurisdiction.

A cell is one figure of one jurisdiction and everything under it for one period (rolled
up: a city's cell counts its own rows and its counties' and townships'). ``period`` is a year
(projects) or a quarter as yyyyq (opinions, reception days); ``name`` says which figure,
e.g. ``p.status:completed`` or ``o.open_due:2026-03-31``; ``n`` counts rows, ``amount`` sums
money in 万元 (or, for ``o.replied``, the days the replies took).
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import BigInteger, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from votesys.extensions import db


class RollupCell(db.Model):
    __tablename__ = "rollup_cells"

    jurisdiction_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    period: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0)  # rows counted
    amount: Mapped[Decimal] = mapped_column(Numeric(18, 2), default=Decimal("0.00"))


class RollupState(db.Model):
    """One row: which definition of the cells they were last built with. Until it says the
    current one (a new installation's first rebuild, an upgrade that changed what a cell
    means), figures are counted from the rows themselves and the cells are not kept."""

    __tablename__ = "rollup_state"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer)
