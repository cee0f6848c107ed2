"""The public list of projects: filters, sorts, a page of rows, and all of it for a download."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from votesys.categories import CATEGORIES
from votesys.errors import invalid
from votesys.extensions import db
from votesys.portal.scope import Node, pick, subtree
from votesys.projects import rules
from votesys.projects.models import Funding, Project
from votesys.projects.queries import in_planning, overdue
from votesys.stations.rules import digits

PER_PAGE = 20
SORTS = {
    "recent": (Project.year.desc(), Project.ref),
    "title": (Project.title, Project.ref),
    "progress": (Project.progress.desc(), Project.ref),
    "investment": None,  # ordered by a sum, see project_page()
}
MAX_QUERY = 50


@dataclass
class Filters:
    jurisdiction: str | None = None
    year: int | None = None
    category: str | None = None
    status: str | None = None
    completion: str | None = None
    q: str = ""
    sort: str = "recent"
    page: int = 1

    @classmethod
    def from_args(cls, args, *, strict: bool = False) -> Filters:
        """From a query string; a value outside its list is refused with a clear message.

        The pages' forms send every field, empty ones too: an empty value means "any". The
        API is ``strict``: a parameter is given with a value or not at all, and a search
        longer than 50 characters is refused rather than cut."""
        if strict:
            for name in (
                "jurisdiction",
                "year",
                "category",
                "status",
                "completion",
                "sort",
                "page",
            ):
                if name in args and not args.get(name, "").strip():
                    raise invalid(name, _l("give a value or leave the parameter out"))
            if len(args.get("q", "")) > MAX_QUERY:
                raise invalid("q", _l("at most %(n)s characters", n=MAX_QUERY))
            if len(args.get("jurisdiction", "")) > 32:
                raise invalid("jurisdiction", _l("at most %(n)s characters", n=32))

        def choice(name: str, allowed) -> str | None:
            value = (args.get(name) or "").strip()
            if not value:
                return None
            if value not in allowed:
                raise invalid(name, _l("not one of the listed choices"))
            return value

        year_text = (args.get("year") or "").strip()
        year = None
        if year_text:
            if not digits(year_text) or not 1949 <= int(year_text) <= 2200:
                raise invalid("year", _l("a year such as 2026"))
            year = int(year_text)
        page_text = (args.get("page") or "1").strip()
        if not digits(page_text) or not 1 <= int(page_text) <= 100_000:
            raise invalid("page", _l("a page number such as 2"))
        return cls(
            jurisdiction=(args.get("jurisdiction") or "").strip()[:32] or None,
            year=year,
            category=choice("category", CATEGORIES),
            status=choice("status", rules.STATUSES),
            completion=choice("completion", rules.COMPLETIONS),
            q=" ".join((args.get("q") or "").split())[:MAX_QUERY],
            sort=choice("sort", SORTS) or "recent",
            page=int(page_text),
        )

    def args(self, **changes: Any) -> dict[str, Any]:
        """As query-string arguments (for links), with some changed; empty ones left out."""
        values = {
            "jurisdiction": self.jurisdiction,
            "year": self.year,
            "category": self.category,
            "status": self.status,
            "completion": self.completion,
            "q": self.q,
            "sort": None if self.sort == "recent" else self.sort,
            "page": None if self.page == 1 else self.page,
        } | changes
        return {k: v for k, v in values.items() if v not in (None, "")}


def within(tree: list[Node], node: Node | None) -> list[int] | None:
    """The ids of a chosen jurisdiction's subtree; None (no filter) for none chosen or for
    one whose subtree is the whole tree: a province's 2,037 ids as an IN list are parsed
    afresh by every statement (two fifths of its home page's time)."""
    if node is None:
        return None
    ids = subtree(tree, node)
    return None if len(ids) == len(tree) else ids


def _filtered(filters: Filters, ids: list[int] | None) -> Select:
    query = select(Project)
    if ids is not None:
        query = query.where(Project.jurisdiction_id.in_(ids))
    if filters.year is not None:
        # A year's list carries earlier projects still under rectification (整改).
        query = query.where(
            or_(Project.year == filters.year, (Project.year < filters.year) & Project.rectification)
        )
    for column, value in (
        (Project.category, filters.category),
        (Project.status, filters.status),
        (Project.completion, filters.completion),
    ):
        if value is not None:
            query = query.where(column == value)
    if filters.q:
        # Substring match: Chinese has no spaces between words to split on.
        query = query.where(
            or_(
                Project.title.icontains(filters.q, autoescape=True),
                Project.summary.icontains(filters.q, autoescape=True),
            )
        )
    return query


def _investment():
    return (
        select(func.coalesce(func.sum(Funding.amount_wan), 0))
        .where(Funding.project_id == Project.id)
        .correlate(Project)
        .scalar_subquery()
    )


def _with_row_data(query: Select) -> Select:
    return query.options(
        joinedload(Project.jurisdiction),
        joinedload(Project.unit),
        selectinload(Project.funding),
        selectinload(Project.milestones),
        selectinload(Project.targets),
    )


@dataclass
class Page:
    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int
    per_page: int


def project_page(
    filters: Filters, tree: list[Node], *, per_page: int = PER_PAGE, today: date | None = None
) -> Page:
    """A page of the filtered, sorted list: five statements whatever the number of rows."""
    node = pick(tree, filters.jurisdiction) if filters.jurisdiction else None
    query = _filtered(filters, within(tree, node))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, math.ceil(total / per_page))
    order = SORTS[filters.sort] or (_investment().desc(), Project.ref)
    rows = db.session.scalars(
        _with_row_data(query)
        .order_by(*order)
        .limit(per_page)
        .offset((min(filters.page, pages) - 1) * per_page)
    ).unique()
    return Page([row(p, today) for p in rows], total, min(filters.page, pages), pages, per_page)


def all_projects(filters: Filters, tree: list[Node]) -> list[Project]:
    """Every project the filters select, for a download (loaded in a fixed number of reads)."""
    node = pick(tree, filters.jurisdiction) if filters.jurisdiction else None
    query = _filtered(filters, within(tree, node))
    return list(db.session.scalars(_with_row_data(query).order_by(*SORTS["recent"])).unique())


def row(p: Project, today: date | None = None) -> dict[str, Any]:
    """A project in a list (its funding, milestones, targets, unit and jurisdiction loaded).
    ``planning``: its plan is being drawn up (projects.queries.in_planning)."""
    total = sum((f.amount_wan for f in p.funding), Decimal("0.00"))
    return {
        "ref": p.ref,
        "title": p.title,
        "jurisdiction": p.jurisdiction.code,
        "jurisdiction_name": p.jurisdiction.name,
        "year": p.year,
        "category": p.category,
        "responsible_unit": p.unit.name if p.unit else None,
        "completion": p.completion,
        "status": p.status,
        "planning": in_planning(p),
        "progress": p.progress,
        "overdue": overdue(p, today),
        "investment_wan": rules.wan(total),
        "rating": p.rating,
        "rectification": p.rectification,
    }
