"""满意度测评 end to end through the API, with the same engine as the vote: roll, quorum,
secrecy, the signed record; 不满意 flags the project for rectification until a later rating."""

from __future__ import annotations

import json
import re

import pytest

from tests import oracle
from tests.factories import PIN, unsealed_marks
from votesys.extensions import db
from votesys.projects.models import Project
from votesys.voting.models import VoteRecord
from votesys.voting.record_rules import verify_record


@pytest.fixture
def approved(make_scenario, organiser, api):
    """A published vote of 9 deputies approved c1 and c2: they are now projects."""
    ids = make_scenario(deputies=9, candidates=3, seats=2)
    api.login("organiser", "organiser-pass")
    api.seat_everyone(ids)
    vote = ids["votes"]["main"]
    assert api.post(f"/api/v1/votes/{vote}/open", as_="organiser").status_code == 200
    c1, c2 = str(ids["candidates"]["c1"]), str(ids["candidates"]["c2"])
    for code in ids["deputies"]:
        r = api.post(f"/api/v1/votes/{vote}/ballots", {"choices": {c1: "for", c2: "for"}}, as_=code)
        assert r.status_code == 201
    api.post(f"/api/v1/votes/{vote}/close", as_="organiser")
    assert api.post(f"/api/v1/votes/{vote}/publish", as_="organiser").status_code == 200
    projects = db.session.scalars(db.select(Project).order_by(Project.id)).all()
    assert [(p.title, p.year, p.vote_id) for p in projects] == [
        ("候选项目1", 2027, vote),
        ("候选项目2", 2027, vote),
    ]
    assert projects[0].unit.name == "区民政局"
    return ids | {"projects": [p.id for p in projects]}


def _rating_vote(api, ids, projects, **extra):
    r = api.post(
        f"/api/v1/sessions/{ids['session']}/rating-votes",
        {"title": "民生实事项目满意度测评", "projects": projects, **extra},
        as_="organiser",
    )
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["style"] == "rating"
    return body


def _cast(api, vote, deputy, choices):
    return api.post(f"/api/v1/votes/{vote['id']}/ballots", {"choices": choices}, as_=deputy)


def test_rating_through_the_engine(approved, api, client):
    pa, pb = approved["projects"]
    vote = _rating_vote(api, approved, [pa, pb])
    ca, cb = (str(c["id"]) for c in vote["candidates"])
    # Not open yet: no ballots.
    assert _cast(api, vote, "D0001", {ca: "satisfied"}).status_code == 409
    assert api.post(f"/api/v1/votes/{vote['id']}/open", as_="organiser").status_code == 200
    # A "for" is not a rating.
    bad = _cast(api, vote, "D0001", {ca: "for"})
    assert bad.status_code == 422 and bad.get_json()["error"] == "bad_rating"
    deputies = list(approved["deputies"])
    # A: 5 of 9 satisfied (more than half) -> 满意. B: 4 satisfied, 5 unsatisfied -> 不满意.
    for i, code in enumerate(deputies):
        choice_b = "satisfied" if i < 4 else "unsatisfied"
        choice_a = "satisfied" if i < 5 else "basically_satisfied"
        r = _cast(api, vote, code, {ca: choice_a, cb: choice_b})
        assert r.status_code == 201, r.get_json()
    assert _cast(api, vote, deputies[0], {ca: "satisfied"}).get_json()["error"] == "already_voted"
    result = api.post(f"/api/v1/votes/{vote['id']}/close", as_="organiser").get_json()
    a, b = result["candidates"]
    assert (a["satisfied"], a["basically_satisfied"], a["unsatisfied"], a["rating"]) == (
        5,
        4,
        0,
        "satisfied",
    )
    assert (b["satisfied"], b["unsatisfied"], b["rating"]) == (4, 5, "unsatisfied")
    assert a["project"] == pa and result["threshold"] == 5
    assert "satisfied" in result["rule"] or "满意" in result["rule"]
    # The signed record verifies, ratings included.
    record = json.loads(db.session.get(VoteRecord, vote["id"]).body)
    assert all(c.ok for c in verify_record(record))
    assert [d["rating"] for d in record["decision"]["candidates"]] == ["satisfied", "unsatisfied"]
    # Not published yet: the register is untouched.
    assert client.get(f"/api/v1/projects/{pb}").get_json()["rating"] is None
    api.post(f"/api/v1/votes/{vote['id']}/publish", as_="organiser")
    a_now = client.get(f"/api/v1/projects/{pa}").get_json()
    b_now = client.get(f"/api/v1/projects/{pb}").get_json()
    assert (a_now["rating"], a_now["rectification"]) == ("satisfied", False)
    assert (b_now["rating"], b_now["rectification"]) == ("unsatisfied", True)
    figures = client.get("/api/v1/jurisdictions/430212/summary?year=2027").get_json()
    assert figures["satisfaction"] == {
        "satisfied": 1,
        "basically_satisfied": 0,
        "unsatisfied": 1,
        "unrated": 0,
    }
    # Carried into the next year's register, and the one after, until a rating clears it.
    for year in (2028, 2029):
        listed = client.get(f"/api/v1/projects?year={year}").get_json()["projects"]
        assert [p["id"] for p in listed] == [pb]
    later = _rating_vote(api, approved, [pb])
    api.post(f"/api/v1/votes/{later['id']}/open", as_="organiser")
    cid = str(later["candidates"][0]["id"])
    for i, code in enumerate(deputies):
        _cast(api, later, code, {cid: "basically_satisfied" if i < 5 else "unsatisfied"})
    api.post(f"/api/v1/votes/{later['id']}/close", as_="organiser")
    api.post(f"/api/v1/votes/{later['id']}/publish", as_="organiser")
    b_now = client.get(f"/api/v1/projects/{pb}").get_json()
    assert (b_now["rating"], b_now["rectification"]) == ("basically_satisfied", False)
    assert client.get("/api/v1/projects?year=2028").get_json()["projects"] == []


