"""The open-data downloads as tables (a header and rows), for CSV and .xlsx alike
(`votesys.tabular` writes them, neutralising formula cells). Nothing personal."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from votesys.categories import CATEGORY_LABELS
from votesys.extensions import db
from votesys.projects import present, rules
from votesys.projects.figures import spent_map
from votesys.projects.labels import STATUS_LABELS, source_label
from votesys.projects.models import Project, Report
from votesys.stations.labels import STEP_LABELS

Table = tuple[list[str], list[list[Any]]]


def register(chosen: list[Project]) -> Table:
    """One row per project: the same register as the organisers' export."""
    return present.register_table(chosen)


def funding(chosen: list[Project]) -> Table:
    """One row per project and funding source: planned and spent (万元)."""
    spent = spent_map([p.id for p in chosen])
    header = [
        _("Id"),
        _("Project"),
        _("Funding source"),
        _("Planned (万元)"),
        _("Spent (万元)"),
    ]
    rows = [
        [
            p.ref,
            p.title,
            str(source_label(f.source)),
            rules.wan(f.amount_wan),
            rules.wan(spent.get(p.id, {}).get(f.source)) or "",
        ]
        for p in chosen
        for f in p.funding
    ]
    return header, rows


def progress(chosen: list[Project]) -> Table:
    """Every progress report of the chosen projects, newest first per project."""
    by_id = {p.id: p for p in chosen}
    reports = db.session.scalars(
        select(Report)
        .where(Report.project_id.in_(list(by_id)))
        .order_by(Report.project_id, Report.reported_on.desc(), Report.id.desc())
    )
    header = [_("Id"), _("Project"), _("Reported on"), _("Status"), _("Progress"), _("Report")]
    rows = [
        [
            by_id[r.project_id].ref,
            by_id[r.project_id].title,
            r.reported_on.isoformat(),
            str(STATUS_LABELS[r.status]),
            r.progress,
            r.narrative,
        ]
        for r in reports
    ]
    return header, rows


def one_project(detail: dict[str, Any]) -> Table:
    """A project's page as one table: what, key, value — plan, funding, targets, reports."""
    header = [_("Section"), _("Item"), _("Value"), _("Detail")]
    rows: list[list[Any]] = [
        [_("Project"), _("Id"), detail["ref"], ""],
        [_("Project"), _("Title"), detail["title"], ""],
        [_("Project"), _("Jurisdiction"), detail["jurisdiction_name"], ""],
        [_("Project"), _("Year"), detail["year"], ""],
        [_("Project"), _("Status"), str(STATUS_LABELS[detail["status"]]), ""],
        [_("Project"), _("Progress (per cent)"), detail["progress"], ""],
        [_("Project"), _("Total (万元)"), detail["investment_wan"], ""],
    ]
    for f in detail["funding"]:
        rows.append(
            [_("Funding"), str(source_label(f["source"])), f["amount_wan"], f["spent_wan"] or ""]
        )
    for t in detail["targets"]:
        rows.append([_("Target"), f"{t['name']} ({t['unit']})", t["target"], t["actual"] or ""])
    for m in detail["milestones"]:
        rows.append([_("Milestone"), m["name"], m["planned_date"], m["done_on"] or ""])
    for r in detail["reports"]:
        rows.append([_("Report"), r["reported_on"], r["progress"], r["narrative"]])
    if detail["vote"]:
        v = detail["vote"]
        rows.append([_("Vote"), v["title"], v["for"], f"{v['against']} / {v['abstain']}"])
    return header, rows


def statistics(name: str, year: int, figures: dict, opinions: dict) -> Table:
    """The figures of a jurisdiction's year: projects and citizens' opinions."""
    header = [_("Table"), _("Item"), _("Value")]
    projects_t, money_t, opinions_t = _("Projects"), _("Investment (万元)"), _("Opinions")
    rows: list[list[Any]] = [
        [_("Jurisdiction"), name, year],
        [projects_t, _("Projects"), figures["projects"]],
        [projects_t, _("Completed"), figures["completed"]],
        [projects_t, _("Overdue"), figures["overdue"]],
    ]
    rows += [[projects_t, str(STATUS_LABELS[s]), n] for s, n in figures["status_counts"].items()]
    rows += [
        [money_t, str(source_label(s)), amount]
        for s, amount in figures["investment_by_source_wan"].items()
    ]
    rows.append([money_t, _("Total"), figures["investment_wan"]])
    rows += [
        [opinions_t, _("Collected"), opinions["opinions_collected"]],
        [opinions_t, _("Closed"), opinions["closed"]],
        [opinions_t, _("Closure rate (per cent)"), opinions["closure_rate"] or ""],
        [opinions_t, _("Reception days held"), opinions["reception_sessions"]],
        [opinions_t, _("Deputy attendances"), opinions["deputy_attendances"]],
    ]
    rows += [
        [opinions_t, str(CATEGORY_LABELS[c]), v["collected"]]
        for c, v in opinions["by_category"].items()
    ]
    rows += [[opinions_t, str(STEP_LABELS[s]), n] for s, n in opinions["by_status"].items()]
    return header, rows
