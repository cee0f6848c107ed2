"""The desk's plan form (实施计划): its rows of funding, targets and milestones, read by
name because their number depends on the project, and turned into what the plan API takes
(``register.set_plan``), with each input's label for the errors."""

from __future__ import annotations

import re
from functools import partial

from flask import request
from flask_babel import gettext as _

from votesys.projects import labels, queries, rules
from votesys.projects.forms import PlanForm

# The plan form's blank rows for new targets and milestones.
BLANK_ROWS = 2
ROW_NUMBER = re.compile(r"([0-9]{1,2})")
TARGET_KEYS = ("name", "unit", "target")
MILESTONE_KEYS = ("name", "date")


def initial_form(project) -> PlanForm:
    return PlanForm(
        unit=project.unit.name if project.unit else "",
        lead_official=project.lead_official,
        completion=project.completion,
        planned_start=project.planned_start,
        planned_finish=project.planned_finish,
    )


def initial_rows(project) -> dict:
    """The plan form's rows as the project has them, with blank rows to add to."""
    blank = {"name": "", "unit": "", "target": ""}
    return {
        "funding": {f.source: str(f.amount_wan) for f in project.funding},
        "sources": plan_sources(project),
        "targets": [
            {"name": t.name, "unit": t.unit, "target": str(t.target)} for t in project.targets
        ]
        + [dict(blank) for _ in range(BLANK_ROWS)],
        "milestones": [{"name": m.name, "date": str(m.planned_date)} for m in project.milestones]
        + [{"name": "", "date": ""} for _ in range(BLANK_ROWS)],
    }


def plan_sources(project) -> list[str]:
    """The configured sources, and 来源待落实 while the project has money under it."""
    pending = any(f.source == rules.PENDING_SOURCE for f in project.funding)
    return [*queries.sources(), *([rules.PENDING_SOURCE] if pending else [])]


def rows_sent(project) -> dict:
    """The rows as sent, to show them again beside the errors."""
    form = request.form
    count = partial(_numbered, form)
    return {
        "funding": {s: form.get(f"funding_{s}", "") for s in plan_sources(project)},
        "sources": plan_sources(project),
        "targets": [
            {k: form.get(f"target_{k}_{i}", "") for k in TARGET_KEYS}
            for i in range(count("target_name_"))
        ],
        "milestones": [
            {k: form.get(f"milestone_{k}_{i}", "") for k in MILESTONE_KEYS}
            for i in range(count("milestone_name_"))
        ],
    }


def _numbered(form, prefix: str) -> int:
    """How many rows of ``prefix`` were sent (the highest number + 1, at most 100)."""
    numbers = [
        int(found[1])
        for key in form
        if key.startswith(prefix) and (found := ROW_NUMBER.fullmatch(key[len(prefix) :]))
    ]
    return min(max(numbers, default=-1) + 1, 100)


def _kept(rows: list[dict], keys: tuple[str, ...]) -> list[tuple[int, dict]]:
    """The rows with something typed in one of ``keys``, with their number on the form."""
    return [(n, r) for n, r in enumerate(rows, 1) if any(r[k].strip() for k in keys)]


def plan_data(form: PlanForm, rows: dict) -> dict:
    """What the desk's plan form sends, as the plan API takes it (register.set_plan): an
    empty amount is no money from that source; an empty row is left out."""
    data = {
        "unit": form.unit.data,
        "completion": form.completion.data,
        "planned_start": form.planned_start.data.isoformat() if form.planned_start.data else None,
        "planned_finish": form.planned_finish.data.isoformat(),
        "funding": {s: v for s, v in rows["funding"].items() if v.strip()},
        "targets": [
            {"name": t["name"], "unit": t["unit"], "target": t["target"]}
            for _n, t in _kept(rows["targets"], TARGET_KEYS)
        ],
        "milestones": [
            {"name": m["name"], "planned_date": m["date"]}
            for _n, m in _kept(rows["milestones"], MILESTONE_KEYS)
        ],
    }
    if (form.lead_official.data or "").strip():
        data["lead_official"] = form.lead_official.data
    return data


def field_names(rows: dict) -> dict[str, str]:
    """The plan's inputs outside PlanForm by the names the service gives them (the n-th
    row it was sent), as the form labels them (the row's number on the form)."""
    names = {f"funding.{s}": f"{labels.source_label(s)}（{_('万元')}）" for s in rows["sources"]}
    for i, (n, _row) in enumerate(_kept(rows["targets"], TARGET_KEYS)):
        names |= {
            f"targets[{i}].name": _("Target %(n)s: name", n=n),
            f"targets[{i}].unit": _("Target %(n)s: unit", n=n),
            f"targets[{i}].target": _("Target %(n)s: planned value", n=n),
        }
    for i, (n, _row) in enumerate(_kept(rows["milestones"], MILESTONE_KEYS)):
        names |= {
            f"milestones[{i}].name": _("Milestone %(n)s: name", n=n),
            f"milestones[{i}].planned_date": _("Milestone %(n)s: planned date", n=n),
        }
    return names | {"funding": _("Funding (万元)"), "targets": _("Targets")}
