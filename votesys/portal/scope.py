"""Which jurisdictions a visitor reads: the tree, the chosen one and its subtree, year, quarter."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app, has_request_context
from sqlalchemy import func, select

from votesys import public_cache
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


# A tree of at most this many jurisdictions is offered whole in the pages' pickers; a larger
# one (a province: 2,037) only around the chosen jurisdiction (Tree.choices).
PICKER_WHOLE = 200
_KEPT = "votesys.jurisdiction_tree"  # app.extensions: (public generation, Tree)


class Tree(list):
    """Every jurisdiction, depth-first (parents before children): a list of Node."""

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.subtrees: dict[int, list[int]] = {}  # a node's id: its subtree's ids

    def choices(self, chosen: Node | str | None = None) -> list[Node]:
        """The jurisdictions a page's picker offers: the whole tree when it is small; else
        the top ones and their children, the path down to the chosen jurisdiction (a Node
        or a code), its siblings and its children, in tree order. Every option of a
        province's 2,037 made each page over 100 KB and a worker's page cache several
        hundred MB (docs/performance.md, the province)."""
        if len(self) <= PICKER_WHOLE:
            return self
        by_id = {n.id: n for n in self}
        if isinstance(chosen, str):
            chosen = next((n for n in self if n.code == chosen), None)
        tops = [n for n in self if by_id.get(n.parent_id) is None]
        shown = {n.id for top in tops for n in (top, *top.children)}
        if chosen is not None:
            shown.update(child.id for child in chosen.children)
            parent = by_id.get(chosen.parent_id)
            shown.update(sibling.id for sibling in (parent.children if parent else ()))
            node = chosen
            while node is not None:
                shown.add(node.id)
                node = by_id.get(node.parent_id)
        return [n for n in self if n.id in shown]


def jurisdiction_tree() -> Tree:
    """Every jurisdiction, depth-first (parents before children), with its depth. Kept by
    each process for the public data's generation (votesys.public_cache): any change to a
    jurisdiction renews the generation, so the next request reads the tree again. A
    province's 2,037 read and linked on every page were a third of its home page's time.
    The tree is shared by the process's threads: nothing may change it."""
    if not has_request_context():
        return _read_tree()
    generation = public_cache.generation()
    kept = current_app.extensions.get(_KEPT)
    if kept is not None and kept[0] == generation:
        return kept[1]
    tree = _read_tree()
    current_app.extensions[_KEPT] = (generation, tree)
    return tree


def _read_tree() -> Tree:
    """One query, of plain columns (no ORM objects: a province has 2,037)."""
    nodes = {
        row.id: Node(row.id, row.code, row.name, row.level, row.parent_id)
        for row in db.session.execute(
            select(
                Jurisdiction.id,
                Jurisdiction.code,
                Jurisdiction.name,
                Jurisdiction.level,
                Jurisdiction.parent_id,
            ).order_by(Jurisdiction.code)
        )
    }
    roots = []
    for node in nodes.values():
        parent = nodes.get(node.parent_id) if node.parent_id else None
        (parent.children if parent else roots).append(node)
    out = Tree()

    def walk(node: Node, depth: int) -> None:
        node.depth = depth
        out.append(node)
        for child in node.children:
            walk(child, depth + 1)

    for root in roots:
        walk(root, 0)
    return out


def subtree(tree: list[Node], root: Node) -> list[int]:
    """The ids of ``root`` and everything under it (a Tree remembers each it was asked for;
    the list returned is the caller's own)."""
    found = tree.subtrees.get(root.id) if isinstance(tree, Tree) else None
    if found is None:
        found, stack = [], [root]
        while stack:
            node = stack.pop()
            found.append(node.id)
            stack.extend(node.children)
        if isinstance(tree, Tree):
            tree.subtrees[root.id] = found
    return list(found)


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
