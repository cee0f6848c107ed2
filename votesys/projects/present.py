"""How the register is shown: JSON shapes (public ones carry no personal data), CSV, XLSX."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from votesys import tabular
from votesys.categories import CATEGORY_LABELS
from votesys.clock import iso_day as _d
from votesys.projects import figures, queries, rules
from votesys.projects.labels import COMPLETION_LABELS, STATUS_LABELS, source_label
from votesys.projects.models import Project
from votesys.voting.labels import RATING_LABELS


def project_row(p: Project, today: date | None = None) -> dict[str, Any]:
    """A project in a list: public."""
    return {
        "id": p.id,
        "title": p.title,
        "jurisdiction": p.jurisdiction.code,
        "jurisdiction_name": p.jurisdiction.name,
        "year": p.year,
        "responsible_unit": p.unit.name if p.unit else None,
        "completion": p.completion,
        "status": p.status,
        "planning": queries.in_planning(p),
        "progress": p.progress,
        "overdue": queries.overdue(p, today),
        "investment_wan": rules.wan(queries.planned_total(p)),
        "rating": p.rating,
        "rectification": p.rectification,
    }


def plan(p: Project, *, ids: bool) -> dict[str, Any]:
    """A project's plan as every reader sees it: its dates, yearly stages, targets (with
    how far each is reached) and milestones. ``ids``: with the rows' ids, for those who
    edit them (the register's API); the public's shape has none."""

    def with_id(row: Any, shaped: dict[str, Any]) -> dict[str, Any]:
        return {"id": row.id, **shaped} if ids else shaped

    return {
        "planned_start": _d(p.planned_start),
        "planned_finish": _d(p.planned_finish),
        "stages": [{"year": s.year, "description": s.description} for s in p.stages],
        "targets": [
            with_id(
                t,
                {
                    "name": t.name,
                    "unit": t.unit,
                    "target": rules.wan(t.target),
                    "actual": rules.wan(t.actual),
                    "percent": rules.percent_of(t.actual, t.target),
                },
            )
            for t in p.targets
        ],
        "milestones": [
            with_id(
                m,
                {"name": m.name, "planned_date": _d(m.planned_date), "done_on": _d(m.done_on)},
            )
            for m in p.milestones
        ],
    }


def project_detail(p: Project, *, personal: bool = False) -> dict[str, Any]:
    """A project in full. Public unless ``personal``: no names of officials, deputies or
    the accounts that wrote reports; those are for organisers and the unit."""
    spent = queries.spent_by_source(p)
    out = (
        project_row(p)
        | plan(p, ids=True)
        | {
            "summary": p.summary,
            "vote": p.vote_id,
            "funding_wan": {f.source: rules.wan(f.amount_wan) for f in p.funding},
            "spent_wan": {k: rules.wan(v) for k, v in spent.items()},
            "reports": [
                {
                    "id": r.id,
                    "reported_on": _d(r.reported_on),
                    "status": r.status,
                    "progress": r.progress,
                    "narrative": r.narrative,
                    "correction": r.correction,
                    "values": {str(v.target_id): rules.wan(v.actual) for v in r.values},
                    "spent_wan": {s.source: rules.wan(s.amount_wan) for s in r.spending},
                    "photos": [f"/api/v1/projects/{p.id}/photos/{ph.id}" for ph in r.photos],
                    **({"author": r.author} if personal else {}),
                }
                for r in queries.reports_of(p)
            ],
            "changes": [
                {
                    "id": c.id,
                    "kind": c.kind,
                    "reason": c.reason,
                    "proposal": json.loads(c.proposal),
                    "state": c.state,
                    "decision_ref": c.decision_ref,
                    "decided_at": _d(c.decided_at),
                }
                for c in queries.changes_of(p)
            ],
            "supervision": [
                {
                    "kind": s.kind,
                    "held_on": _d(s.held_on),
                    "text": s.text,
                    **({"deputy": s.deputy.name if s.deputy else None} if personal else {}),
                }
                for s in queries.supervision_of(p)
            ],
        }
    )
    if personal:
        out["lead_official"] = p.lead_official
        out["supervisors"] = [{"code": s.deputy.code, "name": s.deputy.name} for s in p.supervisors]
    return out


def register_table(projects: list[Project]) -> tuple[list[str], list[list[object]]]:
    """The register as a header and one row per project: the organisers' export and the
    public download alike (nothing personal). Spending is read in one query."""
    src = queries.sources()
    spent = figures.spent_map([p.id for p in projects])
    header = [
        _("Id"),
        _("Year"),
        _("Jurisdiction"),
        _("Project"),
        _("Category"),
        _("Responsible unit"),
        _("Completion"),
        _("Planned start"),
        _("Planned finish"),
        *[_("%(source)s (万元)", source=source_label(s)) for s in src],
        _("Total (万元)"),
        _("Spent (万元)"),
        _("Status"),
        _("Progress (per cent)"),
        _("Overdue"),
        _("Rating"),
        _("Rectification"),
    ]
    yes = _("yes")
    rows: list[list[object]] = []
    for p in projects:
        funding = {f.source: f.amount_wan for f in p.funding}
        spent_total = sum(spent.get(p.id, {}).values(), Decimal("0.00"))
        rows.append(
            [
                p.ref,
                p.year,
                p.jurisdiction.name,
                p.title,
                str(CATEGORY_LABELS[p.category]),
                p.unit.name if p.unit else "",
                str(COMPLETION_LABELS[p.completion]),
                _d(p.planned_start) or "",
                _d(p.planned_finish) or "",
                *[rules.wan(funding[s]) if s in funding else "" for s in src],
                rules.wan(sum(funding.values(), Decimal("0.00"))),
                rules.wan(spent_total) if spent_total else "",
                str(STATUS_LABELS[p.status]),
                p.progress,
                yes if queries.overdue(p) else "",
                str(RATING_LABELS[p.rating]) if p.rating else "",
                yes if p.rectification else "",
            ]
        )
    return header, rows


def register_csv(projects: list[Project]) -> str:
    """UTF-8 with a BOM (tabular.to_csv), so that Excel opens the Chinese correctly."""
    return tabular.to_csv(*register_table(projects))


def register_xlsx(projects: list[Project]) -> bytes:
    return tabular.to_xlsx(*register_table(projects), _("Register"))
