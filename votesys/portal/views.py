"""The public site: home, projects, a project's whole trace, votes, statistics, downloads.
No login; phone first; every page cached until the data under it changes."""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext as _

from votesys.categories import CATEGORY_LABELS
from votesys.clock import today
from votesys.errors import NotFound
from votesys.formats import money
from votesys.portal import charts, downloads, listing, one_project, overview, scope
from votesys.projects import labels as project_labels
from votesys.projects.figures import summary_of
from votesys.public_cache import public_cached
from votesys.tabular import table

bp = Blueprint("portal", __name__)
FORMATS = "any(csv, xlsx)"


@bp.app_context_processor
def _labels() -> dict:
    return {
        "status_labels": project_labels.STATUS_LABELS,
        "completion_labels": project_labels.COMPLETION_LABELS,
        "change_labels": project_labels.CHANGE_LABELS,
        "supervision_labels": project_labels.SUPERVISION_LABELS,
        "funding_source_label": project_labels.source_label,
        "planning_label": project_labels.PLANNING_LABEL,
    }


@bp.get("/")
@public_cached
def home():
    tree, node, ids = scope.scope(request.args.get("jurisdiction"))
    year = scope.chosen_year(request.args.get("year"), ids, node)
    filters = listing.Filters(jurisdiction=node.code if node else None, year=year)
    listed = listing.project_page(filters, tree, per_page=12) if node else None
    figures = summary_of(node.id, ids, year) if node else None
    return render_template(
        "portal/home.html",
        tree=tree,
        node=node,
        year=year,
        listed=listed,
        figures=figures,
        funding_chart=_funding_chart(figures) if figures else None,
        funding_rows=_funding_rows(figures) if figures else [],
        votes=overview.published_votes(listing.within(tree, node), limit=3) if node else [],
        receptions=overview.next_receptions(listing.within(tree, node), today()) if node else [],
        # A newer year whose projects are voted but not yet reporting: the home stays on
        # the year with figures and points to it.
        newer_year=scope.latest_year(ids, node) if node else None,
    )


@bp.get("/projects")
@public_cached
def project_list():
    filters = listing.Filters.from_args(request.args)
    tree = scope.jurisdiction_tree()
    listed = listing.project_page(filters, tree)
    return render_template(
        "portal/projects.html",
        tree=tree,
        filters=filters,
        listed=listed,
        categories=CATEGORY_LABELS,
        sorts=_sort_labels(),
    )


def _filtered():
    """Every project the list's filters (the query string) choose, for the downloads."""
    filters = listing.Filters.from_args(request.args)
    return listing.all_projects(filters, scope.jurisdiction_tree())


@bp.get(f"/projects/export.<{FORMATS}:fmt>")
@public_cached
def project_export(fmt: str):
    """The filtered list as a register: one row per project, funding by source."""
    return _file(*downloads.register(_filtered()), fmt, _("Projects"), "projects")


@bp.get(f"/projects/funding.<{FORMATS}:fmt>")
@public_cached
def funding_export(fmt: str):
    return _file(*downloads.funding(_filtered()), fmt, _("Funding"), "funding")


@bp.get(f"/projects/progress.<{FORMATS}:fmt>")
@public_cached
def progress_export(fmt: str):
    return _file(*downloads.progress(_filtered()), fmt, _("Progress"), "progress")


@bp.get("/projects/<ref>")
@public_cached
def project(ref: str):
    found = one_project.project_by_ref(ref)
    detail = one_project.project_detail(found)
    return render_template(
        "portal/project.html",
        p=detail,
        funding_chart=_project_funding_chart(detail),
        funding_rows=[
            (
                str(project_labels.source_label(f["source"])),
                money(f["amount_wan"]),
                f["share"],
                money(f["spent_wan"]),
            )
            for f in detail["funding"]
        ],
    )


@bp.get(f"/projects/<ref>/data.<{FORMATS}:fmt>")
@public_cached
def project_file(ref: str, fmt: str):
    detail = one_project.project_detail(one_project.project_by_ref(ref))
    return _file(*downloads.one_project(detail), fmt, _("Project"), ref)


@bp.get("/projects/<ref>/photos/<int:photo_id>")
def photo(ref: str, photo_id: int):
    found = one_project.photo_by_ref(ref, photo_id)  # one statement
    return Response(
        found.data, mimetype=found.mime, headers={"Cache-Control": "public, max-age=86400"}
    )


