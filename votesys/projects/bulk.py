"""An import's rows written in bulk: the plan's projects (with their units, refs, funding and
targets) or progress reports (then each project's state), in one transaction.

The rows come checked (votesys.projects.importing): nothing here refuses a row, but a change
made meanwhile (a project registered under the same ref) fails the whole transaction. The
inserts go by batches of a thousand rows, with no per-row work left, so that the transaction
is short: on SQLite it holds the database's one write lock. The roll-ups' cells are kept
before the import's one audit entry, its last statement: the audit chain's head is held only
from there to the commit.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import bindparam, func, insert, select, update

from votesys import importing
from votesys.congress import rollups
from votesys.congress.models import Jurisdiction
from votesys.extensions import db
from votesys.importing import Progress, Upload, batches
from votesys.projects import rollup, rules
from votesys.projects.models import (
    Funding,
    Project,
    Report,
    ReportValue,
    Spending,
    Target,
    Unit,
)


def write_plan(
    node: Jurisdiction, upload: Upload, planned: list[dict], *, actor: str, progress: Progress
) -> dict:
    """The plan's projects, as ``register.create_project`` and ``set_plan`` would make them
    one by one: each its unit (found or created), its next ref in its jurisdiction's year,
    its funding and its target."""
    progress.writing(len(planned))
    # inserted past the ORM's flush: the roll-ups are told which units to count again
    rollups.mark(db.session, rollup.KIND, {(p["jurisdiction"].id, p["year"]) for p in planned})
    units, created = _units({(p["jurisdiction"].id, p["unit"]) for p in planned})
    numbers = _numbers({p["jurisdiction"].id for p in planned})
    ids: list[int] = []
    for batch in batches(planned):
        rows = []
        for p in batch:
            place = p["jurisdiction"]
            key = (place.id, p["year"])
            numbers[key] = numbers.get(key, 0) + 1
            rows.append(
                {
                    "ref": rules.project_ref(p["year"], place.code, numbers[key]),
                    "jurisdiction_id": place.id,
                    "unit_id": units[(place.id, p["unit"])],
                    **{
                        k: p[k]
                        for k in (
                            "year",
                            "title",
                            "completion",
                            "lead_official",
                            "planned_start",
                            "planned_finish",
                        )
                    },
                }
            )
        given = _inserted(Project, rows)
        _insert(
            Funding,
            (
                {"project_id": pid, "source": source, "amount_wan": amount}
                for pid, p in zip(given, batch, strict=True)
                for source, amount in p["funding"].items()
            ),
        )
        _insert(
            Target,
            (
                {"project_id": pid, **t}
                for pid, p in zip(given, batch, strict=True)
                for t in p["targets"]
            ),
        )
        ids += given
        progress.advance(len(batch))
    rollups.settle(db.session)  # before the locks of the import's last statements
    return importing.finish(
        "plan_imported",
        f"jurisdiction:{node.code}",
        actor,
        upload,
        len(ids),
        units_created=created,
        projects=[ids[0], ids[-1]],
    )


def write_progress(
    node: Jurisdiction, upload: Upload, checked: list[dict], *, actor: str, progress: Progress
) -> dict:
    """Progress reports, as ``reports.add_report`` would store them one by one; then each
    project's state (status, progress, its targets' actual values) is its latest report's."""
    progress.writing(len(checked))
    rollups.mark(
        db.session,
        rollup.KIND,
        {(c["project"].jurisdiction_id, c["project"].year) for c in checked},
    )
    ids: list[int] = []
    for batch in batches(checked):
        rows = [
            {
                "project_id": c["project"].id,
                "author": actor,
                **{k: v for k, v in c.items() if k not in ("project", "values", "spent")},
            }
            for c in batch
        ]
        given = _inserted(Report, rows)
        pairs = list(zip(given, batch, strict=True))
        _insert(
            ReportValue,
            (
                {"report_id": rid, "target_id": tid, "actual": actual}
                for rid, c in pairs
                for tid, actual in c["values"].items()
            ),
        )
        _insert(
            Spending,
            (
                {"report_id": rid, "source": source, "amount_wan": amount}
                for rid, c in pairs
                for source, amount in c["spent"].items()
            ),
        )
        ids += given
        progress.advance(len(batch))
    for batch in batches(sorted({c["project"].id for c in checked}), 5000):
        _latest_state(batch)
    rollups.settle(db.session)  # before the locks of the import's last statements
    return importing.finish(
        "progress_imported",
        f"jurisdiction:{node.code}",
        actor,
        upload,
        len(ids),
        reports=[ids[0], ids[-1]],
    )


