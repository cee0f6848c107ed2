"""What a roll-up cell is and how all of them are counted from the rows: the contributors'
registry (each room's SELECT of its cells), the subtree closure, the rebuild and the check.
votesys.congress.rollups keeps the cells on every commit and reads them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import g
from sqlalchemy import Numeric, and_, cast, delete, func, insert, literal, or_, select
from sqlalchemy.orm import Session

from votesys.congress.models import Jurisdiction
from votesys.congress.rollup_models import RollupCell, RollupState
from votesys.extensions import db

# The definition of the cells: raise it when a contributor changes what a cell means, and
# the next `votesys db upgrade` rebuilds them.
VERSION = 1
DIRTY_KEY = "votesys.rollups.dirty"
BUILT_KEY = "votesys_rollups_built"
REBUILD_KEY = "votesys.rollups.rebuild"
ZERO = Decimal("0.00")

Unit = tuple[str, int, int | None]  # kind, jurisdiction id, period (None: every period)
Cells = dict[str, tuple[int, Decimal]]


@dataclass(frozen=True)
class Contributor:
    """``cells(units)``: a SELECT of (jurisdiction_id, period, name, n, amount) over the
    room's rows, of only those units when given (each a (jurisdiction id, period or None)),
    else of all. ``tracked``: for each model whose rows the cells count, the attributes that
    place a row in a unit; ``units(connection, found)``: the units of rows so placed, given
    as (model, values of those attributes)."""

    kind: str
    cells: Callable[[list[tuple[int, int | None]] | None], Any]
    tracked: dict[type, tuple[str, ...]]
    units: Callable[[Any, list[tuple[type, tuple]]], Iterable[tuple[int, int | None]]]


CONTRIBUTORS: dict[str, Contributor] = {}


def register(kind: str, cells: Callable, tracked: dict[type, tuple[str, ...]], units) -> None:
    """Called once by each room at import; ``kind`` prefixes its cells' names ("p."). The
    tracked attributes that can change on a stored row need ``active_history`` on their
    columns, so that the unit a row leaves is known even when it was not loaded."""
    CONTRIBUTORS[kind] = Contributor(kind, cells, tracked, units)


def cell_row(jurisdiction, period, name, n, amount=None):
    """The columns a contributor's SELECT gives, labelled as the cells' table wants them."""
    return (
        jurisdiction.label("jurisdiction_id"),
        period.label("period"),
        name.label("name"),
        n.label("n"),
        (amount if amount is not None else cast(literal(0), Numeric(18, 2))).label("amount"),
    )


# --- building ---------------------------------------------------------------------------------


def closure():
    """(descendant, ancestor) for every jurisdiction and each one above it, itself included."""
    j = Jurisdiction.__table__
    up = select(j.c.id.label("descendant"), j.c.id.label("ancestor"), j.c.parent_id).cte(
        "closure", recursive=True
    )
    up = up.union_all(
        select(up.c.descendant, j.c.id, j.c.parent_id).join(j, j.c.id == up.c.parent_id)
    )
    return up


def rolled_up(kind: str):
    """Every cell of one kind as the table holds it: a contributor's cells of all its rows,
    summed over each jurisdiction's subtree."""
    own = CONTRIBUTORS[kind].cells(None).subquery()
    up = closure()
    return (
        select(
            up.c.ancestor.label("jurisdiction_id"),
            own.c.period,
            own.c.name,
            func.sum(own.c.n).label("n"),
            func.sum(own.c.amount).label("amount"),
        )
        .join(up, up.c.descendant == own.c.jurisdiction_id)
        .group_by(up.c.ancestor, own.c.period, own.c.name)
    )


def rebuild(session: Session | None = None) -> None:
    """Count every cell again from the rows, in this transaction (the caller commits)."""
    session = session or db.session
    conn = session.connection()
    postgres = conn.dialect.name == "postgresql"
    state = RollupState.__table__
    if conn.scalar(select(state.c.version).where(state.c.id == 1)) is None:
        conn.execute(insert(state).values(id=1, version=0))
    if postgres:  # writers wait (FOR SHARE) until the cells are whole again
        conn.execute(select(state.c.id).where(state.c.id == 1).with_for_update())
    conn.execute(delete(RollupCell.__table__))
    table = RollupCell.__table__
    columns = ["jurisdiction_id", "period", "name", "n", "amount"]
    for kind in sorted(CONTRIBUTORS):
        conn.execute(table.insert().from_select(columns, rolled_up(kind)))
    conn.execute(state.update().where(state.c.id == 1).values(version=VERSION))
    session.info.pop(DIRTY_KEY, None)
    g.pop(BUILT_KEY, None)


def differences() -> list[tuple[int, int, str, Any, Any]]:
    """Cells whose stored value differs from a count from the rows: (jurisdiction, period,
    name, stored, counted). Empty when the cells are true (``votesys rollups check``)."""
    stored: dict[tuple[int, int, str], tuple[int, Decimal]] = {
        (j, p, name): (int(n), Decimal(a))
        for j, p, name, n, a in db.session.execute(
            select(
                RollupCell.jurisdiction_id,
                RollupCell.period,
                RollupCell.name,
                RollupCell.n,
                RollupCell.amount,
            )
        )
    }
    counted: dict[tuple[int, int, str], tuple[int, Decimal]] = {}
    for kind in sorted(CONTRIBUTORS):
        for j, p, name, n, a in db.session.execute(rolled_up(kind)):
            counted[(j, p, name)] = (int(n or 0), Decimal(a or 0))
    zero = (0, ZERO)
    return [
        (*key, stored.get(key, zero), counted.get(key, zero))
        for key in sorted(stored.keys() | counted.keys())
        if stored.get(key, zero) != counted.get(key, zero)
    ]


def unit_filter(units, jurisdiction_col, period_clause: Callable[[int], Any]):
    """The WHERE of a contributor's SELECT limited to some units."""
    return or_(
        *(
            jurisdiction_col == j if p is None else and_(jurisdiction_col == j, period_clause(p))
            for j, p in units
        )
    )
