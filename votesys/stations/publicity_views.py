"""Published opinions on the public site (a list and a page each, phone first, cached; their
photos) and on the desk (an opinion's photos for staff; hiding a published one, audited)."""

from __future__ import annotations

from flask import Response, flash, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from votesys.auth.views import roles_required
from votesys.errors import DomainError
from votesys.public_cache import public_cached
from votesys.stations import permissions, publicity
from votesys.stations.blueprint import STAFF, back, bp, fail
from votesys.stations.public import bp as public_bp

SORTS = {"new": _l("Newest"), "support": _l("Most supported")}


@public_bp.get("/opinions/public")
@public_cached
def public_list():
    sort = request.args.get("sort") if request.args.get("sort") in SORTS else "new"
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and 1 <= int(page) <= 10**6 else 1
    items, total = publicity.public_rows(sort=sort, page=page)
    return render_template(
        "stations/public_opinions.html",
        items=items,
        total=total,
        sort=sort,
        sorts=SORTS,
        page=page,
        pages=max(1, -(-total // publicity.PAGE)),
    )


@public_bp.get("/opinions/public/<int:opinion_id>")
@public_cached
def public_page(opinion_id: int):
    return render_template("stations/public_opinion.html", item=publicity.public_one(opinion_id))


@public_bp.get("/opinions/public/<int:opinion_id>/photos/<int:photo_id>")
def public_photo(opinion_id: int, photo_id: int):
    """A published opinion's photo; none once it is hidden (browsers keep it 5 minutes)."""
    photo = publicity.photo_of(publicity.published(opinion_id), photo_id)
    return Response(
        photo.data, mimetype=photo.mime, headers={"Cache-Control": "public, max-age=300"}
    )


@bp.get("/opinions/<int:opinion_id>/photos/<int:photo_id>")
@roles_required(*STAFF)
def opinion_photo(opinion_id: int, photo_id: int):
    """An opinion's photo, for the staff who handle it (published or not)."""
    opinion = permissions.get_opinion(opinion_id)
    permissions.ensure_may_handle(current_user, opinion)
    photo = publicity.photo_of(opinion, photo_id)
    return Response(photo.data, mimetype=photo.mime, headers={"Cache-Control": "private"})


@bp.post("/opinions/<int:opinion_id>/visibility")
@roles_required(*STAFF)
def visibility(opinion_id: int):
    """Hide a published opinion from the public site (a reason is required), or show it
    again; each goes into the audit chain."""
    opinion = permissions.get_opinion(opinion_id)
    permissions.ensure_may_handle(current_user, opinion)
    try:
        if request.form.get("action") == "show":
            publicity.show(opinion)
            flash(_("The opinion is public again."), "ok")
        else:
            publicity.hide(opinion, request.form.get("reason", ""))
            flash(_("The opinion is hidden from the public site."), "ok")
    except DomainError as err:
        fail(err, names={"reason": _l("Reason for hiding")})
    return back(".opinion", opinion_id=opinion.id)
