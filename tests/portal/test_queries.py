"""No N+1: each public list and detail page runs the same number of SQL statements whatever
the number of rows under it (pinned by building a small and a four-times larger world)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.portal.conftest import counting
from votesys.congress.services import find_or_create_jurisdiction
from votesys.extensions import cache, db
from votesys.projects import citizen_ratings, register, reports, supervision
from votesys.stations import intake
from votesys.stations.models import Station
from votesys.stations.publicity_models import OpinionPhoto, OpinionSupport


def world(n: int) -> str:
    """n projects with funding, targets, milestones, n reports each with photos-free spending,
    approved changes and supervision; n stations; returns one project's ref."""
    from votesys.auth.models import User
    from votesys.auth.services import create_user

    county = find_or_create_jurisdiction("Q1", "测试县", "county", None)
    organiser = db.session.scalar(db.select(User).where(User.login == "q-organiser"))
    organiser = organiser or create_user("q-organiser", "organiser-pass", "organiser")
    towns = [
        find_or_create_jurisdiction(f"Q1-{i}", f"测试镇{i}", "township", "Q1") for i in range(3)
    ]
    ref = ""
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
        start = date(2026, 1, 1)
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
            reports.add_report(
                p,
                {
                    "reported_on": (start + timedelta(days=10 * k)).isoformat(),
                    "status": "in_progress",
                    "progress": min(100, 10 * k),
                    "narrative": f"第{k}次报告",
                    "spent": {"county": f"{k}.00"},
                },
            )
            supervision.add_supervision(
                p, organiser, {"kind": "inspection", "held_on": "2026-05-01", "text": f"视察{k}"}
            )
            citizen_ratings.rate(  # 群众满意度: n citizens' ratings of each project
                p,
                {"choice": citizen_ratings.CHOICES[k % 3], "phone": f"135{p.id:04d}{k:04d}"},
            )
        ref = p.ref
    for i in range(n):
        db.session.add(Station(jurisdiction_id=towns[i % 3].id, name=f"测试联络站{i}"))
    publish_opinions(n, towns)  # published opinions, each with a photo and n supports
    db.session.commit()
    return ref


def publish_opinions(n: int, towns) -> None:
    db.session.flush()
    for i in range(n):
        opinion = intake.create_opinion(
            intake.NewOpinion(
                title=f"公开意见{i}", content="路灯坏了", category="roads", public=True
            ),
            source="online",
            jurisdiction=towns[i % 3],
            station=db.session.scalar(select(Station).order_by(Station.id.desc())),
            actor="citizen",
        )
        db.session.add(
            OpinionPhoto(opinion_id=opinion.id, mime="image/png", width=1, height=1, data=b"x")
        )
        for k in range(n):
            db.session.add(OpinionSupport(opinion_id=opinion.id, browser_hash=f"{i}-{k}-{n}"))


PAGES = (
    "/",
    "/projects",
    "/projects?jurisdiction=Q1&sort=investment",
    "/projects?q=测试&status=in_progress",
    "/projects/{ref}",
    "/votes",
    "/verify",
    "/verify/record",
    "/statistics?jurisdiction=Q1&year=2026",
    "/stations",
    "/api/v1/public/projects?year=2026",
    "/api/v1/public/projects/{ref}",
    "/api/v1/public/statistics?jurisdiction=Q1&year=2026",
    "/api/v1/public/votes",
    "/api/v1/public/jurisdictions",
    "/api/v1/jurisdictions/Q1/summary?year=2026",
    "/api/v1/stations",
    "/projects/export.csv?year=2026",
    "/projects/funding.csv?year=2026",
    "/projects/progress.csv?year=2026",
    "/satisfaction?jurisdiction=Q1",
    "/satisfaction/data.csv?jurisdiction=Q1",
    "/api/v1/public/projects/{ref}/ratings",
    "/api/v1/public/satisfaction?jurisdiction=Q1",
    "/opinions/public",
    "/opinions/public?sort=support",
    "/api/v1/public/opinions?sort=support",
)


def statements(client, url: str) -> int:
    cache.clear()
    with counting() as seen:
        r = client.get(url)
    assert r.status_code == 200, (url, r.status_code)
    return len(seen)


@pytest.mark.parametrize("size", [(3, 12)])
def test_public_pages_do_not_grow_with_the_data(app, client, size):
    small, large = size
    ref = world(small)
    before = {url: statements(client, url.format(ref=ref)) for url in PAGES}
    ref = world(large - small)  # four times the projects, reports, milestones, stations
    after = {url: statements(client, url.format(ref=ref)) for url in PAGES}
    grown = {url: (before[url], after[url]) for url in PAGES if after[url] != before[url]}
    assert not grown, grown
    assert max(after.values()) <= 20, after


def test_a_warm_page_is_one_statement(app, client):
    ref = world(2)
    for url in PAGES:
        url = url.format(ref=ref)
        client.get(url)
        with counting() as seen:
            assert client.get(url).status_code == 200
        assert len(seen) == 1, (url, seen)  # the public-data generation, nothing else


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.dictionaries(
        st.sampled_from(
            ["jurisdiction", "year", "category", "status", "completion", "q", "sort", "page"]
        ),
        st.text(max_size=80),
        max_size=5,
    )
)
def test_any_filter_text_is_answered_cleanly(app, client, args):
    r = client.get("/api/v1/public/projects", query_string=args)
    assert r.status_code in (200, 404, 422), (args, r.status_code)
    if r.status_code != 200:
        assert r.get_json()["message"]
    page = client.get("/projects", query_string=args).status_code
    assert page in (200, 404, 422)
    if r.status_code == 200:  # the page is the lenient one: empty fields mean "any"
        assert page == 200
