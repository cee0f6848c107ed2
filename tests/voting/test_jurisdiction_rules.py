"""A jurisdiction's rules of the vote (票决办法): 差额, the default base, whether a rating vote is
held; set through the API, the desk and the scenario file; a vote breaking them refused with
the rule quoted unless an exception is recorded with its reason, printed on the announcement;
runoffs and practice votes exempt."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import build_scenario
from votesys import scenario
from votesys.congress import services as congress_services
from votesys.extensions import db
from votesys.integrity.models import AuditEntry
from votesys.scenario_fields import ScenarioError
from votesys.voting import jurisdiction_rules as jr
from votesys.voting import services
from votesys.voting.jurisdiction_rules_models import JurisdictionRules, VoteException
from votesys.voting.models import Vote

RULES = "/api/v1/jurisdictions/430212/rules"


def put(api, body, url=RULES):
    return api.client.put(url, json=body, headers=api._headers("organiser", None))


def new_vote(api, ids, n, seats, **extra):
    """POST a vote of the first ``n`` candidates for ``seats`` places."""
    body = {
        "title": "民生实事项目票决",
        "candidates": [ids["candidates"][f"c{i}"] for i in range(1, n + 1)],
        "seats": seats,
        "max_for": seats,
        **extra,
    }
    return api.post(f"/api/v1/sessions/{ids['session']}/votes", body, as_="organiser")


def vote_count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Vote))


def actions() -> list[str]:
    return list(db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.seq)))


@pytest.fixture
def county(make_scenario, organiser, api):
    """A county with no rules set (the defaults: 差额 1), 8 candidates, the organiser's token."""
    ids = make_scenario(deputies=6, candidates=8, seats=2, rules=None)
    api.login("organiser", "organiser-pass")
    return ids


# -- the rule ------------------------------------------------------------------------------


def test_at_the_minimum_passes_and_one_fewer_is_refused():
    two = jr.Settings(min_extra_candidates=2)
    assert jr.breach_of(two, seats=5, candidates=7, style="per_candidate") is None
    breach = jr.breach_of(two, seats=5, candidates=6, style="approval")
    assert breach == jr.Breach(jr.MIN_EXTRA, 2, 6, 5)
    none = jr.Settings(min_extra_candidates=0)
    assert jr.breach_of(none, seats=5, candidates=5, style="per_candidate") is None


def test_a_rating_knows_no_差额_only_whether_it_is_held():
    held = jr.Settings(min_extra_candidates=3)
    assert jr.breach_of(held, seats=4, candidates=4, style="rating") is None
    not_held = jr.Settings(rating_vote=False)
    assert jr.breach_of(not_held, seats=4, candidates=4, style="rating") == jr.Breach(jr.RATING)


@settings(max_examples=300, deadline=None)
@given(
    seats=st.integers(1, 500),
    candidates=st.integers(1, 500),
    minimum=st.integers(0, jr.MAX_EXTRA),
    style=st.sampled_from(["per_candidate", "approval"]),
)
def test_refused_exactly_when_short_of_places_plus_the_minimum(seats, candidates, minimum, style):
    found = jr.breach_of(
        jr.Settings(min_extra_candidates=minimum), seats=seats, candidates=candidates, style=style
    )
    assert (found is not None) == (candidates < seats + minimum)
    if found is not None:
        assert (found.minimum, found.candidates, found.seats) == (minimum, candidates, seats)


# -- the API: settings ---------------------------------------------------------------------


