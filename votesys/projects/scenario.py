"""The scenario file's ``jurisdictions`` and ``projects`` sections: a jurisdiction tree and
projects loaded directly, as if approved (for jurisdictions whose vote predates the system).

Checked whole before anything is written, like the rest of the file (``votesys.scenario``).
"""

from __future__ import annotations

from typing import Any

from votesys import scenario_fields as fields
from votesys.congress import services as congress
from votesys.congress.models import Level
from votesys.errors import InvalidInput, NotFound
from votesys.projects import queries, register, rules
from votesys.scenario_fields import ScenarioError
from votesys.voting import jurisdiction_rules

JURISDICTION_FIELDS = ({"code", "name", "level"}, {"parent", "rules"})
PROJECT_FIELDS = (
    {"key", "title", "jurisdiction", "year", "completion", "responsible_unit", "funding"},
    {"targets", "progress", "status", "summary"},
)
TARGET_FIELDS = ({"name", "unit", "target"}, {"actual"})


def validate(data: dict) -> dict[str, list]:
    """The two sections, normalised; a bad field is refused naming its path."""
    out: dict[str, list] = {"jurisdictions": [], "projects": []}
    codes: set[str] = set()
    for i, raw in enumerate(fields.list_of(data.get("jurisdictions", []), "jurisdictions")):
        path = f"jurisdictions[{i}]"
        j = fields.object_of(raw, path, JURISDICTION_FIELDS)
        code = fields.text(j["code"], f"{path}.code", max_len=32)
        if code in codes:
            raise ScenarioError(f"{path}.code", "duplicate")
        parent = j.get("parent")
        if parent is not None:
            parent = fields.text(parent, f"{path}.parent", max_len=32)
        codes.add(code)
        out["jurisdictions"].append(
            {
                "code": code,
                "name": fields.text(j["name"], f"{path}.name", max_len=100),
                "level": fields.choice(j["level"], f"{path}.level", tuple(Level)),
                "parent": parent,
                # the jurisdiction's rules of the vote (票决办法), if the file states them
                "rules": jurisdiction_rules.from_scenario(j["rules"], f"{path}.rules")
                if "rules" in j
                else None,
            }
        )
    keys: set[str] = set()
    for i, raw in enumerate(fields.list_of(data.get("projects", []), "projects")):
        path = f"projects[{i}]"
        p = fields.object_of(raw, path, PROJECT_FIELDS)
        key = fields.text(p["key"], f"{path}.key", max_len=64)
        if key in keys:
            raise ScenarioError(f"{path}.key", "duplicate")
        keys.add(key)
        year = p["year"]
        if isinstance(year, bool) or not isinstance(year, int) or not 1949 <= year <= 2200:
            raise ScenarioError(f"{path}.year", "a year, e.g. 2026")
        progress = p.get("progress", 0)
        if isinstance(progress, bool) or not isinstance(progress, int) or not 0 <= progress <= 100:
            raise ScenarioError(f"{path}.progress", "a whole number from 0 to 100")
        out["projects"].append(
            {
                "key": key,
                "title": fields.text(p["title"], f"{path}.title"),
                "jurisdiction": fields.text(p["jurisdiction"], f"{path}.jurisdiction", max_len=32),
                "year": year,
                "completion": fields.choice(
                    p["completion"], f"{path}.completion", rules.COMPLETIONS
                ),
                "responsible_unit": fields.text(p["responsible_unit"], f"{path}.responsible_unit"),
                "summary": fields.text(
                    p.get("summary", ""), f"{path}.summary", max_len=5000, allow_empty=True
                ),
                "funding": _funding(p["funding"], f"{path}.funding"),
                "targets": _targets(p.get("targets", []), f"{path}.targets"),
                "progress": progress,
                "status": fields.choice(
                    p.get("status", "not_started"), f"{path}.status", rules.STATUSES
                ),
            }
        )
    return out


def _funding(value: Any, path: str) -> dict:
    if not isinstance(value, dict):
        raise ScenarioError(path, "an object of source: amount")
    known = queries.sources()
    out = {}
    for key, amount in value.items():
        if key not in known:
            raise ScenarioError(f"{path}.{key}", "unknown source; one of " + ", ".join(known))
        out[key] = fields.money(amount, f"{path}.{key}", strict=True)
    return out


def _targets(value: Any, path: str) -> list[dict]:
    out = []
    for i, raw in enumerate(fields.list_of(value, path)):
        t = fields.object_of(raw, f"{path}[{i}]", TARGET_FIELDS)
        item = {
            "name": fields.text(t["name"], f"{path}[{i}].name"),
            "unit": fields.text(t["unit"], f"{path}[{i}].unit", max_len=20),
        }
        for field in ("target", "actual"):
            if field in t:
                item[field] = fields.money(t[field], f"{path}[{i}].{field}", strict=True)
        out.append(item)
    return out


def load_jurisdictions(spec: dict[str, list]) -> None:
    """Create the jurisdictions, parents first as listed; those that exist are kept."""
    for i, j in enumerate(spec["jurisdictions"]):
        try:
            node = congress.find_or_create_jurisdiction(
                j["code"], j["name"], j["level"], j["parent"]
            )
        except InvalidInput as err:
            raise ScenarioError(
                f"jurisdictions[{i}].parent", str(err.params.get("reason"))
            ) from None
        if j["rules"] is not None:
            jurisdiction_rules.set_rules(node, j["rules"])


def load_projects(spec: dict[str, list]) -> dict[str, dict]:
    """Create the projects, as if approved; returns their ids by key."""
    ids = {}
    for i, p in enumerate(spec["projects"]):
        try:
            node = congress.jurisdiction_by_code(p["jurisdiction"])
        except NotFound:
            raise ScenarioError(
                f"projects[{i}].jurisdiction", "no jurisdiction with this code"
            ) from None
        project = register.create_project(
            node,
            year=p["year"],
            title=p["title"],
            unit_name=p["responsible_unit"],
            completion=p["completion"],
            summary=p["summary"],
            funding=p["funding"],
            targets=p["targets"],
            status=p["status"],
            progress=p["progress"],
        )
        ids[p["key"]] = project.id
    return {"projects": ids}
