"""群众满意度 in the public API: a citizen's rating of a project, a project's counts, and
the figures per responsible unit and year on year (open data: counts only)."""

from __future__ import annotations

from flask import Blueprint, request
from flask_babel import lazy_gettext as _l

from votesys.api_support import json_body
from votesys.errors import NotFound, invalid
from votesys.extensions import limiter
from votesys.portal import one_project, satisfaction
from votesys.projects import citizen_ratings
from votesys.public_cache import public_cached
from votesys.stations.rules import digits

bp = Blueprint("satisfaction_api", __name__, url_prefix="/api/v1/public")


@bp.post("/projects/<ref>/ratings")
@limiter.shared_limit(satisfaction.rating_limit, scope="citizen_ratings")
def rate(ref: str):
    project = one_project.project_by_ref(ref)
    data = json_body()
    unknown = set(data) - {"choice", "phone", "comment"}
    if unknown:
        raise invalid(sorted(unknown)[0][:40], _l("not a field of a rating"))
    citizen_ratings.rate(project, data)
    return citizen_ratings.counts_of(project.id), 201


@bp.get("/projects/<ref>/ratings")
@public_cached
def ratings(ref: str):
    return citizen_ratings.counts_of(one_project.project_by_ref(ref).id)


@bp.get("/satisfaction")
@public_cached
def figures():
    """Per project, per responsible unit and year, and year on year, of a jurisdiction."""
    _strict()
    _tree, node, found, year = satisfaction.figures_args()
    if node is None:
        raise NotFound("no_jurisdiction")
    return {
        "jurisdiction": {"code": node.code, "name": node.name, "level": node.level},
        "year": year,
        "by_unit": found["by_unit"].get(year, []),
        "by_year": found["by_year"],
        "projects": found["projects"],
    }


def _strict() -> None:
    """As the rest of the public API: a parameter is given with a valid value or not at all."""
    for name in ("jurisdiction", "year"):
        if name in request.args and not request.args[name].strip():
            raise invalid(name, _l("give a value or leave the parameter out"))
    if len(request.args.get("jurisdiction", "")) > 32:
        raise invalid("jurisdiction", _l("at most %(n)s characters", n=32))
    year = request.args.get("year", "").strip()
    if year and not (digits(year) and 1949 <= int(year) <= 2200):
        raise invalid("year", _l("a whole number from %(low)s to %(high)s", low=1949, high=2200))
