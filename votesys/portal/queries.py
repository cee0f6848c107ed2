"""What the public reads, each in a fixed number of SQL statements whatever the row count.

Every function here returns plain data without personal data: no citizen's name or phone, no
tracking code, no account, no official's or supervising deputy's name. Pages, the open-data
API and the downloads all read through this module.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from votesys.categories import CATEGORIES
from votesys.congress.models import Congress, CongressSession, Jurisdiction
from votesys.errors import NotFound, invalid
from votesys.extensions import db
from votesys.projects import rules
from votesys.projects import services as projects
from votesys.projects.models import (
    ChangeRequest,
    Funding,
    Photo,
    Project,
    Report,
    SupervisionRecord,
)
from votesys.projects.rules import quarter_dates
from votesys.stations import common, figures
from votesys.stations.models import Opinion, Reception, Station
from votesys.stations.rules import digits
from votesys.voting.models import Candidate, RatedProject, Vote, VoteCandidate
from votesys.voting.rule_words import rule_text

PER_PAGE = 20
SORTS = {
    "recent": (Project.year.desc(), Project.ref),
    "title": (Project.title, Project.ref),
    "progress": (Project.progress.desc(), Project.ref),
    "investment": None,  # ordered by a sum, see project_page()
}
MAX_QUERY = 50


# --- jurisdictions ------------------------------------------------------------------------


@dataclass
class Node:
    id: int
    code: str
    name: str
    level: str
    parent_id: int | None
    children: list[Node] = field(default_factory=list)
    depth: int = 0


def jurisdiction_tree() -> list[Node]:
    """Every jurisdiction, depth-first (parents before children), with its depth: one query."""
    nodes = {
        j.id: Node(j.id, j.code, j.name, j.level, j.parent_id)
        for j in db.session.scalars(select(Jurisdiction).order_by(Jurisdiction.code))
    }
    roots = []
    for node in nodes.values():
        parent = nodes.get(node.parent_id) if node.parent_id else None
        (parent.children if parent else roots).append(node)
    out: list[Node] = []

    def walk(node: Node, depth: int) -> None:
        node.depth = depth
        out.append(node)
        for child in node.children:
            walk(child, depth + 1)

    for root in roots:
        walk(root, 0)
    return out


def subtree(tree: list[Node], root: Node) -> list[int]:
    out, stack = [], [root]
    while stack:
        node = stack.pop()
        out.append(node.id)
        stack.extend(node.children)
    return out


def pick(tree: list[Node], code: str | None) -> Node | None:
    """The jurisdiction a visitor chose, or the top of the tree; unknown codes are a 404."""
    if not tree:
        return None
    if not code:
        return tree[0]
    for node in tree:
        if node.code == code:
            return node
    raise NotFound("no_jurisdiction")


def latest_year(ids: list[int]) -> int | None:
    return db.session.scalar(select(func.max(Project.year)).where(Project.jurisdiction_id.in_(ids)))


def scope(code: str | None) -> tuple[list[Node], Node | None, list[int]]:
    """The chosen jurisdiction (or the top one), its subtree's ids, and the whole tree."""
    tree = jurisdiction_tree()
    node = pick(tree, (code or "").strip()[:32] or None)
    return tree, node, (subtree(tree, node) if node else [])


def chosen_year(raw: str | None, ids: list[int]) -> int:
    """The year asked for, else the latest year with projects, else this year."""
    if raw and digits(raw) and 1949 <= int(raw) <= 2200:
        return int(raw)
    return latest_year(ids) or common.today().year


def chosen_quarter(raw: str | None) -> int | None:
    """A quarter of the year (1–4) for the opinions' figures, or None for the whole year."""
    return int(raw) if raw in ("1", "2", "3", "4") else None


def opinion_figures(ids: list[int], year: int, quarter: int | None = None) -> dict[str, Any]:
    """The stations' figures of a jurisdiction subtree for a calendar year or a quarter."""
    start, end = quarter_dates(year, quarter)
    return figures.stats(jurisdiction_ids=ids, start=start, end=end)


# --- project lists ------------------------------------------------------------------------


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
    ids = subtree(tree, node) if node else None
    query = _filtered(filters, ids)
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
    query = _filtered(filters, subtree(tree, node) if node else None)
    return list(db.session.scalars(_with_row_data(query).order_by(*SORTS["recent"])).unique())


def row(p: Project, today: date | None = None) -> dict[str, Any]:
    """A project in a list (its funding, milestones, unit and jurisdiction loaded)."""
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
        "progress": p.progress,
        "overdue": projects.overdue(p, today),
        "investment_wan": rules.wan(total),
        "rating": p.rating,
        "rectification": p.rectification,
    }


# --- one project --------------------------------------------------------------------------


def project_by_ref(ref: str) -> Project:
    project = db.session.scalar(
        select(Project)
        .where(Project.ref == ref[:48])
        .options(
            joinedload(Project.jurisdiction),
            joinedload(Project.unit),
            selectinload(Project.targets),
            selectinload(Project.milestones),
            selectinload(Project.funding),
            selectinload(Project.stages),
        )
    )
    if project is None:
        raise NotFound("not_found")
    return project


