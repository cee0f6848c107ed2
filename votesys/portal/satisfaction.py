"""群众满意度 on the public site: the rating form a project's poster (民生码) opens, its
thanks page, and the figures per responsible unit and year on year, with their downloads.
The figures are counts only: no phone, no hash, no comment."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice, StringField, TextAreaField

from votesys.errors import DomainError, NotFound
from votesys.extensions import db, limiter
from votesys.form_errors import LabelledForm, MaxChars, Reason, Required
from votesys.portal import one_project, scope
from votesys.projects import citizen_figures, citizen_ratings
from votesys.projects.labels import STATUS_LABELS
from votesys.public_cache import public_cached
from votesys.stations.rules import digits
from votesys.tabular import table
from votesys.voting.labels import RATING_LABELS

bp = Blueprint("satisfaction", __name__)
FORMATS = "any(csv, xlsx)"


def rating_limit() -> str:
    return current_app.config["RATING_RATE_LIMIT"]


class RatingForm(LabelledForm):
    error_names = {"choice": _l("Your rating")}

    choice = RadioField(
        _l("How satisfied are you with this project?"),
        choices=[SelectChoice(c, RATING_LABELS[c]) for c in citizen_ratings.CHOICES],
        validate_choice=False,
        validators=[Required(), Reason(lambda v: v in citizen_ratings.CHOICES, _l("choose one"))],
    )
    phone = StringField(
        _l("Your mobile number"),
        validators=[
            Required(),
            Reason(
                citizen_ratings.normalise_mobile,
                _l("a mainland mobile number of 11 digits, e.g. 138 0013 8000"),
            ),
        ],
    )
    comment = TextAreaField(
        _l("Comment (optional)"), validators=[MaxChars(citizen_ratings.MAX_COMMENT)]
    )


@bp.route("/projects/<ref>/rate", methods=["GET", "POST"])
@limiter.shared_limit(rating_limit, scope="citizen_ratings", methods=["POST"])
def rate(ref: str):
    """The form the poster's QR code opens (not cached: it carries the form's CSRF token)."""
    project = one_project.project_by_ref(ref)
    form = RatingForm()
    open_ = citizen_ratings.ratable(project)
    status = 200
    if request.method == "POST":
        if not open_:
            status = 409
        elif form.validate_on_submit():
            try:
                citizen_ratings.rate(
                    project,
                    {n: form[n].data for n in ("choice", "phone")}
                    | {"comment": form.comment.data or ""},
                )
            except DomainError as err:
                db.session.rollback()
                if err.code == "already_rated":  # beside the number it is about
                    form.phone.errors = [*form.phone.errors, err.message]
                else:
                    form.attach(err)
                status = err.status
            else:
                return redirect(url_for(".thanks", ref=project.ref))
        else:
            status = 422
    return render_template(
        "portal/rate.html",
        project=project,
        form=form,
        open=open_,
        status_label=STATUS_LABELS[project.status],
    ), status


@bp.get("/projects/<ref>/rate/thanks")
def thanks(ref: str):
    project = one_project.project_by_ref(ref)
    return render_template(
        "portal/rate_thanks.html",
        project=project,
        counts=citizen_ratings.counts_of(project.id),
    )


def figures_args() -> tuple[Any, Any, dict[str, Any], int | None]:
    tree, node, ids = scope.scope(request.args.get("jurisdiction"))
    found = citizen_figures.overview(jurisdiction_ids=ids) if node else _empty()
    raw = (request.args.get("year") or "").strip()
    year = int(raw) if digits(raw) and 1949 <= int(raw) <= 2200 else None
    if year is None:
        year = max(found["by_unit"], default=None)
    return tree, node, found, year


def _empty() -> dict[str, Any]:
    return {"projects": [], "by_unit": {}, "by_year": []}


@bp.get("/satisfaction")
@public_cached
def figures():
    tree, node, found, year = figures_args()
    return render_template(
        "portal/satisfaction.html",
        tree=tree,
        node=node,
        year=year,
        found=found,
        units=found["by_unit"].get(year, []),
        rated=[p for p in found["projects"] if p["total"]],
        status_labels=STATUS_LABELS,
    )


def download_table(found: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """One row per project of the jurisdiction (rated or not): the open data of 群众满意度."""
    header = [
        _("Id"),
        _("Project"),
        _("Jurisdiction"),
        _("Year"),
        _("Responsible unit"),
        _("Status"),
        _("Satisfied"),
        _("Basically satisfied"),
        _("Unsatisfied"),
        _("Total"),
        _("Share satisfied (per cent)"),
    ]
    rows = [
        [
            p["ref"],
            p["title"],
            p["jurisdiction"],
            p["year"],
            p["unit"],
            str(STATUS_LABELS[p["status"]]),
            p["satisfied"],
            p["basically_satisfied"],
            p["unsatisfied"],
            p["total"],
            p["satisfied_share"] or "",
        ]
        for p in found["projects"]
    ]
    return header, rows


@bp.get(f"/satisfaction/data.<{FORMATS}:fmt>")
@public_cached
def download(fmt: str):
    _tree, node, found, _year = figures_args()
    if node is None:
        raise NotFound("no_jurisdiction")
    body, mimetype = table(*download_table(found), fmt, _("Citizens' satisfaction"))
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="satisfaction-{node.code}.{fmt}"'},
    )
