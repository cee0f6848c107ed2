"""Roll-ups: figures of a jurisdiction and everything under it, kept current on every write.

A province holds millions of opinions and tens of thousands of projects; its summary, its
statistics and its home page must not count them on every request. Each room with figures
(the register, the stations) registers a *contributor*: a SELECT giving, for its own rows,
cells ``(jurisdiction_id, period, name, n, amount)`` of the jurisdiction the row belongs to.
The table ``rollup_cells`` holds those cells summed over each jurisdiction's subtree, so a
figure of any jurisdiction, however large, is one indexed read of a few hundred cells.

Kept current in the same transaction as the change: every flush marks the units it touched
(a contributor's kind, a jurisdiction, a period); before the commit each marked unit is
counted again from its rows (a township's quarter: a few dozen rows), the unit's previous
contribution is read back from the cells (the jurisdiction's cells less its children's),
and the difference is added to the cells of the jurisdiction and of each one above it.
Counting again rather than tracking each attribute's change makes a unit marked once too
often harmless and a change of any kind (an edit, a correction, a deletion) the same case.
Writers of one unit are serialised by a transaction lock on PostgreSQL (SQLite has one
writer); the cells' rows are written in one order, so two writers never deadlock on them.

Writes that bypass the ORM's flush (a bulk import) mark their units with ``mark``. Until the
cells have been built for the current ``VERSION`` (``rebuild``: ``votesys db upgrade`` does it
after migrating, ``votesys rollups rebuild`` by hand), nothing is kept and readers count
from the rows (``built`` says which).
"""

from __future__ import annotations

