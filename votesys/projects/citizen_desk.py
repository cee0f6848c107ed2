"""群众满意度 on the desk: a project's citizens' ratings with their comments (staff only), its
A4 QR poster (民生码) for the site, and the figures per responsible unit and year of the
projects the user manages (organisers) or reports on (a responsible unit)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from votesys.auth.views import roles_required
from votesys.projects import citizen_figures, citizen_ratings, permissions, queries
from votesys.projects.labels import STATUS_LABELS
from votesys.projects.models import Project
from votesys.public_cache import public_url_for
from votesys.qr import qr_svg
from votesys.voting.labels import RATING_LABELS

bp = Blueprint("citizen_desk", __name__, url_prefix="/desk/projects")
EVERYONE = ("organiser", "admin", "unit")


def _project(project_id: int) -> Project:
    project = queries.get_project(project_id)
    if current_user.role == "unit":
        permissions.ensure_may_report(current_user, project)
    else:
        permissions.ensure_organiser_of(current_user, project)
    return project


def form_url(project: Project) -> str:
    """Where the poster's code leads: the public rating form, on the public URL."""
    return public_url_for("satisfaction.rate", ref=project.ref)


@bp.get("/<int:project_id>/citizens")
@roles_required(*EVERYONE)
def citizens(project_id: int):
    project = _project(project_id)
    return render_template(
        "projects/citizens.html",
        project=project,
        counts=citizen_ratings.counts_of(project.id),
        comments=citizen_ratings.comments_of(project.id),
        ratable=citizen_ratings.ratable(project),
        rating_labels=RATING_LABELS,
        status_labels=STATUS_LABELS,
    )


@bp.get("/<int:project_id>/poster")
@roles_required(*EVERYONE)
def poster(project_id: int):
    """The A4 poster to print and put up at the site: the code opens the rating form."""
    project = _project(project_id)
    url = form_url(project)
    return render_template(
        "projects/poster.html",
        project=project,
        url=url,
        qr=qr_svg(url),
        ratable=citizen_ratings.ratable(project),
    )


@bp.get("/satisfaction")
@roles_required(*EVERYONE)
def figures():
    if current_user.role == "unit":
        projects = permissions.unit_projects(current_user)
    else:
        projects = permissions.managed_projects(current_user)
    found = citizen_figures.overview(project_ids=[p.id for p in projects])
    year = request.args.get("year", type=int) or max(found["by_unit"], default=None)
    return render_template(
        "projects/satisfaction.html",
        found=found,
        year=year,
        units=found["by_unit"].get(year, []),
        years=sorted(found["by_unit"], reverse=True),
        status_labels=STATUS_LABELS,
    )
