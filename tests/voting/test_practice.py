"""A practice ballot (试投票, issue 18 item 3): tests every tablet before the first vote,
cast through the same path, shown as 试投票 on tablets and the hall; its only result is
how many tablets cast and which present deputies' did not — never counted, never
published, never in the register."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.factories import PIN, build_scenario
from tests.pages import login
from votesys import scenario
from votesys.extensions import db
from votesys.integrity.models import AuditEntry
from votesys.projects.models import Project
from votesys.scenario_fields import ScenarioError
from votesys.voting.models import Ballot, Vote, VoteRecord


def _practice(make_scenario, organiser, api, *, present: int = 2) -> dict:
    """Six deputies, only ``present`` of them checked in: below the quorum of four."""
    data = build_scenario(deputies=6, candidates=3, seats=2)
    data["votes"][0]["practice"] = True
    ids = scenario.load(data)
    db.session.commit()
    api.login("organiser", "organiser-pass")
    for code in sorted(ids["deputies"])[:present]:
        api.login(code, PIN)
        r = api.post(
            f"/api/v1/sessions/{ids['session']}/attendance", {"deputy_code": code}, as_="organiser"
        )
        assert r.status_code == 201
    return ids


def test_a_practice_vote_opens_without_the_quorum_and_leaves_only_who_cast(
    make_scenario, organiser, api, client
):
    ids = _practice(make_scenario, organiser, api, present=3)
    vid = ids["votes"]["main"]
    shown = api.get(f"/api/v1/votes/{vid}", as_="organiser").get_json()
    assert shown["practice"] is True
    opened = api.post(f"/api/v1/votes/{vid}/open", as_="organiser")
    assert opened.status_code == 200, opened.get_json()  # 3 of 6 present: no quorum needed
    c1 = str(ids["candidates"]["c1"])
    for code in ("D0001", "D0002"):  # D0003's tablet never casts
        r = api.post(f"/api/v1/votes/{vid}/ballots", {"choices": {c1: "for"}}, as_=code)
        assert r.status_code == 201
    assert db.session.scalar(select(func.count()).where(Ballot.vote_id == vid)) == 2
    closed = api.post(f"/api/v1/votes/{vid}/close", as_="organiser")
    assert closed.status_code == 200
    db.session.expire_all()
    vote = db.session.get(Vote, vid)
    assert vote.state == "closed" and vote.ballots_cast == 2
    assert vote.threshold is None and all(e.votes_for is None for e in vote.entries)
    assert db.session.scalar(select(func.count()).where(Ballot.vote_id == vid)) == 0
    assert db.session.scalar(select(func.count()).where(VoteRecord.vote_id == vid)) == 0
    assert db.session.scalar(
        select(func.count()).where(
            AuditEntry.action == "practice_closed", AuditEntry.object == f"vote:{vid}"
        )
    )
    missing = api.get(f"/api/v1/votes/{vid}/not-voted", as_="organiser").get_json()
    assert [d["code"] for d in missing["not_voted"]] == ["D0003"]
    assert missing["ballots_cast"] == 2 and missing["present_at_open"] == 3
    for url in (f"/api/v1/votes/{vid}/result", f"/api/v1/votes/{vid}/publish"):
        call = api.get if url.endswith("result") else api.post
        refused = call(url, as_="organiser")
        assert refused.status_code == 409 and refused.get_json()["error"] == "practice_vote"
    assert db.session.get(Vote, vid).state == "closed"
    assert db.session.scalar(select(func.count(Project.id))) == 0  # nothing registered
    assert client.get(f"/api/v1/public/votes/{vid}").status_code == 404
    assert f"/votes/{vid}/" not in client.get("/votes").get_data(as_text=True)
    login(client, "organiser", "organiser-pass")
    page = client.get(f"/desk/votes/{vid}").get_data(as_text=True)
    assert "试投票" in page and 'id="practice-cast"' in page
    assert "<strong>2</strong> / 3" in page
    listed = page.split('id="practice-missing"')[1].split("</ul>")[0]
    assert "代表3" in listed and "代表1" not in listed
    assert "公布表决结果" not in page  # nothing to publish


def test_tablets_and_the_hall_say_it_is_a_practice(make_scenario, organiser, api, client):
    ids = _practice(make_scenario, organiser, api, present=2)
    vid = ids["votes"]["main"]
    api.post(f"/api/v1/votes/{vid}/open", as_="organiser")
    state = client.get(f"/hall/{ids['session']}/state.json").get_json()
    assert state["vote"]["practice"] is True and state["vote"]["title"].startswith("试投票")
    login(client, "D0001", PIN, tablet=True)
    home = client.get("/tablet/").get_data(as_text=True)
    assert "试投票：民生实事项目票决" in home
    ballot = client.get(f"/tablet/votes/{vid}").get_data(as_text=True)
    assert "试投票：民生实事项目票决" in ballot
    client.post("/logout")
    api.post(f"/api/v1/votes/{vid}/close", as_="organiser")
    after = client.get(f"/hall/{ids['session']}/state.json").get_json()
    assert after["vote"] is None and after["awaiting"] is None  # nothing awaits publication


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"mode": "paper"}, "votes[0].practice"),
        ({"style": "rating", "base": "present"}, "votes[0].practice"),
        ({"practice": "yes"}, "votes[0].practice"),
    ],
)
def test_a_practice_vote_is_electronic_and_not_a_rating(app, changes, path):
    data = build_scenario(deputies=3, candidates=2, seats=1)
    data["votes"][0] |= {"practice": True} | changes
    with pytest.raises(ScenarioError) as refused:
        scenario.load(data)
    db.session.rollback()
    assert str(refused.value).startswith(path)
    assert db.session.scalar(select(func.count(Vote.id))) == 0


def test_the_desk_creates_a_practice_vote(make_scenario, organiser, client):
    ids = make_scenario(deputies=4, candidates=2, seats=1)
    login(client, "organiser", "organiser-pass")
    cids = [str(c) for c in ids["candidates"].values()]
    r = client.post(
        f"/desk/sessions/{ids['session']}/votes/new",
        data={
            "title": "试投票",
            "seats": "1",
            "max_for": "1",
            "style": "per_candidate",
            "base": "all_deputies",
            "mode": "electronic",
            "practice": "y",
            "candidates": cids,
        },
    )
    assert r.status_code == 302
    created = db.session.scalar(select(Vote).order_by(Vote.id.desc()))
    assert created.practice is True and created.title == "试投票"
