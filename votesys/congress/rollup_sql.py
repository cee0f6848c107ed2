"""SQL the roll-ups' contributors share, the same on either database: dates as text, a
date's quarter, days between two dates; quarters as periods."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Integer, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class iso_date(FunctionElement):  # noqa: N801 -- used as a SQL function
    """A date as 'YYYY-MM-DD' text."""

    type = String()
    inherit_cache = True


@compiles(iso_date)
def _iso_date(element, compiler, **kw):
    return f"CAST({compiler.process(element.clauses, **kw)} AS VARCHAR)"


@compiles(iso_date, "postgresql")
def _iso_date_pg(element, compiler, **kw):
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM-DD')"


class quarter_of(FunctionElement):  # noqa: N801 -- used as a SQL function
    """A date's quarter as yyyyq (20263: July to September 2026)."""

    type = Integer()
    inherit_cache = True


@compiles(quarter_of)
def _quarter_of(element, compiler, **kw):
    d = compiler.process(element.clauses, **kw)
    return (
        f"(CAST(strftime('%Y', {d}) AS INTEGER) * 10 "
        f"+ (CAST(strftime('%m', {d}) AS INTEGER) + 2) / 3)"
    )


@compiles(quarter_of, "postgresql")
def _quarter_of_pg(element, compiler, **kw):
    d = compiler.process(element.clauses, **kw)
    return (
        f"(CAST(EXTRACT(YEAR FROM {d}) AS INTEGER) * 10 "
        f"+ CAST(EXTRACT(QUARTER FROM {d}) AS INTEGER))"
    )


class days_between(FunctionElement):  # noqa: N801 -- used as a SQL function
    """Whole days from the second date to the first."""

    type = Integer()
    inherit_cache = True


@compiles(days_between)
def _days_between(element, compiler, **kw):
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


@compiles(days_between, "postgresql")
def _days_between_pg(element, compiler, **kw):
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"({later} - {earlier})"


def quarter(day: date) -> int:
    return day.year * 10 + (day.month + 2) // 3


def quarter_bounds(period: int) -> tuple[date, date]:
    """The first and last day of a quarter yyyyq."""
    year, q = divmod(period, 10)
    first = date(year, 3 * q - 2, 1)
    last = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
    return first, last - timedelta(days=1)


def quarters(start: date | None, end: date | None) -> tuple[int | None, int | None] | None:
    """The quarters a period covers exactly, as (first, last) (None: unbounded), or None when
    it does not begin or end on a quarter's edge (then the cells cannot give it)."""
    if start is not None and quarter_bounds(quarter(start))[0] != start:
        return None
    if end is not None and quarter_bounds(quarter(end))[1] != end:
        return None
    return (quarter(start) if start else None, quarter(end) if end else None)
