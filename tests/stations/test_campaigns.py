"""Collection campaigns (征集): the window, the negative list, opinions joining, screening,
feasibility before a candidate, and the public adoption report."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.stations.conftest import NAME, PHONE, submit
from votesys.extensions import db
from votesys.integrity.models import AuditEntry
from votesys.stations.campaign_models import Campaign, CampaignEntry, NegativeItem

TODAY = date(2026, 11, 20)
NEGATIVE = [
    {"item": "楼堂馆所建设", "reason": "不属于民生实事范围"},
    {"item": "已列入年度预算的项目", "reason": "不得重复申报"},
]


def body(**over):
    return {
        "jurisdiction": "430212",
        "year": 2027,
        "opens_on": TODAY.isoformat(),
        "closes_on": (TODAY + timedelta(days=29)).isoformat(),
        "negative_list": NEGATIVE,
        **over,
    }


def open_campaign(api, **over):
    response = api.post("/api/v1/campaigns", body(**over), as_="organiser")
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def campaigns_stored() -> int:
    return db.session.scalar(select(func.count(Campaign.id)))


# --- the window -------------------------------------------------------------------------


def test_a_window_of_30_days_opens_and_29_is_refused_with_the_rule(logged_in, county):
    short = logged_in.post(
        "/api/v1/campaigns",
        body(closes_on=(TODAY + timedelta(days=28)).isoformat()),
        as_="organiser",
    )
    assert short.status_code == 422
    assert short.get_json()["error"] == "campaign_too_short"
    assert "30" in short.get_json()["message"] and "29" in short.get_json()["message"]
    assert campaigns_stored() == 0
    made = open_campaign(logged_in)
    assert (made["opens_on"], made["closes_on"]) == ("2026-11-20", "2026-12-19")
    assert made["state"] == "open" and made["days_left"] == 29


def test_the_window_defaults_to_30_days(logged_in, county):
    made = open_campaign(logged_in, closes_on=None)
    assert made["closes_on"] == (TODAY + timedelta(days=29)).isoformat()


def test_a_campaign_cannot_open_in_the_past(logged_in, county):
    response = logged_in.post(
        "/api/v1/campaigns", body(opens_on="2026-11-19", closes_on="2026-12-31"), as_="organiser"
    )
    assert response.status_code == 422 and response.get_json()["field"] == "opens_on"


def test_two_overlapping_campaigns_of_one_jurisdiction_are_refused(logged_in, county):
    open_campaign(logged_in)
    overlapping = logged_in.post(
        "/api/v1/campaigns",
        body(year=2028, opens_on="2026-12-19", closes_on="2027-01-31"),
        as_="organiser",
    )
    assert overlapping.status_code == 409
    assert overlapping.get_json()["error"] == "campaigns_overlap"
    assert campaigns_stored() == 1
    after = logged_in.post(
        "/api/v1/campaigns",
        body(year=2028, opens_on="2026-12-20", closes_on="2027-01-31"),
        as_="organiser",
    )
    assert after.status_code == 201


@pytest.mark.parametrize(
    "negative, field",
    [
        ([], "negative_list"),
        (None, "negative_list"),
        ("楼堂馆所", "negative_list"),
        ([{"item": "楼堂馆所"}], "negative_list[1].reason"),
        ([{"reason": "不属于民生实事范围"}], "negative_list[1].item"),
        ([{"item": "  ", "reason": "x"}], "negative_list[1].item"),
        ([NEGATIVE[0], {"item": "楼堂馆所建设", "reason": "重复"}], "negative_list[2].item"),
        ([{"item": "a", "reason": "b", "note": "c"}], "negative_list[1]"),
        (["楼堂馆所"], "negative_list[1]"),
        ([{"item": "a" * 201, "reason": "b"}], "negative_list[1].item"),
        ([{"item": "a", "reason": "b\x07"}], "negative_list[1].reason"),
    ],
)
def test_negative_list_entries_need_an_item_and_a_reason(logged_in, county, negative, field):
    response = logged_in.post("/api/v1/campaigns", body(negative_list=negative), as_="organiser")
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["field"] == field
    assert campaigns_stored() == 0


@pytest.mark.parametrize(
    "over, field",
    [
        ({"year": "next"}, "year"),
        ({"opens_on": "2026-13-01"}, "opens_on"),
        ({"closes_on": 5}, "closes_on"),
        ({"categories": ["parks"]}, "categories"),
        ({"jurisdiction": "999999"}, "jurisdiction"),
        ({"extra": 1}, "extra"),
    ],
)
def test_bad_campaign_fields_are_refused_by_name(logged_in, county, over, field):
    response = logged_in.post("/api/v1/campaigns", body(**over), as_="organiser")
    assert response.status_code == 422 and response.get_json()["field"] == field
    assert campaigns_stored() == 0


def test_only_organisers_open_campaigns(logged_in, county, api):
    assert api.post("/api/v1/campaigns", body()).status_code == 401
    assert logged_in.post("/api/v1/campaigns", body(), as_="staff_n").status_code == 403


# --- joining ----------------------------------------------------------------------------


def _entry_of(code: str) -> CampaignEntry | None:
    from votesys.stations.present import opinion_by_code

    return db.session.get(CampaignEntry, opinion_by_code(code).id)


def _sent(app, api, county, day: date) -> str:
    app.config["VOTESYS_TODAY"] = day.isoformat()
    response = submit(api, county["stations"]["north"])
    assert response.status_code == 201
    return response.get_json()["tracking_code"]


def test_opinions_join_from_the_first_to_the_last_day_inclusive(app, logged_in, county):
    campaign = open_campaign(logged_in)
    closes = date.fromisoformat(campaign["closes_on"])
    opened = _sent(app, logged_in, county, TODAY)
    last = _sent(app, logged_in, county, closes)
    after = _sent(app, logged_in, county, closes + timedelta(days=1))
    assert _entry_of(opened).campaign_id == campaign["id"]
    assert _entry_of(last).campaign_id == campaign["id"]
    assert _entry_of(after) is None  # as today: an opinion outside any campaign
    tracked = logged_in.get(f"/api/v1/opinions/track/{after}").get_json()
    assert tracked["campaign"] is None


def test_an_opinion_the_day_before_opening_does_not_join(app, logged_in, county):
    open_campaign(logged_in, opens_on="2026-11-21", closes_on="2026-12-31")
    assert _entry_of(_sent(app, logged_in, county, TODAY)) is None


def test_an_opinion_of_another_jurisdiction_does_not_join(app, logged_in, county):
    from tests.factories import build_scenario
    from votesys import scenario

    other = build_scenario(deputies=3, jurisdiction="430299", code_prefix="X")
    other["stations"] = [{"key": "x", "name": "邻区联络站", "kind": "station", "deputies": []}]
    station = scenario.load(other)["stations"]["x"]
    db.session.commit()
    open_campaign(logged_in)
    response = submit(logged_in, station)
    assert _entry_of(response.get_json()["tracking_code"]) is None


# --- screening and feasibility (desk) ---------------------------------------------------


@pytest.fixture
def desk(client, county):
    client.post("/login", data={"login": "organiser", "password": "organiser-pass"})
    return client


def _joined(app, logged_in, county, n=1):
    campaign = open_campaign(logged_in)
    codes = [_sent(app, logged_in, county, TODAY) for _ in range(n)]
    ids = [_entry_of(c).opinion_id for c in codes]
    return campaign, codes, ids


def _flash(client) -> str:
    with client.session_transaction() as sess:
        return " ".join(m for _c, m in sess.get("_flashes", []))


def test_screening_sets_aside_with_a_negative_list_entry_the_citizen_reads(
    app, logged_in, county, desk
):
    campaign, (code,), (oid,) = _joined(app, logged_in, county)
    item = db.session.scalar(select(NegativeItem).where(NegativeItem.item == "楼堂馆所建设"))
    r = desk.post(
        f"/desk/opinions/{oid}/screening", data={"decision": "set_aside", "negative_item": item.id}
    )
    assert r.status_code == 302 and f"/desk/campaigns/{campaign['id']}" in r.headers["Location"]
    story = logged_in.get(f"/api/v1/opinions/track/{code}").get_json()["campaign"]
    assert story["screening"] == "set_aside"
    assert story["set_aside_item"] == "楼堂馆所建设"
    assert story["set_aside_reason"] == "不属于民生实事范围"
    page = desk.get(f"/track/{code}").get_data(as_text=True)
    assert "楼堂馆所建设" in page and "不属于民生实事范围" in page


def test_screening_with_a_written_reason_and_the_refusals(app, logged_in, county, desk):
    _campaign, (code,), (oid,) = _joined(app, logged_in, county)
    desk.post(f"/desk/opinions/{oid}/screening", data={"decision": "set_aside"})
    assert _entry_of(code).screening is None  # neither an entry nor a reason: refused
    assert "Reason" in _flash(desk) or "理由" in _flash(desk)
    desk.post(
        f"/desk/opinions/{oid}/screening", data={"decision": "set_aside", "negative_item": "999"}
    )
    assert _entry_of(code).screening is None
    desk.post(f"/desk/opinions/{oid}/screening", data={"decision": "maybe"})
    assert _entry_of(code).screening is None
    desk.post(
        f"/desk/opinions/{oid}/screening",
        data={"decision": "set_aside", "reason": "属于日常诉求，已转镇政府按七步工作法办理"},
    )
    story = logged_in.get(f"/api/v1/opinions/track/{code}").get_json()["campaign"]
    assert story["set_aside_item"] is None
    assert story["set_aside_reason"] == "属于日常诉求，已转镇政府按七步工作法办理"
    desk.post(f"/desk/opinions/{oid}/screening", data={"decision": "accepted"})
    entry = _entry_of(code)
    assert entry.screening == "accepted" and entry.reason == ""
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.action == "opinion_screened")
    ).all()
    assert len(actions) == 2


def test_staff_and_other_jurisdictions_do_not_screen(app, logged_in, county, client):
    _campaign, (code,), (oid,) = _joined(app, logged_in, county)
    client.post("/login", data={"login": "staff_n", "password": "staff-pass-n"})
    assert (
        client.post(f"/desk/opinions/{oid}/screening", data={"decision": "accepted"}).status_code
        == 403
    )
    assert _entry_of(code).screening is None


def test_an_opinion_outside_a_campaign_has_no_screening(app, logged_in, county, desk):
    oid = submit(logged_in, county["stations"]["north"]).get_json()["tracking_code"]
    from votesys.stations.present import opinion_by_code

    desk.post(f"/desk/opinions/{opinion_by_code(oid).id}/screening", data={"decision": "accepted"})
    assert "did not come in during a collection campaign" in _flash(desk) or "征集" in _flash(desk)


def _feasibility(desk, oid, **data):
    return desk.post(f"/desk/opinions/{oid}/feasibility", data=data)


def _merge(api, county, oid):
    return api.post(
        "/api/v1/opinions/merge",
        {"opinions": [oid], "session": county["session"], "title": "北街路灯改造"},
        as_="organiser",
    )


def test_feasibility_rules_and_conversion_into_a_candidate(app, logged_in, county, desk):
    _campaign, (code,), (oid,) = _joined(app, logged_in, county)
    full = {"cost_wan": "120.50", "unit": "区城市管理和综合执法局"}
    _feasibility(desk, oid, verdict="feasible", **full)
    assert _entry_of(code).verdict is None  # not accepted yet
    refused = _merge(logged_in, county, oid)
    assert refused.status_code == 422 and refused.get_json()["error"] == "feasibility_needed"
    desk.post(f"/desk/opinions/{oid}/screening", data={"decision": "accepted"})
    for bad in (
        {"verdict": "not_feasible", **full},  # no reason
        {"verdict": "conditional", **full},  # no reason
        {"verdict": "feasible", "cost_wan": "-3", "unit": "区城管局"},
        {"verdict": "feasible", "cost_wan": "12.345", "unit": "区城管局"},
        {"verdict": "feasible", "cost_wan": "120", "unit": ""},
        {"verdict": "perhaps", **full},
    ):
        _feasibility(desk, oid, **bad)
        assert _entry_of(code).verdict is None, bad
    _feasibility(desk, oid, verdict="not_feasible", reason="涉及永久基本农田，无法选址", **full)
    refused = _merge(logged_in, county, oid)
    assert refused.status_code == 422 and refused.get_json()["error"] == "feasibility_needed"
    assert "北街路灯坏了" in refused.get_json()["message"]  # the message names the opinion
    _feasibility(desk, oid, verdict="conditional", reason="需先完成管线迁改", **full)
    story = logged_in.get(f"/api/v1/opinions/track/{code}").get_json()["campaign"]
    assert (story["verdict"], story["cost_wan"], story["verdict_reason"]) == (
        "conditional",
        "120.50",
        "需先完成管线迁改",
    )
    assert _merge(logged_in, county, oid).status_code == 201
    story = logged_in.get(f"/api/v1/opinions/track/{code}").get_json()["campaign"]
    assert story["candidate"] is True and story["on_ballot"] is False


def test_an_opinion_outside_any_campaign_becomes_a_candidate_as_today(logged_in, county):
    code = submit(logged_in, county["stations"]["north"]).get_json()["tracking_code"]
    from votesys.stations.present import opinion_by_code

    assert _merge(logged_in, county, opinion_by_code(code).id).status_code == 201


# --- the desk's campaign pages ----------------------------------------------------------


def test_the_desk_opens_a_campaign_and_refuses_29_days(app, logged_in, county, desk):
    form = {
        "jurisdiction": "430212",
        "year": "2027",
        "opens_on": "2026-11-25",
        "closes_on": "2026-12-23",
        "negative_list": "楼堂馆所建设 | 不属于民生实事范围\n已列入年度预算的项目 | 不得重复申报",
    }
    r = desk.post("/desk/campaigns", data=form)
    assert r.status_code == 422 and campaigns_stored() == 0
    assert "29" in r.get_data(as_text=True)
    r = desk.post("/desk/campaigns", data=form | {"negative_list": "楼堂馆所建设"})
    assert r.status_code == 422 and campaigns_stored() == 0
    r = desk.post("/desk/campaigns", data=form | {"closes_on": "2026-12-24"})
    assert r.status_code == 302
    campaign = db.session.scalar(select(Campaign))
    assert [n.item for n in campaign.negative_list] == ["楼堂馆所建设", "已列入年度预算的项目"]
    page = desk.get(f"/desk/campaigns/{campaign.id}")
    assert page.status_code == 200 and 'id="edit-campaign"' in page.get_data(as_text=True)
    desk.post(
        f"/desk/campaigns/{campaign.id}",
        data=form
        | {"closes_on": "2026-12-31", "negative_list": "楼堂馆所建设 | 不属于民生实事范围"},
    )
    db.session.expire_all()
    assert campaign.closes_on == date(2026, 12, 31) and len(campaign.negative_list) == 1
    app.config["VOTESYS_TODAY"] = "2026-11-25"  # opened: it no longer changes
    desk.post(f"/desk/campaigns/{campaign.id}", data=form | {"closes_on": "2027-01-31"})
    db.session.expire_all()
    assert campaign.closes_on == date(2026, 12, 31)
    assert 'id="edit-campaign"' not in desk.get(f"/desk/campaigns/{campaign.id}").get_data(
        as_text=True
    )


# --- the public campaigns and the adoption report ---------------------------------------


def test_public_campaigns_open_and_past_with_their_negative_lists(app, logged_in, county, client):
    first = open_campaign(logged_in)
    open_campaign(logged_in, year=2028, opens_on="2027-01-10", closes_on="2027-02-28")
    listed = client.get("/api/v1/public/campaigns?jurisdiction=430212").get_json()["campaigns"]
    assert [c["id"] for c in listed] == [first["id"]]  # the one not open yet is not listed
    assert listed[0]["negative_list"] == NEGATIVE and listed[0]["days_left"] == 29
    app.config["VOTESYS_TODAY"] = "2026-12-19"
    page = client.get("/campaigns").get_data(as_text=True)
    assert "楼堂馆所建设" in page and 'id="days-left-' in page
    app.config["VOTESYS_TODAY"] = "2027-01-15"
    listed = client.get("/api/v1/public/campaigns").get_json()["campaigns"]
    assert [(c["year"], c["state"]) for c in listed] == [(2028, "open"), (2027, "closed")]
    assert client.get("/api/v1/public/campaigns?jurisdiction=").status_code == 422
    assert client.get("/api/v1/public/campaigns?jurisdiction=999").status_code == 404
    assert client.get("/api/v1/public/campaigns/999/adoption").status_code == 404


def test_the_open_data_holds_no_personal_data(app, logged_in, county, desk):
    client = app.test_client()  # a visitor, not the desk
    campaign, codes, ids = _joined(app, logged_in, county, n=3)
    desk.post(
        f"/desk/opinions/{ids[0]}/screening", data={"decision": "set_aside", "reason": "重复"}
    )
    desk.post(f"/desk/opinions/{ids[1]}/screening", data={"decision": "accepted"})
    cid = campaign["id"]
    answers = {
        "json": client.get(f"/api/v1/public/campaigns/{cid}/adoption").get_data(as_text=True),
        "csv": client.get(f"/campaigns/{cid}/adoption.csv").get_data(as_text=True),
        "page": client.get(f"/campaigns/{cid}/adoption").get_data(as_text=True),
    }
    book = load_workbook(io.BytesIO(client.get(f"/campaigns/{cid}/adoption.xlsx").data))
    answers["xlsx"] = json.dumps(
        [[c for c in row] for row in book.active.iter_rows(values_only=True)], ensure_ascii=False
    )
    secrets = [NAME, PHONE, PHONE[-4:] + "", "北街路灯坏了", "北街12号"]
    secrets += [c.replace("-", "") for c in codes] + codes
    for kind, text in answers.items():
        assert not [s for s in secrets if s in text], kind
    rows = list(csv.reader(io.StringIO(answers["csv"].lstrip("\ufeff"))))
    assert rows[1][2:] and rows[1][-1] == "3"  # received
    figures = json.loads(answers["json"])["figures"]
    assert (figures["received"], figures["set_aside"], figures["accepted"]) == (3, 1, 1)
    assert client.get(f"/campaigns/{cid}/adoption.pdf").status_code == 404


# --- the adoption figures against an independent recount --------------------------------


STATES = (
    "received",
    "aside_item0",
    "aside_item1",
    "aside_written",
    "accepted",
    "feasible",
    "conditional",
    "not_feasible",
    "candidate",
    "ballot_draft",
    "ballot_rejected",
    "approved",
    "practice_only",
)


def _plan_to_db(plan: list[str], k: int, county) -> int:
    from votesys.auth.models import User
    from votesys.congress.models import CongressSession, Jurisdiction
    from votesys.stations import adoption, campaigns, intake
    from votesys.voting.models import Vote, VoteCandidate

    user = db.session.scalar(select(User).where(User.login == "organiser"))
    opens = date(1900 + k, 1, 1)  # a window of its own, long past, for each example
    campaign = campaigns.create(
        body(year=2000 + k % 100, opens_on=opens.isoformat(), closes_on=f"{1900 + k}-03-31"),
        user,
        backdated=True,
    )
    items = campaign.negative_list
    jurisdiction = db.session.get(Jurisdiction, county["jurisdiction"])
    sess = db.session.get(CongressSession, county["session"])
    votes = {
        state: Vote(
            session_id=sess.id,
            title=state,
            seats=1,
            max_for=1,
            state=vote_state,
            practice=state == "practice_only",
        )
        for state, vote_state in (
            ("ballot_draft", "draft"),
            ("ballot_rejected", "published"),
            ("approved", "published"),
            ("practice_only", "closed"),
        )
    }
    db.session.add_all(votes.values())
    db.session.flush()
    for i, state in enumerate(plan):
        fields = intake.NewOpinion(title=f"意见{i}", content="内容", category="roads")
        opinion = intake.create_opinion(
            fields,
            source="online",
            jurisdiction=jurisdiction,
            received_on=opens + timedelta(days=i % 90),
            actor="citizen",
        )
        if state == "received":
            continue
        if state.startswith("aside"):
            item = {"aside_item0": items[0].id, "aside_item1": items[1].id}.get(state)
            campaigns.screen(opinion, user, "set_aside", negative_item=item, reason="另有渠道")
            continue
        campaigns.screen(opinion, user, "accepted")
        if state == "accepted":
            continue
        verdict = state if state in ("feasible", "conditional", "not_feasible") else "feasible"
        campaigns.record_feasibility(
            opinion, user, cost_wan="10", unit="区住建局", verdict=verdict, reason="理由"
        )
        if state in ("feasible", "conditional", "not_feasible"):
            continue
        candidate = adoption.merge_into_candidate(
            [opinion.id], user, session=sess, title=f"候选{i}"
        )
        if state in votes:
            db.session.add(
                VoteCandidate(
                    vote_id=votes[state].id,
                    candidate_id=candidate.id,
                    position=i,
                    approved=state == "approved",
                )
            )
    db.session.flush()
    return campaign.id


def _recount(plan: list[str]) -> dict:
    merged = {"candidate", "ballot_draft", "ballot_rejected", "approved", "practice_only"}
    ballot = {"ballot_draft", "ballot_rejected", "approved"}
    accepted = {"accepted", "feasible", "conditional", "not_feasible"} | merged
    return {
        "received": len(plan),
        "awaiting_screening": plan.count("received"),
        "set_aside": sum(s.startswith("aside") for s in plan),
        "by_reason": [
            plan.count("aside_item0"),
            plan.count("aside_item1"),
            plan.count("aside_written"),
        ],
        "accepted": sum(s in accepted for s in plan),
        "feasibility": {
            "feasible": plan.count("feasible") + sum(s in merged for s in plan),
            "conditional": plan.count("conditional"),
            "not_feasible": plan.count("not_feasible"),
        },
        "merged_into_candidates": sum(s in merged for s in plan),
        "on_ballot": sum(s in ballot for s in plan),
        "approved": plan.count("approved"),
    }


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=st.lists(st.sampled_from(STATES), max_size=14))
def test_adoption_figures_match_an_independent_recount(logged_in, county, plan):
    from votesys.stations import campaign_report, campaigns

    counter = _COUNTER.__next__()
    campaign_id = _plan_to_db(plan, counter, county)
    got = campaign_report.figures(campaigns.get(campaign_id))
    want = _recount(plan)
    assert {key: got[key] for key in want if key != "by_reason"} == {
        key: v for key, v in want.items() if key != "by_reason"
    }
    assert [r["count"] for r in got["set_aside_by_reason"]] == want["by_reason"]
    public = logged_in.get(f"/api/v1/public/campaigns/{campaign_id}/adoption").get_json()
    assert public["figures"]["approved"] == want["approved"]
    db.session.rollback()


def _counter():
    n = 0
    while True:
        yield n
        n += 1


_COUNTER = _counter()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(start=st.integers(0, 400), days=st.integers(-5, 400))
def test_the_window_rule_at_every_length(app, start, days):
    """A window of ``days`` days, first and last counted: from 30 to 366 accepted."""
    from votesys.errors import InvalidInput
    from votesys.stations import campaigns

    opens = TODAY + timedelta(days=start)
    raw = body(opens_on=opens.isoformat(), closes_on=(opens + timedelta(days=days - 1)).isoformat())
    try:
        checked = campaigns.check(raw)
    except InvalidInput as err:
        assert not 30 <= days <= 366
        assert err.code == ("campaign_too_short" if days < 30 else "invalid")
    else:
        assert 30 <= days <= 366
        assert campaigns.window_days(checked["opens_on"], checked["closes_on"]) == days
