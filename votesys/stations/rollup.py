"""The stations' cells of the roll-ups (votesys.congress.rollups), period the quarter (yyyyq):
kind "o", opinions by the quarter they were received in — collected, handed on, closed,
replied (with the days it took), by category, status and feedback, and the open ones by the
day they fall due; kind "r", published reception days by the day held, and the deputies'
attendances at them. ``stations.figures.stats`` reads them for a jurisdiction's subtree."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, literal, select, union_all

from votesys.congress import rollups
from votesys.congress.rollup_sql import (
    days_between,
    iso_date,
    quarter,
    quarter_bounds,
    quarter_of,
)
from votesys.stations.models import Opinion, Reception, ReceptionDuty, Route, Station, Step
from votesys.stations.steps import OPEN_STEPS

OPINIONS = "o"
RECEPTIONS = "r"
HANDED_ON = (Route.TOWNSHIP_ORDINARY, Route.TOWNSHIP_MAJOR, Route.COUNTY_OR_ABOVE)


def _within(column):
    def clause(period: int):
        first, last = quarter_bounds(period)
        return and_(column >= first, column <= last)

    return clause


def opinion_cells(units: list[tuple[int, int | None]] | None) -> Any:
    o = Opinion
    where = (
        []
        if units is None
        else [rollups.unit_filter(units, o.jurisdiction_id, _within(o.received_on))]
    )
    period = quarter_of(o.received_on)

    def count(name, *conditions, by=(), amount=None):
        return (
            select(*rollups.cell_row(o.jurisdiction_id, period, name, func.count(), amount))
            .where(*where, *conditions)
            .group_by(o.jurisdiction_id, period, *by)
        )

    closed = o.status == Step.ARCHIVED
    return union_all(
        count(literal("o.collected")),
        count(literal("o.handed"), o.route.in_(HANDED_ON)),
        count(literal("o.closed"), closed),
        count(
            literal("o.replied"),
            o.replied_on.is_not(None),
            amount=func.sum(days_between(o.replied_on, o.received_on)),
        ),
        count(literal("o.cat:") + o.category, by=(o.category,)),
        count(literal("o.cat_closed:") + o.category, closed, by=(o.category,)),
        count(literal("o.status:") + o.status, by=(o.status,)),
        count(literal("o.feedback:") + o.feedback, o.feedback.is_not(None), by=(o.feedback,)),
        count(
            literal("o.open_due:") + iso_date(o.due_on),
            o.status.in_(OPEN_STEPS),
            o.due_on.is_not(None),
            by=(o.due_on,),
        ),
    )


def reception_cells(units: list[tuple[int, int | None]] | None) -> Any:
    r, s = Reception, Station
    where = [r.published_at.is_not(None)]
    if units is not None:
        where.append(rollups.unit_filter(units, s.jurisdiction_id, _within(r.date)))
    period = quarter_of(r.date)
    sessions = (
        select(
            *rollups.cell_row(
                s.jurisdiction_id, period, literal("r.sessions:") + iso_date(r.date), func.count()
            )
        )
        .join(s, s.id == r.station_id)
        .where(*where)
        .group_by(s.jurisdiction_id, period, r.date)
    )
    attendances = (
        select(
            *rollups.cell_row(
                s.jurisdiction_id, period, literal("r.attend:") + iso_date(r.date), func.count()
            )
        )
        .join(s, s.id == r.station_id)
        .join(ReceptionDuty, ReceptionDuty.reception_id == r.id)
        .where(*where)
        .group_by(s.jurisdiction_id, period, r.date)
    )
    return union_all(sessions, attendances)


def opinion_units(_conn, found: list[tuple[type, tuple]]) -> set[tuple[int, int]]:
    return {(j, quarter(day)) for _model, (j, day) in found if j is not None and day is not None}


def reception_units(conn, found: list[tuple[type, tuple]]) -> set[tuple[int, int | None]]:
    """Receptions' quarters at their stations' jurisdictions; a station's every quarter (one
    added, moved to another jurisdiction or deleted)."""
    out: set[tuple[int, int | None]] = {
        (j, None) for model, (j, *_) in found if model is Station and j is not None
    }
    held = {values for model, values in found if model is Reception and None not in values}
    reception_ids = {v[0] for model, v in found if model is ReceptionDuty and v[0]}
    if reception_ids:
        held.update(
            conn.execute(
                select(Reception.station_id, Reception.date).where(Reception.id.in_(reception_ids))
            ).all()
        )
    if held:
        stations = {sid for sid, _ in held}
        where = dict(
            conn.execute(
                select(Station.id, Station.jurisdiction_id).where(Station.id.in_(stations))
            ).all()
        )
        out.update((where[sid], quarter(day)) for sid, day in held if sid in where)
    return out


rollups.register(
    OPINIONS, opinion_cells, {Opinion: ("jurisdiction_id", "received_on")}, opinion_units
)
rollups.register(
    RECEPTIONS,
    reception_cells,
    {
        Reception: ("station_id", "date"),
        ReceptionDuty: ("reception_id",),
        Station: ("jurisdiction_id",),
    },
    reception_units,
)
