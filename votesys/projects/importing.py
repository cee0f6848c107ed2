"""The plan and progress reports from .xlsx/.csv: every bad cell reported, all or nothing.

Reads with ``votesys.importing`` (the same header matching and row numbers as rosters) and
checks each row by the same rules as the API's input, reading only; then ``bulk`` writes
every row in one transaction whose last statement is the import's one audit entry. A file of
more than IMPORT_BACKGROUND_ROWS rows is imported by a background job (congress.jobs).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from votesys import fields
from votesys.congress import services as congress
from votesys.congress.models import Jurisdiction
from votesys.errors import DomainError, InvalidInput, invalid
from votesys.extensions import db
from votesys.importing import (
    INLINE,
    Column,
    ImportRefused,
    Progress,
    RowError,
    Upload,
    batches,
    reason_of,
    records,
)
from votesys.models_base import MAX_ID
from votesys.projects import bulk, queries, reports, rules
from votesys.projects.models import Project, Report, Spending

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


def columns(kind: str) -> tuple[Column, ...]:
    return plan_columns() if kind == "plan" else progress_columns()


def run(
    node: Jurisdiction,
    kind: str,
    upload: Upload,
    *,
    actor: str,
    progress: Progress = INLINE,
) -> dict:
    """Every row checked first, reading only (any bad row refuses the file: ImportRefused,
    every bad row listed), then all of them written in one transaction, in bulk, whose last
    statement is the import's one audit entry (votesys.projects.bulk)."""
    found = records(upload.table, columns(kind))
    allowed = set(congress.subtree_ids(node.id))
    progress.stage("checking", len(found))
    if kind == "plan":
        planned = _checked(found, partial(_plan_row, node, allowed, {}), progress)
        return bulk.write_plan(node, upload, planned, actor=actor, progress=progress)
    projects = _projects(found)
    histories = _histories(projects)
    checked = _checked(found, partial(_progress_row, node, allowed, projects, histories), progress)
    return bulk.write_progress(node, upload, checked, actor=actor, progress=progress)


def _checked(found: list[tuple[int, dict]], check: Callable, progress: Progress) -> list[dict]:
    out, errors = [], []
    for n, values in found:
        try:
            out.append(check(values))
        except DomainError as err:
            errors.append(RowError(n, str(err.params.get("field", "")), reason_of(err)))
        progress.advance()
    if errors:
        raise ImportRefused(errors)
    return out


def _plan_row(node: Jurisdiction, allowed: set[int], places: dict, v: dict) -> dict:
    """A project of the plan, checked as ``register.create_project`` and ``set_plan`` take
    it from the API."""
    where = node
    if code := v.get("jurisdiction", "")[:32]:
        if code not in places:
            places[code] = congress.jurisdiction_by_code(code)
        where = places[code]
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
    row = {
        "jurisdiction": where,
        "year": fields.integer(v["year"], "年度", low=1949, high=2200),
        "title": fields.text(v["title"], "项目名称"),
        "unit": fields.text(v["unit"], "责任单位"),
        "completion": completion,
        "funding": funding,
        "targets": targets,
        "lead_official": fields.text(
            v.get("lead_official"), "责任领导", max_len=100, required=False
        ),
        "planned_start": fields.date(v.get("planned_start"), "计划开始", required=False),
        "planned_finish": fields.date(v.get("planned_finish"), "计划完成", required=False),
    }
    if row["planned_start"] and row["planned_finish"]:
        if row["planned_finish"] < row["planned_start"]:
            raise invalid("计划完成", _l("before the planned start"))
    return row


def _projects(found: list[tuple[int, dict]]) -> dict[int, Project]:
    """The projects the rows name, with their targets, read at once."""
    ids = set()
    for _, v in found:
        try:
            ids.add(fields.integer(v["project"], "项目编号", low=1, high=MAX_ID))
        except InvalidInput:
            continue  # refused with its row's other problems
    out: dict[int, Project] = {}
    for batch in batches(sorted(ids), 5000):
        query = select(Project).where(Project.id.in_(batch)).options(selectinload(Project.targets))
        out.update((p.id, p) for p in db.session.scalars(query))
    return out


def _histories(projects: dict[int, Project]) -> dict[int, list[Report]]:
    """Each project's reports, newest first (by date, then entry), with their spending."""
    out: dict[int, list[Report]] = {pid: [] for pid in projects}
    newest = (Report.reported_on.desc(), Report.id.desc())
    for batch in batches(sorted(projects), 5000):
        query = select(Report).where(Report.project_id.in_(batch)).order_by(*newest)
        for report in db.session.scalars(query.options(selectinload(Report.spending))):
            out[report.project_id].append(report)
    return out


def _progress_row(
    node: Jurisdiction, allowed: set[int], projects: dict, histories: dict, v: dict
) -> dict:
    """A progress report, checked as ``reports.add_report`` takes it from the API: after the
    project's reports, and the file's rows above it, as if each had been sent in turn."""
    pid = fields.integer(v["project"], "项目编号", low=1, high=2**62)
    project = projects.get(pid)
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
    history = histories[project.id]
    checked = reports.check_report(project, data, history)
    # The rows below see this one as stored: after the reports of its date or before.
    entry = Report(**{k: checked[k] for k in ("reported_on", "status", "progress")})
    entry.spending = [Spending(source=k, amount_wan=v) for k, v in checked["spent"].items()]
    at = next((i for i, r in enumerate(history) if r.reported_on <= entry.reported_on), None)
    history.insert(len(history) if at is None else at, entry)
    return {"project": project, **checked}
