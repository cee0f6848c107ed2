"""The register's rules as pure functions: shares, percentages, overdue, money. No Flask,
no database."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

COMPLETIONS = ("this_year", "two_years", "long_term")
STATUSES = ("not_started", "in_progress", "completed", "delayed", "suspended", "terminated")
# A project in one of these states is no longer expected to reach its milestones.
CLOSED_STATUSES = ("completed", "terminated")
# Only an approved change (暂缓 / 终止) suspends or terminates a project: a progress report,
# which a responsible unit sends alone, may set any other state.
CHANGED_ONLY_STATUSES = ("suspended", "terminated")
REPORT_STATUSES = tuple(s for s in STATUSES if s not in CHANGED_ONLY_STATUSES)
CHANGE_KINDS = ("adjust", "postpone", "terminate")
SUPERVISION_KINDS = ("inspection", "comment", "hearing")
DEFAULT_SOURCES = ("provincial", "city", "county", "township", "social")
# 来源待落实: money planned whose source is still to be settled. A candidate's budget enters
# the register under it when the vote approves the candidate; the plan then names sources.
PENDING_SOURCE = "pending"
# What an implementation plan (实施计划) must say before the project is out of planning.
PLAN_PARTS = ("unit", "dates", "funding", "targets")
CENT = Decimal("0.01")


def quarter_dates(year: int, quarter: int | None) -> tuple[date, date]:
    """The first and last day of a quarter (1–4), or of the whole year when None."""
    if quarter is None:
        return date(year, 1, 1), date(year, 12, 31)
    first = date(year, 3 * quarter - 2, 1)
    last = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return first, last - timedelta(days=1)


def project_ref(year: int, jurisdiction_code: str, number: int) -> str:
    """A project's readable public id: ``2026-430212-07`` (year, jurisdiction, number)."""
    return f"{year}-{jurisdiction_code}-{number:02d}"


def percent_of(actual: Decimal | None, target: Decimal) -> int | None:
    """Completion of a target in whole percent, rounded half up; above 100 is allowed
    (2,921 of 2,000 is 146%). None when there is no actual value or no target."""
    if actual is None or target <= 0:
        return None
    return int((Decimal(actual) * 100 / Decimal(target)).quantize(Decimal(1), ROUND_HALF_UP))


def shares(amounts: Mapping[str, Decimal], places: int = 1) -> dict[str, Decimal]:
    """Each amount's share of the total in percent, with ``places`` decimals, rounded by the
    largest remainder method so that the shares add up to exactly 100.

    Every share is the exact share rounded down or up by one step, so it is less than one
    step from the exact value. Ties in the remainders go to the larger amount, then to the
    earlier key. All zero (or nothing): every share is 0.
    """
    step = Decimal(1).scaleb(-places)
    total = sum(amounts.values(), Decimal(0))
    if total <= 0:
        return {k: Decimal(0).quantize(step) for k in amounts}
    units = 100 * 10**places
    floors: dict[str, int] = {}
    remainders: list[tuple[Decimal, Decimal, int, str]] = []
    for i, (key, amount) in enumerate(amounts.items()):
        exact = Decimal(amount) * units / total
        floor = int(exact)  # amounts are non-negative: int() truncates down
        floors[key] = floor
        remainders.append((exact - floor, Decimal(amount), -i, key))
    left = units - sum(floors.values())
    for _rem, _amount, _i, key in sorted(remainders, reverse=True)[:left]:
        floors[key] += 1
    return {k: (Decimal(v) * step).quantize(step) for k, v in floors.items()}


def is_overdue(
    status: str,
    today: date,
    milestones: Iterable[tuple[date, date | None]],
    planned_finish: date | None = None,
) -> bool:
    """A project is overdue when a milestone's date has passed and it is not done, or its
    planned finish has passed, while the project is neither completed nor terminated."""
    if status in CLOSED_STATUSES:
        return False
    if planned_finish is not None and planned_finish < today:
        return True
    return any(done is None and planned < today for planned, done in milestones)


def wan(amount: Decimal | None) -> str | None:
    """An amount as the API shows it: a decimal string with two places."""
    return None if amount is None else str(Decimal(amount).quantize(CENT))


def missing_plan(
    *, has_unit: bool, planned_finish: date | None, funding: Mapping[str, Decimal], targets: int
) -> list[str]:
    """The parts of an implementation plan still to be given (PLAN_PARTS, in order): a
    responsible unit, a planned finish, funding with every amount's source settled (nothing
    left under PENDING_SOURCE, and something planned), and at least one quantified target."""
    settled = {s: a for s, a in funding.items() if s != PENDING_SOURCE}
    missing = {
        "unit": not has_unit,
        "dates": planned_finish is None,
        "funding": not settled or funding.get(PENDING_SOURCE, Decimal(0)) > 0,
        "targets": targets == 0,
    }
    return [part for part in PLAN_PARTS if missing[part]]