import logging
import zlib
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from flask import g
from sqlalchemy import (
    case,
    event,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from votesys.congress.models import Jurisdiction
from votesys.congress.rollup_cells import (  # noqa: F401 -- the rooms' and commands' API
    BUILT_KEY,
    CONTRIBUTORS,
    DIRTY_KEY,
    REBUILD_KEY,
    VERSION,
    ZERO,
    Cells,
    Unit,
    cell_row,
    differences,
    rebuild,
    register,
    rolled_up,
    unit_filter,
)
from votesys.congress.rollup_models import RollupCell, RollupState
from votesys.extensions import db

log = logging.getLogger(__name__)
# Units counted again by one statement (an OR of each unit's range: SQLite parses at most
# 1,000 levels of expression).
_UNITS_A_STATEMENT = 200

# --- reading ------------------------------------------------------------------------------


def built(*, fresh: bool = False) -> bool:
    """Whether the cells are current (readers count from the rows otherwise): read once per
    request (``fresh``: read again)."""
    if fresh or BUILT_KEY not in g:
        state = select(RollupState.version).where(RollupState.id == 1)
        setattr(g, BUILT_KEY, db.session.scalar(state) == VERSION)
    return getattr(g, BUILT_KEY)


def read(root_id: int, kind: str, first: int | None = None, last: int | None = None) -> Cells:
    """A jurisdiction's cells of one kind (its whole subtree), summed over periods
    ``first``..``last`` (inclusive; None: unbounded): one query."""
    query = (
        select(RollupCell.name, func.sum(RollupCell.n), func.sum(RollupCell.amount))
        .where(RollupCell.jurisdiction_id == root_id, RollupCell.name.startswith(f"{kind}."))
        .group_by(RollupCell.name)
    )
    if first is not None:
        query = query.where(RollupCell.period >= first)
    if last is not None:
        query = query.where(RollupCell.period <= last)
    return {name: (int(n), Decimal(a)) for name, n, a in db.session.execute(query)}


def latest_period(root_id: int, name: str) -> int | None:
    """The latest period in which the cell ``name`` of a jurisdiction is not zero."""
    return db.session.scalar(
        select(func.max(RollupCell.period)).where(
            RollupCell.jurisdiction_id == root_id, RollupCell.name == name, RollupCell.n > 0
        )
    )


# --- marking ------------------------------------------------------------------------------


def mark(session: Session, kind: str, units: Iterable[tuple[int, int | None]]) -> None:
    """Mark units changed by writes the flush does not see (Core inserts and updates)."""
    session.info.setdefault(DIRTY_KEY, set()).update((kind, j, p) for j, p in units)


def _placed(session: Session, objects, *, before: bool) -> None:
    """Mark the units of these objects: where they were before this flush (``before``: their
    stored values, loaded if need be while the rows still exist), or where they are now."""
    for contributor in CONTRIBUTORS.values():
        found = [
            (type(obj), _values(obj, names, before=before))
            for obj in objects
            if (names := contributor.tracked.get(type(obj)))
        ]
        if found:
            units = contributor.units(session.connection(), found)
            mark(session, contributor.kind, units)


def _values(obj: Any, names: tuple[str, ...], *, before: bool) -> tuple:
    state = inspect(obj)
    out = []
    for name in names:
        history = state.attrs[name].history
        if before and history.deleted:
            out.append(history.deleted[0])
        elif name in state.dict:
            out.append(state.dict[name])
        else:
            out.append(getattr(obj, name))  # expired: loaded from its row
    return tuple(out)


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    stored = [*session.dirty, *session.deleted]
    _placed(session, [o for o in stored if o not in session.new], before=True)
    if any(
        isinstance(node, Jurisdiction)
        and node not in session.new
        and inspect(node).attrs.parent_id.history.has_changes()
        for node in session.dirty
    ):  # a jurisdiction moved under another: every cell above it changes
        session.info[REBUILD_KEY] = True


def _after_flush(session: Session, _context: Any) -> None:
    _placed(session, [*session.new, *session.dirty], before=False)


def _before_commit(session: Session) -> None:
    session.flush()  # the changes not yet flushed mark their units too (no SQL if none)
    if session.info.pop(REBUILD_KEY, False) and built(fresh=True):
        rebuild(session)
        return
    dirty = session.info.pop(DIRTY_KEY, set())
    if dirty:
        apply(session, dirty)


def settle(session: Session) -> None:
    """Keep the cells now rather than at the commit: for a transaction about to take a lock
    that every other writer waits for (an import's audit entry takes the audit chain's head,
    and its renewal the public generation's row), so that neither is held through the
    counting of thousands of rows. Later writes in the transaction are kept at the commit."""
    _before_commit(session)


def _transaction_end(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the whole transaction: committed or rolled back
        session.info.pop(DIRTY_KEY, None)
        session.info.pop(REBUILD_KEY, None)


def install_listeners() -> None:
    """Listen on every ORM session (idempotent)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_transaction_end", _transaction_end)


# --- keeping --------------------------------------------------------------------------------


def _lock_key(kind: str, jurisdiction_id: int) -> int:
    return zlib.crc32(f"rollup:{kind}:{jurisdiction_id}".encode())


def apply(session: Session, dirty: set[Unit]) -> None:
    """Count the marked units again and add the differences to the cells above them."""
    conn = session.connection()
    postgres = conn.dialect.name == "postgresql"
    state = select(RollupState.version).where(RollupState.id == 1)
    # FOR SHARE: a rebuild (FOR UPDATE) and this transaction do not interleave.
    if conn.scalar(state.with_for_update(read=True) if postgres else state) != VERSION:
        return
    units = sorted(dirty, key=lambda u: (u[0], u[1], -1 if u[2] is None else u[2]))
    if postgres:
        for key in sorted({_lock_key(kind, j) for kind, j, _ in units}):
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})
    increments: dict[tuple[int, int, str], list] = {}
    chains = _ancestors(conn, {j for _, j, _ in units})
    for kind in sorted({u[0] for u in units}):
        mine = [(j, p) for k, j, p in units if k == kind]
        new: dict[tuple[int, int], Cells] = {}
        for first in range(0, len(mine), _UNITS_A_STATEMENT):  # an import marks thousands
            new |= _grouped(
                conn.execute(CONTRIBUTORS[kind].cells(mine[first : first + _UNITS_A_STATEMENT]))
            )
        old = _own_cells(conn, kind, mine)
        for unit in new.keys() | old.keys():
            j, period = unit
            before, after = old.get(unit, {}), new.get(unit, {})
            for name in before.keys() | after.keys():
                n0, a0 = before.get(name, (0, ZERO))
                n1, a1 = after.get(name, (0, ZERO))
                if n0 == n1 and a0 == a1:
                    continue
                for ancestor in chains[j]:
                    cell = increments.setdefault((ancestor, period, name), [0, ZERO])
                    cell[0] += n1 - n0
                    cell[1] += a1 - a0
    _add(conn, postgres, increments)


def _grouped(rows) -> dict[tuple[int, int], Cells]:
    out: dict[tuple[int, int], Cells] = defaultdict(dict)
    for j, period, name, n, amount in rows:
        n0, a0 = out[(j, period)].get(name, (0, ZERO))
        out[(j, period)][name] = (n0 + int(n or 0), a0 + Decimal(amount or 0))
    return out


def _own_cells(conn, kind: str, units: list[tuple[int, int | None]]):
    """What the units gave until now: each jurisdiction's cells less its children's (one
    statement, so one consistent reading while others write elsewhere in the subtree)."""
    out: dict[tuple[int, int], Cells] = {}
    for j, period in units:
        # The node and its children as one IN list: the cells are then read by their key
        # (an OR of the node and a subquery made PostgreSQL scan every cell: 85 ms a write
        # at province scale, against 0.5 ms).
        here = select(Jurisdiction.id).where((Jurisdiction.id == j) | (Jurisdiction.parent_id == j))
        sign = func.sum(_signed(RollupCell.jurisdiction_id == j, RollupCell.n))
        money = func.sum(_signed(RollupCell.jurisdiction_id == j, RollupCell.amount))
        query = (
            select(RollupCell.period, RollupCell.name, sign, money)
            .where(
                RollupCell.jurisdiction_id.in_(here),
                RollupCell.name.startswith(f"{kind}."),
            )
            .group_by(RollupCell.period, RollupCell.name)
        )
        if period is not None:
            query = query.where(RollupCell.period == period)
        for p, name, n, amount in conn.execute(query):
            if n or amount:
                out.setdefault((j, p), {})[name] = (int(n), Decimal(amount))
    return out


def _signed(mine, column):
    return case((mine, column), else_=-column)


def _ancestors(conn, ids: set[int]) -> dict[int, list[int]]:
    """Each jurisdiction and every one above it, in one recursive query."""
    if not ids:
        return {}
    j = Jurisdiction.__table__
    up = (
        select(j.c.id.label("start"), j.c.id.label("id"), j.c.parent_id.label("parent_id"))
        .where(j.c.id.in_(sorted(ids)))
        .cte("up", recursive=True)
    )
    up = up.union_all(select(up.c.start, j.c.id, j.c.parent_id).join(up, j.c.id == up.c.parent_id))
    out: dict[int, list[int]] = {i: [] for i in ids}
    for start, ancestor in conn.execute(select(up.c.start, up.c.id)):
        out[start].append(ancestor)
    return out


def _add(conn, postgres: bool, increments: dict[tuple[int, int, str], list]) -> None:
    """Add to the cells, creating those missing, in one order (no two writers deadlock)."""
    rows = [
        {"jurisdiction_id": j, "period": p, "name": name, "n": n, "amount": a}
        for (j, p, name), (n, a) in sorted(increments.items())
        if n or a
    ]
    if not rows:
        return
    table = RollupCell.__table__
    statement = (pg_insert if postgres else sqlite_insert)(table)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.jurisdiction_id, table.c.period, table.c.name],
        set_={
            "n": table.c.n + statement.excluded.n,
            "amount": table.c.amount + statement.excluded.amount,
        },
    )
    conn.execute(statement, rows)
