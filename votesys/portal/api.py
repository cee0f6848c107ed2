"""Open data: read-only JSON of everything public, with ETag and Cache-Control, answering a
conditional request with 304. Nothing personal; no login."""

from __future__ import annotations

from flask import Blueprint, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from votesys.errors import NotFound, invalid
from votesys.extensions import db, limiter
from votesys.portal import listing, one_project, overview, scope
from votesys.portal.verify import receipt_limit
from votesys.projects.figures import summary_of
from votesys.public_cache import public_cached
from votesys.stations.rules import digits
from votesys.voting import present
from votesys.voting.models import Vote, VoteCandidate
from votesys.voting.receipts import find_receipt

bp = Blueprint("portal_api", __name__, url_prefix="/api/v1/public")


@bp.get("/jurisdictions")
@public_cached
def jurisdictions():
    tree = scope.jurisdiction_tree()
    codes = {n.id: n.code for n in tree}  # a parent by id, not by a search of the tree
    return {
        "jurisdictions": [
            {"code": n.code, "name": n.name, "level": n.level, "depth": n.depth}
            | {"parent": codes.get(n.parent_id)}
            for n in tree
        ]
    }


@bp.get("/projects")
@public_cached
def projects():
    """The filtered list, a page at a time (the same filters as the /projects page)."""
    filters = listing.Filters.from_args(request.args, strict=True)
    listed = listing.project_page(filters, scope.jurisdiction_tree())
    return {
        "total": listed.total,
        "page": listed.page,
        "pages": listed.pages,
        "per_page": listed.per_page,
        "projects": listed.rows,
    }


@bp.get("/projects/<ref>")
@public_cached
def project(ref: str):
    return one_project.project_detail(one_project.project_by_ref(ref))


@bp.get("/votes")
@public_cached
def votes():
    """Published votes: of every jurisdiction, or of one and everything under it."""
    _strict({"jurisdiction": None})
    code = request.args.get("jurisdiction")
    ids = scope.scope(code)[2] if code else None
    return {"votes": overview.published_votes(ids)}


@bp.get("/votes/<int:vote_id>")
@public_cached
def vote(vote_id: int):
    # The candidates with their entries in one statement: result_dict reads each entry's.
    found = db.session.scalar(
        select(Vote)
        .where(Vote.id == vote_id)
        .options(selectinload(Vote.entries).joinedload(VoteCandidate.candidate))
    )
    if found is None or found.state != "published":
        raise NotFound("not_found")
    return present.result_dict(found)


@bp.get("/receipts/<receipt>")
@limiter.shared_limit(receipt_limit, scope="receipts")
@public_cached
def receipt(receipt: str):
    """A deputy's receipt: the published vote that counted it and its Merkle inclusion proof
    under the record's trackers root (unknown, unpublished and practice alike: 404)."""
    return find_receipt(receipt)[1]


@bp.get("/statistics")
@public_cached
def statistics():
    """A jurisdiction's year (sub-jurisdictions rolled up): projects and opinions."""
    _strict({"jurisdiction": None, "year": range(1949, 2201), "quarter": range(1, 5)})
    _tree, node, ids = scope.scope(request.args.get("jurisdiction"))
    if node is None:
        raise NotFound("no_jurisdiction")
    year = scope.chosen_year(request.args.get("year"), ids, node)
    quarter = scope.chosen_quarter(request.args.get("quarter"))
    return {
        "jurisdiction": {"code": node.code, "name": node.name, "level": node.level},
        "year": year,
        "projects": summary_of(node.id, ids, year),
        "quarter": quarter,
        "opinions": overview.opinion_figures(node.id, ids, year, quarter),
    }


def _strict(allowed: dict[str, range | None]) -> None:
    """The API's parameters are given with a valid value or not at all (the pages, whose
    forms send empty fields, are lenient)."""
    for name, numbers in allowed.items():
        if name not in request.args:
            continue
        value = request.args[name].strip()
        if not value:
            raise invalid(name, _l("give a value or leave the parameter out"))
        if numbers is None:
            if len(value) > 32:
                raise invalid(name, _l("at most %(n)s characters", n=32))
        elif not (digits(value) and int(value) in numbers):
            raise invalid(
                name,
                _l(
                    "a whole number from %(low)s to %(high)s",
                    low=numbers.start,
                    high=numbers.stop - 1,
                ),
            )
