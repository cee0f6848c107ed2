"""The world that tests/portal/test_queries.py counts SQL statements in: everything a public
page or public API shows, n of each, so that a second call with a larger n grows every list
and every detail under the pages (projects with milestones, reports, photos, supervision and
citizens' ratings; stations with deputies and published reception days; opinions handled
and published with photos and supports; a campaign with screened and assessed entries; a
published vote with its deputies, candidates, ballots, record and receipts)."""

from __future__ import annotations

import io
from datetime import date, timedelta

from PIL import Image
from sqlalchemy import select

from tests.factories import build_scenario
from votesys import scenario
from votesys.auth.models import User
from votesys.auth.services import create_user
from votesys.congress import services as congress
from votesys.congress.models import CongressSession, Deputy, Jurisdiction
from votesys.congress.services import find_or_create_jurisdiction
from votesys.extensions import db
from votesys.projects import citizen_ratings, register, reports, supervision
from votesys.stations import campaigns, intake
from votesys.stations.models import Opinion, Station
from votesys.stations.publicity_models import OpinionPhoto, OpinionSupport
from votesys.voting import casting, counting
from votesys.voting import services as voting
from votesys.voting.models import Vote


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 10)).save(out, "PNG")
    return out.getvalue()


def world(n: int, tag: str) -> dict[str, object]:
    """Add n of everything (``tag`` keeps this call's codes apart from an earlier call's);
    returns the ids of the newest objects, for the URLs of the detail pages."""
    organiser = db.session.scalar(db.select(User).where(User.login == "q-organiser"))
    organiser = organiser or create_user("q-organiser", "organiser-pass", "organiser")
    county = find_or_create_jurisdiction("Q1", "测试县", "county", None)
    towns = [
        find_or_create_jurisdiction(f"Q1-{i}", f"测试镇{i}", "township", "Q1") for i in range(3)
    ]
    ids: dict[str, object] = {}
    ids.update(projects(n, county, towns, organiser))
    for i in range(n):
        db.session.add(Station(jurisdiction_id=towns[i % 3].id, name=f"测试联络站{tag}{i}"))
    ids.update(congress_and_stations(n, tag))
    town = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == f"Q1{tag}"))
    ids["campaign_id"] = campaign(n, town, organiser)
    ids.update(publish_opinions(n, town, db.session.get(Station, ids["station_id"])))
    ids.update(published_vote(ids))
    db.session.commit()
    return ids


def projects(n: int, county, towns, organiser) -> dict[str, object]:
    """n projects with funding, targets, n milestones, n reports (the last with a photo),
    n supervision entries and n citizens' ratings each."""
    start = date(2026, 1, 1)
    for i in range(n):
        node = towns[i % 3] if i % 2 else county
        p = register.create_project(
            node,
            year=2026,
            title=f"测试项目{i}",
            unit_name=f"单位{i % 4}",
            funding={"county": "100.00", "township": "20.50"},
            targets=[{"name": f"目标{k}", "unit": "个", "target": "10"} for k in range(2)],
        )
        register.set_plan(
            p,
            {
                "planned_start": "2026-01-01",
                "planned_finish": "2026-12-31",
                "milestones": [
                    {
                        "name": f"节点{k}",
                        "planned_date": (start + timedelta(days=30 * k)).isoformat(),
                    }
                    for k in range(n)
                ],
            },
        )
        for k in range(n):
            report = reports.add_report(
                p,
                {
                    "reported_on": (start + timedelta(days=10 * k)).isoformat(),
                    "status": "in_progress",
                    "progress": min(100, 10 * k),
                    "narrative": f"第{k}次报告",
                    "spent": {"county": f"{k}.00"},
                },
                [(f"p{k}.png", png())],
            )
            supervision.add_supervision(
                p, organiser, {"kind": "inspection", "held_on": "2026-05-01", "text": f"视察{k}"}
            )
            citizen_ratings.rate(  # 群众满意度: n citizens' ratings of each project
                p,
                {"choice": citizen_ratings.CHOICES[k % 3], "phone": f"135{p.id:04d}{k:04d}"},
            )
    return {"ref": p.ref, "project_id": p.id, "photo_id": report.photos[0].id}


