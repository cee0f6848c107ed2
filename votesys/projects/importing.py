"""The plan and progress reports from .xlsx/.csv: every bad cell reported, all or nothing.

Reads with ``votesys.importing`` (the same header matching and row numbers as rosters) and
writes through the services, so a row is checked by the same rules as the API's input.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from votesys import fields
from votesys.congress import services as congress
from votesys.congress.models import Jurisdiction
from votesys.errors import DomainError, invalid
from votesys.extensions import db
from votesys.importing import Column, ImportRefused, RowError, read_table, records
from votesys.projects import queries, register, reports, rules
from votesys.projects.models import Project

COMPLETION_WORDS = {
    "": "this_year",
    "本年度": "this_year",
    "年内": "this_year",
    "当年": "this_year",
    "this_year": "this_year",
    "两年": "two_years",
    "分两年": "two_years",
    "two_years": "two_years",
    "长期": "long_term",
    "long_term": "long_term",
}
STATUS_WORDS = {
    "未开工": "not_started",
    "未启动": "not_started",
    "推进中": "in_progress",
    "实施中": "in_progress",
    "已完成": "completed",
    "滞后": "delayed",
    "暂缓": "suspended",
    "终止": "terminated",
} | {s: s for s in rules.STATUSES}
SOURCE_HEADERS = {
    "provincial": ("省级资金", "省资金"),
    "city": ("市级资金",),
    "county": ("县级资金", "区级资金"),
    "township": ("乡镇资金",),
    "social": ("社会资金",),
}


def _source_columns(key_prefix: str = "", header_suffix: str = "") -> tuple[Column, ...]:
    return tuple(
        Column(
            f"{key_prefix}{s}",
            tuple(h + header_suffix for h in SOURCE_HEADERS.get(s, ())) + (f"{key_prefix}{s}",),
            required=False,
        )
        for s in queries.sources()
    )


def plan_columns() -> tuple[Column, ...]:
    return (
        Column("title", ("项目名称", "title")),
        Column("year", ("年度", "year")),
        Column("jurisdiction", ("行政区划代码", "jurisdiction"), required=False),
        Column("unit", ("责任单位", "responsible_unit")),
        Column("lead_official", ("责任领导", "lead_official"), required=False),
        Column("completion", ("完成类型", "completion"), required=False),
        Column("planned_start", ("计划开始", "planned_start"), required=False),
        Column("planned_finish", ("计划完成", "planned_finish"), required=False),
        Column("target_name", ("目标名称", "target_name"), required=False),
        Column("target_unit", ("目标单位", "target_unit"), required=False),
        Column("target", ("目标值", "target"), required=False),
        *_source_columns(),
    )


def progress_columns() -> tuple[Column, ...]:
    return (
        Column("project", ("项目编号", "project")),
        Column("reported_on", ("报告日期", "reported_on")),
        Column("status", ("状态", "status")),
        Column("progress", ("进度", "进度%", "progress")),
        Column("narrative", ("进展情况", "narrative"), required=False),
        Column("actual", ("实际完成值", "actual"), required=False),
        *_source_columns("spent_", "已支出"),
    )


@dataclass
class Outcome:
    count: int = 0
    errors: list[RowError] = field(default_factory=list)


def run(node: Jurisdiction, kind: str, filename: str, content: bytes) -> Outcome:
    """Import every row or, if any is bad, report them all (the request then rolls back)."""
    try:
        rows = read_table(filename, content)
        found = records(rows, plan_columns() if kind == "plan" else progress_columns())
    except ImportRefused as err:
        return Outcome(errors=err.errors)
    outcome = Outcome()
    handler = _plan_row if kind == "plan" else _progress_row
    allowed = set(congress.subtree_ids(node.id))
    for n, values in found:
        try:
            handler(node, allowed, values)
            outcome.count += 1
        except DomainError as err:
            column = str(err.params.get("field", ""))
            reason = err.params.get("reason") if err.code == "invalid" else err.message
            outcome.errors.append(RowError(n, column, reason))
    if outcome.errors:
        outcome.count = 0
    return outcome


def _plan_row(node: Jurisdiction, allowed: set[int], v: dict) -> Project:
    where = node
    if v.get("jurisdiction"):
        where = congress.jurisdiction_by_code(v["jurisdiction"][:32])
        if where.id not in allowed:
            raise invalid("行政区划代码", _l("not under %(name)s", name=node.name))
    completion = COMPLETION_WORDS.get(v.get("completion", "").lower())
    if completion is None:
        raise invalid("完成类型", _l("本年度, 两年 or 长期"))
    funding = {
        s: fields.money(v[s].replace(",", ""), SOURCE_HEADERS.get(s, (s,))[0])
        for s in queries.sources()
        if v.get(s)
    }
    targets = []
    if v.get("target_name") or v.get("target"):
        targets.append(
            {
                "name": fields.text(v.get("target_name"), "目标名称"),
                "unit": fields.text(v.get("target_unit"), "目标单位", max_len=20),
                "target": fields.money(v.get("target"), "目标值"),
            }
        )
    project = register.create_project(
        where,
        year=fields.integer(v["year"], "年度", low=1949, high=2200),
        title=fields.text(v["title"], "项目名称"),
        unit_name=fields.text(v["unit"], "责任单位"),
        completion=completion,
        funding=funding,
        targets=targets,
    )
    plan = {k: v[k] for k in ("lead_official", "planned_start", "planned_finish") if v.get(k)}
    if plan:
        register.set_plan(project, plan)
    return project


def _progress_row(node: Jurisdiction, allowed: set[int], v: dict) -> None:
    pid = fields.integer(v["project"], "项目编号", low=1, high=2**62)
    project = db.session.get(Project, pid)
    if project is None or project.jurisdiction_id not in allowed:
        raise invalid("项目编号", _l("no such project under %(name)s", name=node.name))
    status = STATUS_WORDS.get(v["status"])
    if status is None:
        raise invalid("状态", _l("未开工, 推进中, 已完成, 滞后, 暂缓 or 终止"))
    data = {
        "reported_on": v["reported_on"],
        "status": status,
        "progress": v["progress"],
        "narrative": v.get("narrative", ""),
        "spent": {s: v[f"spent_{s}"] for s in queries.sources() if v.get(f"spent_{s}")},
    }
    if v.get("actual"):
        if not project.targets:
            raise invalid("实际完成值", _l("the project has no target"))
        data["values"] = {str(project.targets[0].id): v["actual"]}
    reports.add_report(project, data)