def project_detail(p: Project, today: date | None = None) -> dict[str, Any]:
    """Everything the public may know of a project, and its whole trace as one timeline."""
    reports = list(
        db.session.scalars(
            select(Report)
            .where(Report.project_id == p.id)
            .options(
                selectinload(Report.values),
                selectinload(Report.spending),
                selectinload(Report.photos).load_only(
                    Photo.id, Photo.report_id, Photo.width, Photo.height
                ),
            )
            .order_by(Report.reported_on.desc(), Report.id.desc())
        )
    )
    changes = list(
        db.session.scalars(
            select(ChangeRequest)
            .where(ChangeRequest.project_id == p.id, ChangeRequest.state == "approved")
            .order_by(ChangeRequest.decided_at, ChangeRequest.id)
        )
    )
    supervision = list(
        db.session.scalars(
            select(SupervisionRecord)
            .where(SupervisionRecord.project_id == p.id)
            .order_by(SupervisionRecord.held_on, SupervisionRecord.id)
        )
    )
    spent = {s.source: s.amount_wan for s in reports[0].spending} if reports else {}
    total = sum((f.amount_wan for f in p.funding), Decimal("0.00"))
    shares = rules.shares({f.source: f.amount_wan for f in p.funding}) if total else {}
    out = row(p, today) | {
        "summary": p.summary,
        "planned_start": _d(p.planned_start),
        "planned_finish": _d(p.planned_finish),
        "stages": [{"year": s.year, "description": s.description} for s in p.stages],
        "targets": [
            {
                "name": t.name,
                "unit": t.unit,
                "target": rules.wan(t.target),
                "actual": rules.wan(t.actual),
                "percent": rules.percent_of(t.actual, t.target),
            }
            for t in p.targets
        ],
        "milestones": [
            {"name": m.name, "planned_date": _d(m.planned_date), "done_on": _d(m.done_on)}
            for m in p.milestones
        ],
        "funding": [
            {
                "source": f.source,
                "amount_wan": rules.wan(f.amount_wan),
                "share": str(shares.get(f.source, "")),
                "spent_wan": rules.wan(spent.get(f.source)),
            }
            for f in p.funding
        ],
        "spent_wan": rules.wan(sum(spent.values(), Decimal("0.00"))),
        "reports": [
            {
                "reported_on": _d(r.reported_on),
                "status": r.status,
                "progress": r.progress,
                "narrative": r.narrative,
                "photos": [
                    {"id": ph.id, "width": ph.width, "height": ph.height} for ph in r.photos
                ],
            }
            for r in reports
        ],
        "changes": [
            {
                "kind": c.kind,
                "reason": c.reason,
                "decision_ref": c.decision_ref,
                "decided_on": _d(c.decided_at),
            }
            for c in changes
        ],
        "supervision": [
            {"kind": s.kind, "held_on": _d(s.held_on), "text": s.text} for s in supervision
        ],
        "origin": _origin(p),
        "vote": _vote_of(p),
        "ratings": _ratings_of(p),
    }
    out["timeline"] = timeline(out)
    return out


def _origin(p: Project) -> dict[str, Any]:
    """The citizens' opinions the project came from: counts and titles, nothing personal."""
    if p.candidate_id is None:
        return {"opinions": 0, "titles": [], "first_received": None}
    found = db.session.execute(
        select(Opinion.title, Opinion.received_on)
        .where(Opinion.candidate_id == p.candidate_id)
        .order_by(Opinion.received_on, Opinion.id)
    ).all()
    return {
        "opinions": len(found),
        "titles": [title for title, _ in found],
        "first_received": _d(found[0][1]) if found else None,
    }


def _vote_of(p: Project) -> dict[str, Any] | None:
    """The published vote that approved the project: its figures and its rule."""
    if p.vote_id is None or p.candidate_id is None:
        return None
    found = db.session.execute(
        select(Vote, VoteCandidate, Candidate, CongressSession)
        .join(VoteCandidate, VoteCandidate.vote_id == Vote.id)
        .join(Candidate, Candidate.id == VoteCandidate.candidate_id)
        .join(CongressSession, CongressSession.id == Vote.session_id)
        .where(Vote.id == p.vote_id, VoteCandidate.candidate_id == p.candidate_id)
    ).first()
    if found is None or found[0].state != "published":
        return None
    vote, entry, candidate, sess = found
    candidates = db.session.scalar(
        select(func.count()).select_from(VoteCandidate).where(VoteCandidate.vote_id == vote.id)
    )
    return {
        "id": vote.id,
        "title": vote.title,
        "session": sess.name,
        "held_on": _d(sess.date),
        "published_on": _d(vote.published_at),
        "candidate_title": candidate.title,
        "candidates": candidates,
        "seats": vote.seats,
        "base": vote.base,
        "rule": rule_text(vote),
        "total_deputies": vote.total_deputies,
        "present": vote.present_at_open,
        "threshold": vote.threshold,
        "valid_ballots": vote.valid_ballots,
        "for": entry.votes_for,
        "against": entry.votes_against,
        "abstain": entry.votes_abstain,
        "rank": entry.rank,
        "approved": entry.approved,
    }