def _inserted(model: type, rows: list[dict]) -> list[int]:
    """Insert ``rows``; their new ids, in the rows' order. Into the table, not through the
    ORM's bulk path: half the time, and nothing of the ORM is needed (no object is made)."""
    table = model.__table__
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(db.session.scalars(statement, rows))


def _insert(model: type, rows: Iterable[dict]) -> None:
    rows = list(rows)
    if rows:
        db.session.execute(insert(model.__table__), rows)


def _units(wanted: set[tuple[int, str]]) -> tuple[dict[tuple[int, str], int], int]:
    """The units of the rows by (jurisdiction, name), those missing created; and how many."""
    places = sorted({place for place, _ in wanted})
    found = {
        (row.jurisdiction_id, row.name): row.id
        for row in db.session.execute(
            select(Unit.id, Unit.jurisdiction_id, Unit.name).where(Unit.jurisdiction_id.in_(places))
        )
        if (row.jurisdiction_id, row.name) in wanted
    }
    missing = sorted(wanted - set(found))
    if missing:
        rows = [{"jurisdiction_id": place, "name": name} for place, name in missing]
        found.update(zip(missing, _inserted(Unit, rows), strict=True))
    return found, len(missing)


def _numbers(places: set[int]) -> dict[tuple[int, int], int]:
    """How many projects each jurisdiction's year has: the last number of its refs."""
    counts = select(Project.jurisdiction_id, Project.year, func.count(Project.id)).where(
        Project.jurisdiction_id.in_(sorted(places))
    )
    return {
        (place, year): n
        for place, year, n in db.session.execute(
            counts.group_by(Project.jurisdiction_id, Project.year)
        )
    }


def _latest_state(project_ids: list[int]) -> None:
    """Each project's status and progress, and each of its targets' actual value, from its
    latest report (by date, then by entry), as ``reports`` keeps them."""
    newest = (Report.reported_on.desc(), Report.id.desc())
    ranked = (
        select(
            Report.project_id,
            Report.status,
            Report.progress,
            func.row_number().over(partition_by=Report.project_id, order_by=newest).label("n"),
        )
        .where(Report.project_id.in_(project_ids))
        .subquery()
    )
    states = db.session.execute(
        select(ranked.c.project_id, ranked.c.status, ranked.c.progress).where(ranked.c.n == 1)
    ).all()
    if states:
        projects = Project.__table__
        db.session.execute(
            update(projects)
            .where(projects.c.id == bindparam("pid"))
            .values(status=bindparam("new_status"), progress=bindparam("new_progress")),
            [
                {"pid": pid, "new_status": status, "new_progress": done}
                for pid, status, done in states
            ],
        )
    ranked_values = (
        select(
            ReportValue.target_id,
            ReportValue.actual,
            func.row_number().over(partition_by=ReportValue.target_id, order_by=newest).label("n"),
        )
        .join(Report, Report.id == ReportValue.report_id)
        .where(Report.project_id.in_(project_ids))
        .subquery()
    )
    actual = db.session.execute(
        select(ranked_values.c.target_id, ranked_values.c.actual).where(ranked_values.c.n == 1)
    ).all()
    if actual:
        targets = Target.__table__
        db.session.execute(
            update(targets)
            .where(targets.c.id == bindparam("tid"))
            .values(actual=bindparam("new_actual")),
            [{"tid": tid, "new_actual": value} for tid, value in actual],
        )
