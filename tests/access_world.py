"""A small world for the access tests: the home county 430212 (with a township under it) and
a neighbouring county 430299 under one city, each with its congress, deputies, a session, a
draft vote, a station with staff, an opinion, a reception day, a project of a responsible
unit (with a milestone, a photo and a change request), and an account for every role."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from PIL import Image
from sqlalchemy import select

from tests.factories import PIN, build_scenario
from votesys import scenario
from votesys.auth.services import create_user
from votesys.extensions import db

HOME, ELSEWHERE = "430212", "430299"
PASSWORD = "role-pass-123"

# Role name -> login. Deputies log in with their code and the scenario's PIN.
ACCOUNTS = {
    "deputy": "D0001",
    "staff": "staff",
    "unit": "unit",
    "organiser": "organiser",
    "admin": "admin",
    "organiser_x": "organiser_x",
    "staff_x": "staff_x",
    "unit_x": "unit_x",
    "deputy_x": "E0001",
}


@dataclass
class World:
    ids: dict = field(default_factory=dict)  # URL argument name -> a home object's id/code

    def secret(self, role: str) -> str:
        return PIN if role.startswith("deputy") else PASSWORD


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 10)).save(out, "PNG")
    return out.getvalue()


def _county(code: str, prefix: str, unit: str) -> dict:
    data = build_scenario(deputies=4, candidates=2, seats=1, code_prefix=prefix, jurisdiction=code)
    data["jurisdiction"] = {"code": code, "name": f"区{code}", "level": "county", "parent": "4302"}
    data["stations"] = [
        {
            "key": "st",
            "name": f"联络站{code}",
            "kind": "station",
            "deputies": [f"{prefix}0001", f"{prefix}0002"],
            "reception_days": [10, 20, 30],
        }
    ]
    data["opinions"] = [
        {
            "key": "op",
            "station": "st",
            "title": f"意见{code}",
            "content": "路灯坏了",
            "category": "roads",
            "citizen_phone": "13912345678",
            "status": "registered",
            "received_on": "2026-11-10",
        }
    ]
    data["projects"] = [
        {
            "key": "pr",
            "title": f"项目{code}",
            "jurisdiction": code,
            "year": 2026,
            "completion": "this_year",
            "responsible_unit": unit,
            "funding": {"county": "10.00"},
        }
    ]
    return data


def build() -> World:
    from votesys.congress.models import Deputy
    from votesys.projects import changes, register, reports
    from votesys.projects.models import Project
    from votesys.stations import common, receptions
    from votesys.stations.models import Opinion, Station

    scenario.load(
        {
            "jurisdictions": [
                {"code": "4302", "name": "市", "level": "city"},
                {"code": HOME, "name": "本区", "level": "county", "parent": "4302"},
                {"code": "43021201", "name": "本镇", "level": "township", "parent": HOME},
                {"code": ELSEWHERE, "name": "邻区", "level": "county", "parent": "4302"},
            ]
        }
    )
    home = scenario.load(_county(HOME, "D", "区人社局"))
    away = scenario.load(_county(ELSEWHERE, "E", "邻区民政局"))
    from votesys.congress.services import jurisdiction_by_code

    j_home, j_away = jurisdiction_by_code(HOME), jurisdiction_by_code(ELSEWHERE)
    world = World()
    for side, jur, tag in ((home, j_home, ""), (away, j_away, "_x")):
        station = db.session.scalar(select(Station).where(Station.jurisdiction_id == jur.id))
        project = db.session.scalar(select(Project).where(Project.jurisdiction_id == jur.id))
        register.set_plan(project, {"milestones": [{"name": "开工", "planned_date": "2026-12-01"}]})
        report = reports.add_report(
            project, {"status": "in_progress", "progress": 10}, [("a.png", png())]
        )
        change = changes.request_change(project, {"kind": "terminate", "reason": "测试"})
        reception = receptions.create_reception(
            station, common.today().replace(year=2030), [station_deputy(station)]
        )
        opinion = db.session.scalar(select(Opinion).where(Opinion.station_id == station.id))
        create_user(f"staff{tag}", PASSWORD, "station_staff", station_id=station.id)
        create_user(f"unit{tag}", PASSWORD, "unit", unit_id=project.unit_id)
        create_user(f"organiser{tag}", PASSWORD, "organiser", jurisdiction_id=jur.id)
        if side is home:
            deputy = db.session.scalar(select(Deputy).where(Deputy.code == "D0002"))
            world.ids = {
                "congress_id": side["congress"],
                "session_id": side["session"],
                "vote_id": side["votes"]["main"],
                "deputy_id": deputy.id,
                "deputy_code": deputy.code,
                "station_id": station.id,
                "opinion_id": opinion.id,
                "reception_id": reception.id,
                "project_id": project.id,
                "ref": project.ref,
                "milestone_id": project.milestones[0].id,
                "photo_id": report.photos[0].id,
                "change_id": change.id,
                "jurisdiction_code": HOME,
                "tracking_code": opinion.tracking_code,
                "fmt": "csv",
                "action": "publish",
                "filename": "votesys.css",
            }
    create_user("admin", PASSWORD, "admin")
    world.ids["job_id"] = _job(j_home, world.ids["congress_id"])
    db.session.commit()
    return world


def _job(jurisdiction, congress_id: int) -> int:
    """A roster import the home county's organiser ran in the background, done."""
    from votesys.auth.models import User
    from votesys.congress.models import Job

    starter = db.session.scalar(select(User).where(User.login == "organiser"))
    job = Job(
        kind="roster",
        object=f"congress:{congress_id}",
        jurisdiction_id=jurisdiction.id,
        user_id=starter.id,
        filename="名册.xlsx",
        sha256="0" * 64,
        state="done",
        rows_total=60,
        rows_done=60,
        result='{"imported": 60}',
    )
    db.session.add(job)
    db.session.flush()
    return job.id


def station_deputy(station) -> str:
    from votesys.stations import receptions

    return receptions.station_deputies(station)[0].code