def _ratings_of(p: Project) -> list[dict[str, Any]]:
    """满意度测评: the published rating votes of the project, oldest first."""
    found = db.session.execute(
        select(Vote, VoteCandidate)
        .join(VoteCandidate, VoteCandidate.vote_id == Vote.id)
        .join(RatedProject, RatedProject.candidate_id == VoteCandidate.candidate_id)
        .where(RatedProject.project_id == p.id, Vote.state == "published")
        .order_by(Vote.published_at)
    ).all()
    return [
        {
            "vote": vote.id,
            "title": vote.title,
            "published_on": _d(vote.published_at),
            "satisfied": e.votes_for,
            "basically_satisfied": e.votes_basic,
            "unsatisfied": e.votes_against,
            "rating": e.rating,
        }
        for vote, e in found
    ]


def timeline(detail: dict[str, Any]) -> list[dict[str, Any]]:
    """The trace in date order: opinions, the vote, the plan, milestones, reports, approved
    changes, supervision and ratings. Each event: ``on`` (ISO date or None), ``event`` (its
    type) and its data."""
    events: list[dict[str, Any]] = []
    origin = detail["origin"]
    if origin["opinions"]:
        events.append({"on": origin["first_received"], "event": "opinions", **origin})
    if detail["vote"]:
        events.append({"on": detail["vote"]["held_on"], "event": "vote", **detail["vote"]})
    if detail["planned_start"]:
        events.append({"on": detail["planned_start"], "event": "start"})
    for m in detail["milestones"]:
        events.append({"on": m["done_on"] or m["planned_date"], "event": "milestone", **m})
    for r in detail["reports"]:
        events.append({"on": r["reported_on"], "event": "report", **r})
    for c in detail["changes"]:
        events.append({"on": c["decided_on"], "event": "change", **c})
    for s in detail["supervision"]:
        events.append({"on": s["held_on"], "event": "supervision", **s})
    for r in detail["ratings"]:
        events.append({"on": r["published_on"], "event": "rating", **r})
    if detail["planned_finish"]:
        events.append({"on": detail["planned_finish"], "event": "finish"})
    order = {k: i for i, k in enumerate(("opinions", "vote", "start", "milestone", "report"))}
    return sorted(events, key=lambda e: (e["on"] or "9999", order.get(e["event"], 9)))


def _d(value) -> str | None:
    if value is None:
        return None
    return value.date().isoformat() if hasattr(value, "date") else value.isoformat()


# --- home, votes, stations, figures -------------------------------------------------------


def published_votes(ids: list[int] | None, limit: int | None = None) -> list[dict[str, Any]]:
    """Published votes, newest first, with how many candidates were approved: one query."""
    approved = (
        select(func.count())
        .select_from(VoteCandidate)
        .where(VoteCandidate.vote_id == Vote.id, VoteCandidate.approved.is_(True))
        .correlate(Vote)
        .scalar_subquery()
    )
    listed = (
        select(func.count())
        .select_from(VoteCandidate)
        .where(VoteCandidate.vote_id == Vote.id)
        .correlate(Vote)
        .scalar_subquery()
    )
    query = (
        select(Vote, CongressSession, Congress, Jurisdiction, approved, listed)
        .join(CongressSession, CongressSession.id == Vote.session_id)
        .join(Congress, Congress.id == CongressSession.congress_id)
        .join(Jurisdiction, Jurisdiction.id == Congress.jurisdiction_id)
        .where(Vote.state == "published")
        .order_by(Vote.published_at.desc(), Vote.id.desc())
    )
    if ids is not None:
        query = query.where(Congress.jurisdiction_id.in_(ids))
    if limit:
        query = query.limit(limit)
    return [
        {
            "id": vote.id,
            "title": vote.title,
            "style": vote.style,
            "mode": vote.mode,
            "session": sess.name,
            "session_id": sess.id,
            "held_on": _d(sess.date),
            "jurisdiction": j.code,
            "jurisdiction_name": j.name,
            "published_on": _d(vote.published_at),
            "candidates": n_listed,
            "approved": n_approved,
            "seats": vote.seats,
            "void": vote.void_reason,
        }
        for vote, sess, congress, j, n_approved, n_listed in db.session.execute(query)
    ]


def next_receptions(ids: list[int], today: date, limit: int = 5) -> list[dict[str, Any]]:
    """The next published reception days at the stations of a jurisdiction subtree."""
    found = db.session.execute(
        select(Reception, Station)
        .join(Station, Station.id == Reception.station_id)
        .where(
            Station.jurisdiction_id.in_(ids),
            Reception.published_at.is_not(None),
            Reception.date >= today,
        )
        .order_by(Reception.date, Station.name)
        .limit(limit)
    ).all()
    return [
        {
            "station": s.id,
            "station_name": s.name,
            "address": s.address,
            "date": _d(r.date),
            "hours": r.hours,
            "topic": r.topic,
        }
        for r, s in found
    ]