def test_rating_base_present(approved, api):
    """With the base "present", more than half of those present when the vote opened: 6 of
    the 9 deputies, not the 9, nor the 8 present once two late deputies have checked in."""
    session = approved["session"]
    for code in ("D0007", "D0008", "D0009"):  # they leave before the rating
        r = api.delete(f"/api/v1/sessions/{session}/attendance/{code}", as_="organiser")
        assert r.status_code == 200
    vote = _rating_vote(api, approved, approved["projects"], base="present")
    assert vote["base"] == "present"
    assert api.post(f"/api/v1/votes/{vote['id']}/open", as_="organiser").status_code == 200
    for code in ("D0007", "D0008"):  # back after the opening
        late = api.post(
            f"/api/v1/sessions/{session}/attendance", {"deputy_code": code}, as_="organiser"
        )
        assert late.status_code == 201
    ca, cb = (str(c["id"]) for c in vote["candidates"])
    plan = ["s", "s", "s", "sb", "u", "u"]  # A: 4 of 6 satisfied; B: 3 satisfied, 1 basic
    choices = {"s": "satisfied", "b": "basically_satisfied", "u": "unsatisfied"}
    ballots = [{ca: choices[p[0]], cb: choices[p[-1]]} for p in plan]
    for code, ballot in zip(approved["deputies"], ballots, strict=False):
        assert _cast(api, vote, code, ballot).status_code == 201
    result = api.post(f"/api/v1/votes/{vote['id']}/close", as_="organiser").get_json()
    assert (result["total_deputies"], result["present"], result["ballots"]) == (9, 6, 6)
    marks = oracle.count(ballots, [ca, cb])
    expected = {c: oracle.rating(m, 6) for c, m in marks.items()}
    assert expected != {c: oracle.rating(m, 9) for c, m in marks.items()}  # the base matters
    assert expected != {c: oracle.rating(m, 8) for c, m in marks.items()}
    assert result["threshold"] == oracle.threshold(6)
    assert {str(c["id"]): c["rating"] for c in result["candidates"]} == expected


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"projects": []}, "projects"),
        ({"projects": "1"}, "projects"),
        ({"projects": [999999]}, "projects[0]"),
        ({"projects": ["x"]}, "projects[0]"),
        ({"projects": [[None, None]]}, "projects[0]"),
        ({"projects": [{"id": 1}]}, "projects[0]"),
        ({"projects": [1, 1]}, "projects"),
        ({"base": "none"}, "base"),
        ({"title": ""}, "title"),
    ],
)
def test_bad_rating_vote_refused(approved, api, body, field):
    payload = {"title": "测评", "projects": approved["projects"]} | body
    if payload["projects"] == [1, 1]:
        payload["projects"] = [approved["projects"][0]] * 2
    r = api.post(f"/api/v1/sessions/{approved['session']}/rating-votes", payload, as_="organiser")
    assert r.status_code == 422, r.get_json()
    assert r.get_json()["field"] == field


