"""Which jurisdictions a visitor reads: the tree, the chosen one and its subtree, year, quarter."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from votesys.clock import today
from votesys.congress import rollups
from votesys.congress.models import Jurisdiction
from votesys.errors import NotFound
from votesys.extensions import db
from votesys.projects.models import Project, Report
from votesys.stations.rules import digits


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


def latest_year(ids: list[int], node: Node | None = None) -> int | None:
    """The latest year with projects in the subtree ``ids`` (of ``node``)."""
    if node is not None and rollups.built():
        return rollups.latest_period(node.id, "p.projects")
    return db.session.scalar(select(func.max(Project.year)).where(Project.jurisdiction_id.in_(ids)))


def scope(code: str | None) -> tuple[list[Node], Node | None, list[int]]:
    """The chosen jurisdiction (or the top one), its subtree's ids, and the whole tree."""
    tree = jurisdiction_tree()
    node = pick(tree, (code or "").strip()[:32] or None)
    return tree, node, (subtree(tree, node) if node else [])


def latest_reported_year(ids: list[int], node: Node | None = None) -> int | None:
    """The latest year of which some project has reported progress."""
    if node is not None and rollups.built():
        return rollups.latest_period(node.id, "p.reported")
    return db.session.scalar(
        select(func.max(Project.year)).where(
            Project.jurisdiction_id.in_(ids),
            select(Report.id).where(Report.project_id == Project.id).exists(),
        )
    )


def chosen_year(raw: str | None, ids: list[int], node: Node | None = None) -> int:
    """The year asked for; else the latest year with figures (some progress reported), so
    that a newly voted year, its plans still being drawn up, does not replace a year of real
    figures with zeros; else the latest year with projects; else this year."""
    if raw and digits(raw) and 1949 <= int(raw) <= 2200:
        return int(raw)
    return latest_reported_year(ids, node) or latest_year(ids, node) or today().year


def chosen_quarter(raw: str | None) -> int | None:
    """A quarter of the year (1–4) for the opinions' figures, or None for the whole year."""
    return int(raw) if raw in ("1", "2", "3", "4") else None