@bp.get("/votes")
@public_cached
def votes():
    """Published votes: of every jurisdiction, or of one and everything under it."""
    code = request.args.get("jurisdiction")
    tree, node, ids = scope.scope(code) if code else (scope.jurisdiction_tree(), None, None)
    return render_template(
        "portal/votes.html", tree=tree, node=node, votes=overview.published_votes(ids)
    )


@bp.get("/statistics")
@public_cached
def statistics():
    tree, node, ids = scope.scope(request.args.get("jurisdiction"))
    year = scope.chosen_year(request.args.get("year"), ids, node)
    quarter = scope.chosen_quarter(request.args.get("quarter"))
    figures = summary_of(node.id, ids, year) if node else None
    opinions = overview.opinion_figures(node.id, ids, year, quarter) if node else None
    return render_template(
        "portal/statistics.html",
        tree=tree,
        node=node,
        year=year,
        quarter=quarter,
        figures=figures,
        opinions=opinions,
        charts=_statistics_charts(figures, opinions) if node else {},
        funding_rows=_funding_rows(figures) if node else [],
        status_rows=[
            (str(project_labels.STATUS_LABELS[s]), n) for s, n in figures["status_counts"].items()
        ]
        if node
        else [],
        category_rows=[
            (str(CATEGORY_LABELS[c]), v["collected"], v["closed"])
            for c, v in opinions["by_category"].items()
        ]
        if node
        else [],
    )


@bp.get(f"/statistics/data.<{FORMATS}:fmt>")
@public_cached
def statistics_file(fmt: str):
    tree, node, ids = scope.scope(request.args.get("jurisdiction"))
    if node is None:
        raise NotFound("no_jurisdiction")
    year = scope.chosen_year(request.args.get("year"), ids, node)
    quarter = scope.chosen_quarter(request.args.get("quarter"))
    figures = summary_of(node.id, ids, year)
    opinions = overview.opinion_figures(node.id, ids, year, quarter)
    return _file(
        *downloads.statistics(node.name, year, figures, opinions),
        fmt,
        _("Statistics"),
        f"statistics-{node.code}-{year}",
    )


# --- helpers ------------------------------------------------------------------------------


def _file(header, rows, fmt: str, title: str, name: str) -> Response:
    body, mimetype = table(header, rows, fmt, title)
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
    )


def _sort_labels() -> dict[str, str]:
    return {
        "recent": _("Newest first"),
        "title": _("Title"),
        "progress": _("Progress"),
        "investment": _("Investment"),
    }


def _funding_rows(figures: dict) -> list[tuple[str, str, str]]:
    """The funding chart's numbers as table rows: source, 万元, share."""
    return [
        (str(project_labels.source_label(s)), money(amount), figures["shares"].get(s, "—"))
        for s, amount in figures["investment_by_source_wan"].items()
    ]


def _funding_chart(figures: dict):
    shares = figures["shares"]
    bars = [
        charts.Bar(
            str(project_labels.source_label(source)),
            Decimal(amount),
            _("%(amount)s 万元 (%(share)s%%)", amount=money(amount), share=shares[source])
            if source in shares
            else _("%(amount)s 万元", amount=money(amount)),
        )
        for source, amount in figures["investment_by_source_wan"].items()
    ]
    return charts.bar_chart(_("Investment by funding source"), bars)


def _project_funding_chart(detail: dict):
    if not detail["funding"]:
        return None
    bars = [
        charts.Bar(
            str(project_labels.source_label(f["source"])),
            Decimal(f["amount_wan"]),
            _("%(amount)s 万元 (%(share)s%%)", amount=money(f["amount_wan"]), share=f["share"]),
        )
        for f in detail["funding"]
    ]
    return charts.bar_chart(_("Funding of this project by source"), bars)


def _statistics_charts(figures: dict, opinions: dict) -> dict:
    status = [
        charts.Bar(str(project_labels.STATUS_LABELS[s]), n, str(n))
        for s, n in figures["status_counts"].items()
    ]
    categories = [
        charts.Bar(str(CATEGORY_LABELS[c]), v["collected"], str(v["collected"]))
        for c, v in opinions["by_category"].items()
    ]
    return {
        "funding": _funding_chart(figures),
        "status": charts.bar_chart(_("Projects by status"), status),
        "categories": charts.bar_chart(_("Citizens' opinions by category"), categories),
    }