def test_deputies_cannot_create_rating_votes(approved, api):
    api.login("D0001", PIN)
    r = api.post(
        f"/api/v1/sessions/{approved['session']}/rating-votes",
        {"title": "x", "projects": approved["projects"]},
        as_="D0001",
    )
    assert r.status_code == 403


def test_rating_on_the_tablet(approved, api, client):
    """The tablet shows the three choices as large buttons, reviews and casts a rating."""

    vote = _rating_vote(api, approved, approved["projects"])
    api.post(f"/api/v1/votes/{vote['id']}/open", as_="organiser")
    ca, cb = (c["id"] for c in vote["candidates"])
    client.post("/tablet/login", data={"code": "D0001", "pin": PIN})
    assert f"/tablet/votes/{vote['id']}" in client.get("/tablet/").get_data(as_text=True)
    page = client.get(f"/tablet/votes/{vote['id']}").get_data(as_text=True)
    for word in ("satisfied", "basically_satisfied", "unsatisfied"):
        assert page.count(f'value="{word}"') == 2
    assert 'value="for"' not in page
    assert "满意" in page and "基本满意" in page and "不满意" in page
    bad = client.post(f"/tablet/votes/{vote['id']}/review", data={f"c{ca}": "for"})
    assert bad.status_code == 422
    review = client.post(f"/tablet/votes/{vote['id']}/review", data={f"c{ca}": "satisfied"})
    text = review.get_data(as_text=True)
    assert review.status_code == 200 and "未评" in text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', text).group(1)
    data = {f"c{ca}": "satisfied", f"c{cb}": "unsatisfied", "idempotency_key": key}
    done = client.post(f"/tablet/votes/{vote['id']}/cast", data=data)
    assert done.status_code == 303  # post/redirect/get: to the receipt's page
    assert unsealed_marks(vote["id"]) == ["SU"]


def test_tampered_rating_record_fails_verification(approved, api):
    pa, pb = approved["projects"]
    vote = _rating_vote(api, approved, [pa, pb])
    api.post(f"/api/v1/votes/{vote['id']}/open", as_="organiser")
    ca, cb = (str(c["id"]) for c in vote["candidates"])
    for code in approved["deputies"]:
        _cast(api, vote, code, {ca: "basically_satisfied", cb: "satisfied"})
    api.post(f"/api/v1/votes/{vote['id']}/close", as_="organiser")
    record = json.loads(db.session.get(VoteRecord, vote["id"]).body)
    assert all(c.ok for c in verify_record(record))
    forged = json.loads(json.dumps(record))
    forged["decision"]["candidates"][0]["rating"] = "satisfied"
    assert [c.name for c in verify_record(forged) if not c.ok] == ["decision"]
    forged = json.loads(json.dumps(record))
    forged["tally"][0]["basic"] -= 1
    assert "tally" in [c.name for c in verify_record(forged) if not c.ok]
    forged = json.loads(json.dumps(record))
    forged["ballots"][0] = "FF"
    assert "ballots well formed" in [c.name for c in verify_record(forged) if not c.ok]


def test_deputies_record_inspections(approved, api, client):
    pa = approved["projects"][0]
    r = api.post(
        f"/api/v1/projects/{pa}/supervision",
        {"kind": "inspection", "held_on": "2027-03-01", "text": "视察施工现场"},
        as_="D0001",
    )
    assert r.status_code == 201, r.get_json()
    hearing = api.post(
        f"/api/v1/projects/{pa}/supervision", {"kind": "hearing", "text": "x"}, as_="D0001"
    )
    assert hearing.status_code == 403
    public = client.get(f"/api/v1/projects/{pa}").get_json()["supervision"]
    assert public == [{"kind": "inspection", "held_on": "2027-03-01", "text": "视察施工现场"}]
    full = api.get(f"/api/v1/projects/{pa}", as_="organiser").get_json()["supervision"]
    assert full[0]["deputy"] == "代表1"