def congress_and_stations(n: int, tag: str) -> dict[str, object]:
    """A township under Q1 with a congress of n deputies, a vote of n + 1 candidates for n
    places, a station where all n are stationed with n published reception days, and n
    opinions handled to the end, each received by all n deputies."""
    data = build_scenario(
        deputies=n, candidates=n + 1, seats=n, code_prefix=tag, jurisdiction=f"Q1{tag}", parent="Q1"
    )
    codes = [d["code"] for d in data["deputies"]]
    data["stations"] = [
        {
            "key": "st",
            "name": f"联络站{tag}",
            "kind": "station",
            "deputies": codes,
            "reception_days": [10, 20],
            "receptions": [
                {"date": f"2026-12-{k + 1:02d}", "deputies": codes[: k + 1], "topic": f"主题{k}"}
                for k in range(n)
            ],
        }
    ]
    data["opinions"] = [
        {
            "key": f"op{k}",
            "station": "st",
            "title": f"意见{tag}{k}",
            "content": "路灯坏了",
            "category": "roads",
            "citizen_phone": "13912345678",
            "status": "archived" if k % 2 else "feedback",
            "received_on": "2026-10-01",
            "deputies": codes,
        }
        for k in range(n)
    ]
    loaded = scenario.load(data)
    return {
        "session_id": loaded["session"],
        "vote_id": loaded["votes"]["main"],
        "station_id": loaded["stations"]["st"],
        "code": intake_code(loaded["opinions"][f"op{n - 1}"]),
        "deputies": codes,
        "candidates": loaded["candidates"],
    }


def intake_code(opinion_id: int) -> str:
    return db.session.get(Opinion, opinion_id).tracking_code


def campaign(n: int, town, organiser) -> int:
    """n - 1 past campaigns of the town and one open (backdated to the first of the month),
    each with a negative list of n entries; n opinions join the open one, screened in turn:
    set aside, accepted and found feasible, accepted and not yet assessed."""
    for k in range(n - 1):
        campaigns.create(
            {
                "jurisdiction": town.code,
                "year": 2011 + k,
                "opens_on": f"{2010 + k}-03-01",
                "negative_list": [
                    {"item": f"事项{i}", "reason": "不属于民生实事"} for i in range(n)
                ],
            },
            organiser,
            backdated=True,
        )
    made = campaigns.create(
        {
            "jurisdiction": town.code,
            "year": 2027,
            "opens_on": "2026-11-01",
            "negative_list": [
                {"item": f"禁止事项{k}", "reason": "不属于民生实事"} for k in range(n)
            ],
        },
        organiser,
        backdated=True,
    )
    for k in range(n):
        opinion = intake.create_opinion(
            intake.NewOpinion(title=f"征集意见{k}", content="修路", category="roads"),
            source="online",
            jurisdiction=town,
            actor="citizen",
        )
        if k % 3 == 0:
            campaigns.screen(opinion, organiser, "set_aside", reason="不属于本次征集范围")
        else:
            campaigns.screen(opinion, organiser, "accepted")
            if k % 3 == 1:
                campaigns.record_feasibility(
                    opinion, organiser, cost_wan="12.50", unit="区交通局", verdict="feasible"
                )
    return made.id


def publish_opinions(n: int, town, station) -> dict[str, object]:
    """n published opinions (they join the town's campaign), each with a photo and n
    supports."""
    db.session.flush()
    for i in range(n):
        opinion = intake.create_opinion(
            intake.NewOpinion(
                title=f"公开意见{i}", content="路灯坏了", category="roads", public=True
            ),
            source="online",
            jurisdiction=town,
            station=station,
            actor="citizen",
        )
        photo = OpinionPhoto(opinion_id=opinion.id, mime="image/png", width=8, height=8, data=png())
        db.session.add(photo)
        for k in range(n):
            db.session.add(
                OpinionSupport(opinion_id=opinion.id, browser_hash=f"{opinion.id}-{k}-{n}")
            )
    db.session.flush()
    return {"opinion_id": opinion.id, "opinion_photo_id": photo.id}


def published_vote(ids: dict) -> dict[str, object]:
    """The township's vote: every deputy checked in and casting (for all but one of the
    candidates, in turn), closed and published; one deputy's receipt."""
    sess = db.session.get(CongressSession, ids["session_id"])
    for code in ids["deputies"]:
        congress.check_in(sess, code)
    vote = voting.open_vote(db.session.get(Vote, ids["vote_id"]))
    candidates = [str(c) for c in ids["candidates"].values()]
    receipt = ""
    for i, code in enumerate(ids["deputies"]):
        deputy = db.session.scalar(select(Deputy).where(Deputy.code == code))
        left_out = candidates[i % len(candidates)]
        choices = {c: "for" for c in candidates if c != left_out}
        receipt = casting.cast_ballot(vote, deputy, choices).receipt
    counting.close_vote(vote)
    voting.publish_vote(vote)
    return {"receipt": receipt}