def test_defaults_until_set_then_stored_and_audited(county, api):
    r = api.get(RULES, as_="organiser")
    assert r.status_code == 200
    assert r.get_json() == {
        "jurisdiction": "430212",
        "min_extra_candidates": 1,
        "default_base": "all_deputies",
        "rating_vote": True,
    }
    body = {"min_extra_candidates": 0, "default_base": "present", "rating_vote": False}
    r = put(api, body)
    assert r.status_code == 200 and r.get_json() == {"jurisdiction": "430212", **body}
    assert api.get(RULES, as_="organiser").get_json() == {"jurisdiction": "430212", **body}
    assert actions()[-1] == "jurisdiction_rules_set"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"min_extra_candidates": -1}, "min_extra_candidates"),
        ({"min_extra_candidates": 100}, "min_extra_candidates"),
        ({"min_extra_candidates": 10**12}, "min_extra_candidates"),
        ({"min_extra_candidates": 1.5}, "min_extra_candidates"),
        ({"min_extra_candidates": "1"}, "min_extra_candidates"),
        ({"min_extra_candidates": True}, "min_extra_candidates"),
        ({"min_extra_candidates": None}, "min_extra_candidates"),
        ({"default_base": "half"}, "default_base"),
        ({"default_base": 3}, "default_base"),
        ({"rating_vote": "yes"}, "rating_vote"),
        ({"rating_vote": 1}, "rating_vote"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_settings_are_refused_and_nothing_stored(county, api, change, field):
    body = {"min_extra_candidates": 2, "default_base": "present", "rating_vote": True, **change}
    r = put(api, body)
    assert r.status_code == 422, r.get_json()
    assert r.get_json()["error"] == "invalid" and r.get_json()["field"] == field
    assert r.get_json()["message"]
    assert db.session.scalar(db.select(db.func.count()).select_from(JurisdictionRules)) == 0


def test_a_whole_number_sent_as_json_2_0_is_2(county, api):
    r = put(api, {"min_extra_candidates": 2.0, "default_base": "present", "rating_vote": True})
    assert r.status_code == 200 and r.get_json()["min_extra_candidates"] == 2
    body = {"title": "票决", "candidates": [county["candidates"]["c1"] * 1.0], "seats": 1.0}
    body |= {"max_for": 1.0, "practice": True}
    r = api.post(f"/api/v1/sessions/{county['session']}/votes", body, as_="organiser")
    assert r.status_code == 201 and r.get_json()["seats"] == 1


def test_null_is_not_absent(county, api):
    for key in ("base", "exception_reason"):
        r = new_vote(api, county, 4, 2, **{key: None})
        assert r.status_code == 422 and r.get_json()["field"] == key
    assert new_vote(api, county, 4, "2").status_code == 422


def test_every_setting_is_required_and_the_body_must_be_an_object(county, api):
    r = put(api, {"min_extra_candidates": 2, "default_base": "present"})
    assert r.status_code == 422 and r.get_json()["field"] == "rating_vote"
    assert put(api, [1, 2]).status_code == 400


def test_an_unknown_jurisdiction_is_not_found(county, api):
    r = api.get("/api/v1/jurisdictions/999999/rules", as_="organiser")
    assert r.status_code == 404


# -- creating votes --------------------------------------------------------------------------


def test_差额_refused_with_the_rule_quoted_and_nothing_stored(county, api):
    before, audited = vote_count(), len(actions())
    r = new_vote(api, county, 5, 5)
    assert r.status_code == 422
    body = r.get_json()
    assert body["error"] == "too_few_candidates" and body["field"] == "candidates"
    assert "5" in body["message"] and "1" in body["message"]
    assert vote_count() == before and len(actions()) == audited


def test_at_the_minimum_the_vote_is_created(county, api):
    assert new_vote(api, county, 6, 5).status_code == 201
    put(api, {"min_extra_candidates": 2, "default_base": "all_deputies", "rating_vote": True})
    assert new_vote(api, county, 6, 5).status_code == 422
    assert new_vote(api, county, 7, 5).status_code == 201


def test_no_差额_required_allows_as_many_candidates_as_places(county, api):
    put(api, {"min_extra_candidates": 0, "default_base": "all_deputies", "rating_vote": True})
    assert new_vote(api, county, 3, 3).status_code == 201


def test_the_default_base_applies_when_none_is_given_and_can_be_overridden(county, api):
    put(api, {"min_extra_candidates": 1, "default_base": "present", "rating_vote": True})
    assert new_vote(api, county, 4, 2).get_json()["base"] == "present"
    assert new_vote(api, county, 4, 2, base="valid_ballots").get_json()["base"] == "valid_ballots"


def test_an_exception_needs_a_reason_that_is_not_blank(county, api):
    for blank in ("", "   ", "\n"):
        r = new_vote(api, county, 5, 5, exception_reason=blank)
        assert r.status_code == 422 and r.get_json()["field"] == "exception_reason"
    assert new_vote(api, county, 5, 5, exception_reason=7).status_code == 422
    assert new_vote(api, county, 5, 5, exception_reason="x" * 1001).status_code == 422
    assert vote_count() == 1  # the scenario's own


def test_an_exception_is_stored_with_the_vote_and_audited(county, api):
    reason = "上级交办项目须全部纳入，经主任会议研究同意"
    r = new_vote(api, county, 5, 5, exception_reason=reason)
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["rule_exception"] == {
        "rule": "min_extra_candidates",
        "minimum": 1,
        "reason": reason,
    }
    stored = db.session.get(VoteException, r.get_json()["id"])
    assert stored.reason == reason and stored.rule == jr.MIN_EXTRA
    assert actions()[-2:] == ["vote_created", "vote_rule_exception"]
    shown = api.get(f"/api/v1/votes/{r.get_json()['id']}", as_="organiser").get_json()
    assert shown["rule_exception"]["reason"] == reason


def test_an_exception_to_a_vote_that_breaks_nothing_is_refused(county, api):
    r = new_vote(api, county, 6, 5, exception_reason="以防万一")
    assert r.status_code == 422 and r.get_json()["field"] == "exception_reason"


def test_a_practice_vote_is_exempt(county, api):
    r = new_vote(api, county, 2, 2, practice=True)
    assert r.status_code == 201 and r.get_json()["rule_exception"] is None


def test_a_rating_vote_where_none_is_held_is_refused_unless_excepted(county, api):
    put(api, {"min_extra_candidates": 1, "default_base": "all_deputies", "rating_vote": False})
    r = new_vote(api, county, 3, 3, style="rating")
    assert r.status_code == 422 and r.get_json()["error"] == "rating_vote_not_held"
    assert r.get_json()["field"] == "style"
    r = new_vote(api, county, 3, 3, style="rating", exception_reason="上级要求本年度开展测评")
    assert r.status_code == 201 and r.get_json()["rule_exception"]["rule"] == "rating_vote"
    put(api, {"min_extra_candidates": 1, "default_base": "all_deputies", "rating_vote": True})
    assert new_vote(api, county, 3, 3, style="rating").status_code == 201  # held: no 差额


def test_the_create_api_refuses_bad_bodies(county, api):
    assert new_vote(api, county, 4, 2, colour="red").status_code == 422
    assert new_vote(api, county, 4, 2, practice="yes").status_code == 422
    r = api.post(f"/api/v1/sessions/{county['session']}/votes", {"candidates": 3}, as_="organiser")
    assert r.status_code == 422 and r.get_json()["field"] == "candidates"
    r = new_vote(api, county, 4, 2)
    assert r.status_code == 201
    body = {"title": "x", "candidates": [True], "seats": 1, "max_for": 1}
    r = api.post(f"/api/v1/sessions/{county['session']}/votes", body, as_="organiser")
    assert r.status_code == 422 and r.get_json()["field"] == "candidates[0]"


def test_a_runoff_is_exempt_from_差额(make_scenario, organiser, api):
    """2 tied for the 1 place left: short of 差额 2, yet the runoff is created, since it is
    among the tied candidates, a choice the first vote made (DOMAIN.md)."""
    strict = {"min_extra_candidates": 2, "default_base": "none", "rating_vote": True}
    ids = make_scenario(deputies=6, candidates=4, seats=2, base="none", rules=strict)
    api.login("organiser", "organiser-pass")
    api.seat_everyone(ids)
    vid = ids["votes"]["main"]
    assert api.post(f"/api/v1/votes/{vid}/open", as_="organiser").status_code == 200
    c = [str(ids["candidates"][f"c{n}"]) for n in range(1, 5)]
    marks = [(c[0], c[1])] * 3 + [(c[0], c[2])] * 3
    for code, (a, b) in zip(ids["deputies"], marks, strict=True):
        api.post(f"/api/v1/votes/{vid}/ballots", {"choices": {a: "for", b: "for"}}, as_=code)
    result = api.post(f"/api/v1/votes/{vid}/close", as_="organiser").get_json()
    assert result["runoff_needed"] and result["places_left"] == 1
    runoff = api.post(f"/api/v1/votes/{vid}/runoff", as_="organiser")
    assert runoff.status_code == 201, runoff.get_json()
    assert len(runoff.get_json()["candidates"]) == 2 and runoff.get_json()["seats"] == 1
    assert runoff.get_json()["rule_exception"] is None
    # the same two for one place, as a new vote, are refused
    body = {"title": "再议", "candidates": [int(c[1]), int(c[2])], "seats": 1, "max_for": 1}
    r = api.post(f"/api/v1/sessions/{ids['session']}/votes", body, as_="organiser")
    assert r.status_code == 422 and r.get_json()["error"] == "too_few_candidates"


def test_a_rating_vote_of_the_register_follows_the_rules(county, api):
    """POST /sessions/{id}/rating-votes: no base given takes the jurisdiction's default."""
    put(api, {"min_extra_candidates": 1, "default_base": "all_deputies", "rating_vote": False})
    r = api.post(
        f"/api/v1/sessions/{county['session']}/rating-votes",
        {"title": "测评", "projects": [1]},
        as_="organiser",
    )
    assert r.status_code == 422  # no such project: the projects are checked first
    assert r.get_json()["field"] == "projects[0]"


# -- the scenario file ---------------------------------------------------------------------


def test_a_scenario_without_rules_leaves_the_defaults(app):
    ids = scenario.load(build_scenario(candidates=4, seats=2, rules=None))
    assert db.session.get(JurisdictionRules, ids["jurisdiction"]) is None


def test_a_scenario_with_rules_stores_them_and_its_votes_take_the_default_base(app):
    data = build_scenario(
        candidates=4, seats=2, rules={"min_extra_candidates": 2, "default_base": "present"}
    )
    del data["votes"][0]["base"]
    ids = scenario.load(data)
    stored = db.session.get(JurisdictionRules, ids["jurisdiction"])
    assert (stored.min_extra_candidates, stored.default_base, stored.rating_vote) == (
        2,
        "present",
        True,
    )
    assert db.session.get(Vote, ids["votes"]["main"]).base == "present"


@pytest.mark.parametrize(
    ("rules", "path"),
    [
        ({"min_extra_candidates": -1}, "jurisdiction.rules.min_extra_candidates"),
        ({"min_extra_candidates": "2"}, "jurisdiction.rules.min_extra_candidates"),
        ({"default_base": "most"}, "jurisdiction.rules.default_base"),
        ({"rating_vote": "no"}, "jurisdiction.rules.rating_vote"),
        ({"quota": 3}, "jurisdiction.rules.quota"),
        ([1], "jurisdiction.rules"),
    ],
)
def test_bad_rules_in_a_scenario_name_their_path(app, rules, path):
    with pytest.raises(ScenarioError) as refused:
        scenario.validate(build_scenario(rules=rules))
    assert refused.value.path == path


def test_the_registers_jurisdictions_state_their_rules_too(app):
    town = {"code": "430212105", "name": "龙门镇", "level": "township", "parent": "430212"}
    data = {
        "jurisdictions": [
            {"code": "430212", "name": "渌口区", "level": "county"},
            {**town, "rules": {"min_extra_candidates": 3, "rating_vote": False}},
        ]
    }
    scenario.load(data)
    county = congress_services.jurisdiction_by_code("430212")
    assert db.session.get(JurisdictionRules, county.id) is None  # stated none: the defaults
    assert jr.settings_of(congress_services.jurisdiction_by_code("430212105")) == jr.Settings(
        3, "all_deputies", False
    )
    data["jurisdictions"][1]["rules"] = {"min_extra_candidates": 3.5}
    with pytest.raises(ScenarioError) as refused:
        scenario.validate(data)
    assert refused.value.path == "jurisdictions[1].rules.min_extra_candidates"


def test_a_scenario_vote_breaking_the_rules_is_refused_or_excepted(app):
    data = build_scenario(candidates=3, seats=3, rules={"min_extra_candidates": 1})
    with pytest.raises(ScenarioError) as refused:
        scenario.load(data)
    assert refused.value.path == "votes[0]"
    db.session.rollback()
    data["votes"][0]["exception_reason"] = "三个项目均为上级交办"
    ids = scenario.load(data)
    assert db.session.get(VoteException, ids["votes"]["main"]).reason == "三个项目均为上级交办"


def test_the_demo_files_state_their_rules():
    from pathlib import Path

    import votesys.demo

    folder = Path(votesys.demo.__file__).parent
    for name in ("lukou.json", "longmen.json"):
        data = json.loads((folder / name).read_text(encoding="utf-8"))
        assert set(data["jurisdiction"]["rules"]) == set(jr.KEYS), name


def test_the_demo_loads_under_its_rules(app, runner):
    """渌口区 asks 差额 2 (its 15 candidates for 10 places pass), 龙门镇 差额 1 (8 for 5; its
    runoff of the tied is exempt); both pass with all deputies and hold a rating vote."""
    assert runner.invoke(args=["demo"]).exit_code == 0
    county = congress_services.jurisdiction_by_code("430212")
    town = congress_services.jurisdiction_by_code("430212105")
    assert jr.settings_of(county) == jr.Settings(2, "all_deputies", True)
    assert jr.settings_of(town) == jr.Settings(1, "all_deputies", True)
    assert db.session.scalar(db.select(db.func.count()).select_from(VoteException)) == 0


# -- the desk ------------------------------------------------------------------------------


def login(client):
    r = client.post("/login", data={"login": "organiser", "password": "organiser-pass"})
    assert r.status_code == 302


def test_the_desk_page_edits_the_rules(county, client):
    login(client)
    page = client.get("/desk/jurisdictions/430212/rules")
    assert page.status_code == 200 and 'name="min_extra_candidates"' in page.text
    r = client.post(
        "/desk/jurisdictions/430212/rules",
        data={"min_extra_candidates": "2", "default_base": "present", "rating_vote": "y"},
    )
    assert r.status_code == 302
    assert jr.settings_of(
        services.get_vote(county["votes"]["main"]).session.congress.jurisdiction
    ) == (jr.Settings(2, "present", True))
    for bad in ("-1", "100", "1.5", "abc", ""):
        r = client.post(
            "/desk/jurisdictions/430212/rules",
            data={"min_extra_candidates": bad, "default_base": "present"},
        )
        assert r.status_code == 422, bad
        assert 'aria-invalid="true"' in r.text
    stored = db.session.scalar(db.select(JurisdictionRules))
    assert stored.min_extra_candidates == 2 and stored.rating_vote is True


def test_the_vote_form_preselects_the_default_base_and_quotes_the_rule(county, client):
    login(client)
    sid = county["session"]
    put_rules = jr.Settings(1, "present", True)
    jr.set_rules(
        services.get_vote(county["votes"]["main"]).session.congress.jurisdiction, put_rules
    )
    db.session.commit()
    form = client.get(f"/desk/sessions/{sid}/votes/new")
    assert '<option selected value="present">' in form.text
    five = [str(county["candidates"][f"c{i}"]) for i in range(1, 6)]
    data = {"title": "票决", "candidates": five, "seats": "5", "max_for": "5"}
    data |= {"style": "per_candidate", "base": "all_deputies", "mode": "electronic"}
    before = vote_count()
    r = client.post(f"/desk/sessions/{sid}/votes/new", data=data)
    assert r.status_code == 422 and 'id="candidates-error1"' in r.text
    assert vote_count() == before
    r = client.post(f"/desk/sessions/{sid}/votes/new", data={**data, "exception": "y"})
    assert r.status_code == 422 and 'id="exception_reason-error1"' in r.text
    reason = "经主任会议研究同意"
    r = client.post(
        f"/desk/sessions/{sid}/votes/new",
        data={**data, "exception": "y", "exception_reason": reason},
    )
    assert r.status_code == 302
    vote = db.session.scalars(db.select(Vote).order_by(Vote.id.desc())).first()
    assert vote.base == "all_deputies" and vote.rule_exception.reason == reason
    page = client.get(r.headers["Location"])
    assert 'id="rule-exception"' in page.text and reason in page.text


def test_the_announcement_prints_the_exception(app, organiser, api, client):
    data = build_scenario(deputies=4, candidates=2, seats=2, mode="paper", rules={})
    reason = "两个项目均为上级交办，经主任会议研究同意"
    data["votes"][0]["exception_reason"] = reason
    ids = scenario.load(data)
    db.session.commit()
    api.login("organiser", "organiser-pass")
    api.seat_everyone(ids)
    vid = ids["votes"]["main"]
    assert api.post(f"/api/v1/votes/{vid}/open", as_="organiser").status_code == 200
    c1, c2 = (str(ids["candidates"][k]) for k in ("c1", "c2"))
    totals = {
        "issued": 4,
        "returned": 4,
        "invalid": 0,
        "candidates": {
            c1: {"for": 3, "against": 1, "abstain": 0},
            c2: {"for": 3, "against": 0, "abstain": 1},
        },
    }
    r = api.post(f"/api/v1/votes/{vid}/paper", totals, as_="organiser")
    assert r.status_code == 200, r.get_json()
    assert api.post(f"/api/v1/votes/{vid}/publish", as_="organiser").status_code == 200
    page = client.get(f"/votes/{vid}/announcement")
    assert page.status_code == 200
    assert 'id="rule-exception"' in page.text and reason in page.text
    assert "2" in page.text.split('id="rule-exception"')[1].split("</p>")[0]
    # the signed record states it (and verifies: tests/conftest.py checks every record)
    record = api.get(f"/api/v1/votes/{vid}/record").get_json()
    assert record["vote"]["rule_exception"] == {
        "rule": "min_extra_candidates",
        "minimum": 1,
        "reason": reason,
    }


def test_an_announcement_without_an_exception_prints_none(county, client):
    vote = services.get_vote(county["votes"]["main"])
    assert jr.exception_words(vote) is None
    assert vote.rule_exception is None
    assert jr.record_fields(vote) == {}  # a record without one reads as before
