"""After a vote is published: its approved candidates enter the register with the budget the
deputies voted on (its source to be settled), read as "plan being drawn up" rather than
"not started, 0%"; the public home stays on the last year with figures; the session's desk
page names the approved projects still needing a plan; the desk's plan form completes one.
Issue 17 item 2: ten projects read "未开工 0.00 万元 0%" and the home showed zeros."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.factories import build_scenario
from tests.pages import login, shown
from votesys import clock, scenario
from votesys.congress import services as congress
from votesys.congress.models import CongressSession, Deputy
from votesys.extensions import db
from votesys.projects import queries, rules
from votesys.projects.models import Funding, Project, Target, Unit
from votesys.voting import casting, counting
from votesys.voting import services as voting
from votesys.voting.models import Vote

BUDGETS = ("1320.00", "86.50", None, "40.00")  # the third candidate gives no budget


def _published(seats: int = 3) -> dict:
    """Six deputies approve candidates 1–3 of four (budgets as BUDGETS); published."""
    data = build_scenario(deputies=6, candidates=4, seats=seats)
    for c, budget in zip(data["candidates"], BUDGETS, strict=True):
        c["budget_wan"] = budget
        if budget is None:
            del c["budget_wan"]
    ids = scenario.load(data)
    sess = db.session.get(CongressSession, ids["session"])
    for code in ids["deputies"]:
        congress.check_in(sess, code)
    vote = voting.open_vote(db.session.get(Vote, ids["votes"]["main"]))
    chosen = [str(ids["candidates"][f"c{n}"]) for n in (1, 2, 3)]
    for code in ids["deputies"]:
        deputy = db.session.scalar(select(Deputy).where(Deputy.code == code))
        casting.cast_ballot(vote, deputy, {c: "for" for c in chosen})
    counting.close_vote(vote)
    voting.publish_vote(vote)
    db.session.commit()
    return ids


def _projects(ids) -> list[Project]:
    return list(
        db.session.scalars(
            select(Project).where(Project.vote_id == ids["votes"]["main"]).order_by(Project.ref)
        )
    )


def test_the_budget_voted_on_enters_the_register_as_planned_money_of_a_source_to_settle(app):
    ids = _published()
    found = _projects(ids)
    assert [p.title for p in found] == ["候选项目1", "候选项目2", "候选项目3"]
    funding = [{f.source: f.amount_wan for f in p.funding} for p in found]
    assert funding == [
        {rules.PENDING_SOURCE: Decimal("1320.00")},
        {rules.PENDING_SOURCE: Decimal("86.50")},
        {},  # no budget on the ballot: nothing invented
    ]
    assert all(p.unit.name == "区民政局" for p in found)
    assert all(queries.in_planning(p) for p in found)
    assert queries.missing_plan(found[0]) == ["dates", "funding", "targets"]


def test_the_public_pages_say_planning_not_zero_and_the_home_stays_on_a_year_of_figures(
    app, client, api
):
    # The 2027 session's vote is published; 2026 has a project with a report.
    ids = _published()
    scenario.load(
        {
            "projects": [
                {
                    "key": "old",
                    "title": "老旧小区改造",
                    "year": 2026,
                    "jurisdiction": "430212",
                    "completion": "this_year",
                    "responsible_unit": "区住建局",
                    "funding": {"county": "500.00"},
                    "targets": [{"name": "改造小区", "unit": "个", "target": "12"}],
                    "status": "in_progress",
                    "progress": 60,
                }
            ],
        }
    )
    old = db.session.scalar(select(Project).where(Project.title == "老旧小区改造"))
    from votesys.projects.reports import add_report

    add_report(
        old,
        {"reported_on": "2026-10-01", "status": "in_progress", "progress": 60, "spent": {}},
        [],
    )
    db.session.commit()
    home = shown(client.get("/?jurisdiction=430212").get_data(as_text=True))
    assert "2026" in home and "老旧小区改造" in home
    assert "候选项目1" not in home  # the year of figures, not the new year's zeros
    assert 'id="newer-year"' in home and "2027" in home
    new_year = shown(client.get("/?jurisdiction=430212&year=2027").get_data(as_text=True))
    assert new_year.count("计划编制中") >= 3
    assert "未开工" not in new_year
    assert "progress-line" not in new_year  # no 0% bar for a project being planned
    page = shown(client.get(f"/projects/{_projects(ids)[0].ref}").get_data(as_text=True))
    assert 'id="planning"' in page and "来源待落实" in page
    assert "1,320.00" in page or "1320.00" in page
    figures = client.get("/api/v1/public/statistics?jurisdiction=430212&year=2027").get_json()
    assert figures["projects"]["planning"] == 3 and figures["projects"]["projects"] == 3
    listed = client.get("/api/v1/public/projects?jurisdiction=430212&year=2027").get_json()
    assert {row["planning"] for row in listed["projects"]} == {True}


def test_without_any_report_the_home_shows_the_latest_year(app, client):
    _published()
    home = shown(client.get("/?jurisdiction=430212").get_data(as_text=True))
    assert "候选项目1" in home and 'id="newer-year"' not in home


def test_the_session_page_names_the_projects_still_needing_a_plan(app, client, organiser):
    ids = _published()
    login(client, "organiser", "organiser-pass")
    page = shown(client.get(f"/desk/sessions/{ids['session']}").get_data(as_text=True))
    assert 'id="plans-needed"' in page
    assert "3 个已通过项目中仍有 3 个需要制定实施计划" in page, page[page.find("plans-needed") :][
        :800
    ]
    assert "计划完成日期、资金来源、量化目标" in page
    first = _projects(ids)[0]
    r = client.post(
        f"/desk/projects/{first.id}/plan",
        data={
            "unit": "区民政局",
            "lead_official": "王副区长",
            "completion": "this_year",
            "planned_start": "2027-03-01",
            "planned_finish": "2027-11-30",
            "funding_county": "1000.00",
            "funding_social": "320.00",
            "funding_pending": "",
            "target_name_0": "新增停车泊位",
            "target_target_0": "1200",
            "target_unit_0": "个",
            "milestone_name_0": "完成招标",
            "milestone_date_0": "2027-04-30",
        },
    )
    assert r.status_code == 302
    db.session.expire_all()
    first = db.session.get(Project, first.id)
    assert {f.source: f.amount_wan for f in first.funding} == {
        "county": Decimal("1000.00"),
        "social": Decimal("320.00"),
    }
    assert [(t.name, t.unit, t.target) for t in first.targets] == [
        ("新增停车泊位", "个", Decimal("1200.00"))
    ]
    assert [(m.name, m.planned_date) for m in first.milestones] == [("完成招标", date(2027, 4, 30))]
    assert first.lead_official == "王副区长" and not queries.in_planning(first)
    page = shown(client.get(f"/desk/sessions/{ids['session']}").get_data(as_text=True))
    assert "3 个已通过项目中仍有 2 个需要制定实施计划" in page
    assert first.title not in page.split('id="plans-needed"')[1].split("</section>")[0]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"funding_county": "十万"}, "县级资金（万元）"),
        ({"target_target_1": "-5", "target_name_1": "培训"}, "目标 2：计划值"),
        ({"milestone_date_0": "2027-02-30", "milestone_name_0": "开工"}, "节点 1：计划日期"),
        ({"planned_finish": ""}, "计划完成"),
        ({"unit": ""}, "责任单位"),
    ],
)
def test_a_bad_plan_is_refused_with_the_inputs_label_and_kept_as_typed(
    app, client, organiser, change, message
):
    ids = _published()
    first = _projects(ids)[0]
    login(client, "organiser", "organiser-pass")
    data = {
        "unit": "区民政局",
        "completion": "this_year",
        "planned_finish": "2027-11-30",
        "funding_county": "1000.00",
        "funding_pending": "320.00",
        "target_name_0": "新增停车泊位",
        "target_target_0": "1200",
        "target_unit_0": "个",
    } | change
    r = client.post(f"/desk/projects/{first.id}/plan", data=data)
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert message in page
    for typed in ("新增停车泊位", *(v for v in change.values() if v)):
        assert typed in page  # what was typed comes back
    db.session.expire_all()
    again = db.session.get(Project, first.id)
    assert {f.source: f.amount_wan for f in again.funding} == {
        rules.PENDING_SOURCE: Decimal("1320.00")
    }
    assert again.targets == [] and again.planned_finish is None


def test_a_unit_has_no_plan_form_and_may_not_post_one(app, client):
    ids = _published()
    from votesys.auth.services import create_user

    unit = db.session.scalar(select(Unit).where(Unit.name == "区民政局"))
    create_user("minzheng", "unit-pass-1", "unit", unit_id=unit.id)
    db.session.commit()
    login(client, "minzheng", "unit-pass-1")
    first = _projects(ids)[0]
    page = client.get(f"/desk/projects/{first.id}").get_data(as_text=True)
    assert 'id="plan"' not in page
    r = client.post(f"/desk/projects/{first.id}/plan", data={"unit": "x"})
    assert r.status_code == 403


def test_money_spent_may_not_be_booked_to_a_source_still_to_settle(app, api, organiser):
    ids = _published()
    first = _projects(ids)[0]
    api.login("organiser", "organiser-pass")
    r = api.post(
        f"/api/v1/projects/{first.id}/reports",
        {
            "reported_on": clock.today().isoformat(),
            "status": "in_progress",
            "progress": 5,
            "spent": {rules.PENDING_SOURCE: "10.00"},
        },
        as_="organiser",
    )
    assert r.status_code == 422 and r.get_json()["error"] == "unknown_source", r.get_json()
    kept = api.post(
        f"/api/v1/projects/{first.id}/plan", {"funding": {"pending": "1320.00"}}, as_="organiser"
    )
    assert kept.status_code == 200


# --- the rule, and its SQL twin ---------------------------------------------------------


def test_missing_plan_edges():
    def missing(**kw):
        args = {
            "has_unit": True,
            "planned_finish": date(2027, 1, 1),
            "funding": {"county": Decimal("1")},
            "targets": 1,
        } | kw
        return rules.missing_plan(**args)

    assert missing() == []
    assert missing(has_unit=False) == ["unit"]
    assert missing(planned_finish=None) == ["dates"]
    assert missing(funding={}) == ["funding"]
    assert missing(funding={"pending": Decimal("5")}) == ["funding"]
    assert missing(funding={"county": Decimal("1"), "pending": Decimal("0.01")}) == ["funding"]
    assert missing(funding={"county": Decimal("1"), "pending": Decimal("0")}) == []
    assert missing(funding={"county": Decimal("0")}) == []  # a plan may say 0 from a source
    assert missing(targets=0) == ["targets"]
    assert missing(has_unit=False, planned_finish=None, funding={}, targets=0) == list(
        rules.PLAN_PARTS
    )


PROJECTS = st.lists(
    st.fixed_dictionaries(
        {
            "status": st.sampled_from(rules.STATUSES),
            "unit": st.booleans(),
            "finish": st.booleans(),
            "funding": st.dictionaries(
                st.sampled_from(("county", "social", rules.PENDING_SOURCE)),
                st.sampled_from((Decimal("0"), Decimal("0.01"), Decimal("120.50"))),
                max_size=3,
            ),
            "targets": st.integers(0, 2),
        }
    ),
    min_size=1,
    max_size=8,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(PROJECTS)
def test_the_sql_count_of_projects_in_planning_agrees_with_the_rule(app, projects):
    from votesys.congress.models import Jurisdiction

    db.session.rollback()
    place = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == "H1"))
    if place is None:
        place = Jurisdiction(code="H1", name="假设区", level="county")
        db.session.add(place)
        db.session.flush()
    unit = Unit(jurisdiction_id=place.id, name="单位")
    db.session.add(unit)
    made = []
    for n, p in enumerate(projects):
        project = Project(
            ref=f"H-{n}",
            jurisdiction_id=place.id,
            year=2030,
            title=f"项目{n}",
            status=p["status"],
            unit=unit if p["unit"] else None,
            planned_finish=date(2030, 12, 1) if p["finish"] else None,
        )
        project.funding = [Funding(source=s, amount_wan=a) for s, a in p["funding"].items()]
        project.targets = [
            Target(name=f"目标{i}", unit="个", target=Decimal(1)) for i in range(p["targets"])
        ]
        db.session.add(project)
        made.append(project)
    db.session.flush()
    counted = db.session.scalar(
        select(func.count())
        .select_from(Project)
        .where(Project.year == 2030, queries.in_planning_clause())
    )
    assert counted == sum(queries.in_planning(p) for p in made)
    db.session.rollback()
