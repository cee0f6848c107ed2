"""The scenario file's jurisdictions and projects sections; unit accounts from the CLI;
the plan and progress imported from .xlsx/.csv, all or nothing."""

from __future__ import annotations

import copy
import io
import json

import pytest

from tests.factories import build_scenario
from votesys import scenario
from votesys.auth.models import User
from votesys.extensions import db
from votesys.projects.models import Project, Report
from votesys.scenario import ScenarioError

BASE = {
    "jurisdictions": [
        {"code": "C", "name": "市", "level": "city"},
        {"code": "D", "name": "区", "level": "county", "parent": "C"},
    ],
    "projects": [
        {
            "key": "a",
            "title": "项目",
            "jurisdiction": "D",
            "year": 2026,
            "completion": "this_year",
            "responsible_unit": "区人社局",
            "funding": {"county": "10.00"},
            "targets": [{"name": "培训", "unit": "人", "target": "2000", "actual": "2921"}],
            "progress": 50,
            "status": "in_progress",
        }
    ],
}


def test_sections_are_optional(app):
    ids = scenario.load(copy.deepcopy(BASE))
    project = db.session.get(Project, ids["projects"]["a"])
    assert (project.status, project.progress, project.unit.name) == ("in_progress", 50, "区人社局")
    assert str(project.targets[0].actual) == "2921.00"
    only_tree = scenario.load({"jurisdictions": [{"code": "Z", "name": "镇", "level": "township"}]})
    assert only_tree == {"projects": {}}


def test_congress_and_projects_together(app):
    data = build_scenario(deputies=3, candidates=2, seats=1, jurisdiction="D", parent="C")
    data |= copy.deepcopy(BASE)
    ids = scenario.load(data)
    assert set(ids) >= {"congress", "votes", "projects"}


def _set(path, value):
    def mutate(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        if value is KeyError:
            del target[path[-1]]
        else:
            target[path[-1]] = value

    return mutate


@pytest.mark.parametrize(
    ("path", "value", "error_path"),
    [
        (("projects", 0, "funding", "county"), "-5", "projects[0].funding.county"),
        (("projects", 0, "funding", "county"), "abc", "projects[0].funding.county"),
        (("projects", 0, "funding", "county"), 1.5, "projects[0].funding.county"),
        (("projects", 0, "funding", "central"), "1", "projects[0].funding.central"),
        (("projects", 0, "progress"), 130, "projects[0].progress"),
        (("projects", 0, "status"), "lost", "projects[0].status"),
        (("projects", 0, "completion"), "soon", "projects[0].completion"),
        (("projects", 0, "year"), "2026", "projects[0].year"),
        (("projects", 0, "jurisdiction"), "NOPE", "projects[0].jurisdiction"),
        (("projects", 0, "title"), KeyError, "projects[0].title"),
        (("projects", 0, "colour"), "red", "projects[0].colour"),
        (("projects", 0, "targets", 0, "target"), "x", "projects[0].targets[0].target"),
        (("jurisdictions", 1, "parent"), "NOPE", "jurisdictions[1].parent"),
        (("jurisdictions", 1, "level"), "village", "jurisdictions[1].level"),
        (("congress",), {"name": "x", "term": 1}, "candidates"),
    ],
)
def test_bad_sections_refused_whole(app, path, value, error_path):
    data = copy.deepcopy(BASE)
    _set(path, value)(data)
    with pytest.raises(ScenarioError) as err:
        scenario.load(data)
    assert err.value.path == error_path
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Project.id))) == 0


def test_cli_creates_a_unit_user(app, runner):
    scenario.load(copy.deepcopy(BASE))
    db.session.commit()
    args = ["create-user", "--role", "unit", "--login", "renshe", "--password", "long-enough"]
    assert runner.invoke(args=args).exit_code != 0  # no unit named
    ok = runner.invoke(args=[*args, "--unit", "区人社局", "--jurisdiction", "D"])
    assert ok.exit_code == 0, ok.output
    user = db.session.scalar(db.select(User).where(User.login == "renshe"))
    assert user.role == "unit" and user.unit.name == "区人社局"
    project = db.session.scalar(db.select(Project))
    assert user.unit_id == project.unit_id  # the same unit, not a second one


PLAN_CSV = (
    "项目名称,年度,责任单位,完成类型,省级资金,县级资金,目标名称,目标单位,目标值,计划完成\n"
    "农村公路提质,2026,区交通运输局,本年度,100.50,200,里程,公里,35,2026-12-31\n"
    "乡镇卫生院改造,2026,区卫健局,两年,,80.00,,,,\n"
)


def _upload(api, content, name, kind="plan"):
    return api.client.post(
        "/api/v1/jurisdictions/D/projects/import",
        data={"kind": kind, "file": (io.BytesIO(content), name)},
        headers={"Authorization": f"Bearer {api.tokens['organiser']}"},
        content_type="multipart/form-data",
    )


def test_import_plan_csv_and_progress_xlsx(app, organiser, api, client):
    from openpyxl import Workbook

    scenario.load(copy.deepcopy(BASE))
    db.session.commit()
    api.login("organiser", "organiser-pass")
    response = _upload(api, PLAN_CSV.encode("utf-8-sig"), "plan.csv")
    assert response.status_code == 201, response.get_json()
    assert response.get_json() == {"imported": 2}
    road = db.session.scalar(db.select(Project).where(Project.title == "农村公路提质"))
    assert {f.source: str(f.amount_wan) for f in road.funding} == {
        "provincial": "100.50",
        "county": "200.00",
    }
    assert str(road.planned_finish) == "2026-12-31"
    book = Workbook()
    sheet = book.active
    sheet.append(
        ["项目编号", "报告日期", "状态", "进度", "进展情况", "实际完成值", "县级资金已支出"]
    )
    sheet.append([road.id, "2026-06-30", "推进中", 60, "完成21公里", "21", "150.00"])
    out = io.BytesIO()
    book.save(out)
    response = _upload(api, out.getvalue(), "progress.xlsx", kind="progress")
    assert response.status_code == 201, response.get_json()
    detail = client.get(f"/api/v1/projects/{road.id}").get_json()
    assert detail["progress"] == 60 and detail["targets"][0]["percent"] == 60
    assert detail["spent_wan"] == {"county": "150.00"}


def test_import_is_all_or_nothing(app, organiser, api):
    scenario.load(copy.deepcopy(BASE))
    db.session.commit()
    api.login("organiser", "organiser-pass")
    bad = PLAN_CSV + "坏项目,2026,区民政局,永远,-3,,,,,\n"
    response = _upload(api, bad.encode(), "plan.csv")
    assert response.status_code == 422
    rows = response.get_json()["rows"]
    assert [r["row"] for r in rows] == [4]
    assert db.session.scalar(db.select(db.func.count(Project.id))) == 1
    progress = "项目编号,报告日期,状态,进度\n1,2026-06-30,推进中,130\n99,2026-06-30,推进中,5\n"
    response = _upload(api, progress.encode(), "p.csv", kind="progress")
    assert response.status_code == 422
    assert [r["row"] for r in response.get_json()["rows"]] == [2, 3]
    assert db.session.scalar(db.select(db.func.count(Report.id))) == 0
    assert _upload(api, b"\x00\x01", "plan.xlsx").status_code == 422
    assert _upload(api, b"x", "plan.txt").status_code == 422


def test_seed_file_is_valid_json():
    from tests.projects.conftest import SEED

    data = json.loads(SEED.read_text(encoding="utf-8"))
    assert len(data["projects"]) == 73 and len(data["jurisdictions"]) == 22
