"""JSON of published opinions and their support (附议): POST /api/v1/opinions/{id}/support
(public, no body; one per browser, rate-limited per address), the public list and one
opinion."""

from __future__ import annotations

from flask import current_app, request
from flask_babel import lazy_gettext as _l

from votesys.errors import Forbidden, invalid
from votesys.extensions import limiter
from votesys.public_cache import public_cached
from votesys.stations import publicity
from votesys.stations.api import bp


def _support_limit() -> str:
    return current_app.config["SUPPORT_RATE_LIMIT"]


@bp.post("/opinions/<int:opinion_id>/support")
@limiter.limit(_support_limit)
def support(opinion_id: int):
    """附议: this browser supports a published opinion (201), once (409 already_supported)."""
    if request.headers.get("Sec-Fetch-Site") == "cross-site":  # a forged cross-site request
        raise Forbidden("forbidden")
    browser, new = publicity.browser_id(request.cookies.get(publicity.BROWSER_COOKIE))
    count = publicity.support(opinion_id, browser)
    response = current_app.make_response(({"opinion": opinion_id, "supports": count}, 201))
    if new:
        response.set_cookie(
            publicity.BROWSER_COOKIE,
            browser,
            max_age=2 * 365 * 86400,
            path="/api/v1/opinions/",
            httponly=True,
            samesite="Lax",
            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        )
    return response


@bp.get("/public/opinions")
@public_cached
def public_opinions():
    """Published opinions: newest first (``sort=support``: most supported first), 30 a page."""
    sort = request.args.get("sort", "new")
    if sort not in ("new", "support"):
        raise invalid("sort", _l("one of: %(keys)s", keys="new, support"))
    page = request.args.get("page", "1")
    if not page.isdigit() or not 1 <= int(page) <= 10**6:
        raise invalid("page", _l("a page number"))
    jurisdiction = request.args.get("jurisdiction") or None
    items, total = publicity.public_rows(sort=sort, jurisdiction=jurisdiction, page=int(page))
    return {"total": total, "page": int(page), "opinions": items}


@bp.get("/public/opinions/<int:opinion_id>")
@public_cached
def public_opinion(opinion_id: int):
    return publicity.public_one(opinion_id)
