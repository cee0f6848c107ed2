"""呼叫工作人员 (issue 18 item 4): a deputy's tablet calls the staff; the desk (the vote page,
the check-in desk, the API) sees the deputy's name and code until someone answers; one open
call per deputy, a new one at most every CALL_EVERY_SECONDS; audited; nothing of any vote."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tests.factories import PIN
from tests.pages import login
from votesys.congress.models import Deputy
from votesys.extensions import db
from votesys.integrity.models import AuditEntry
from votesys.voting import calls
from votesys.voting.call_models import StaffCall

JSON = {"Accept": "application/json"}


def _world(make_scenario, organiser, api) -> dict:
    ids = make_scenario(deputies=4, candidates=3, seats=2)
    api.login("organiser", "organiser-pass")
    api.seat_everyone(ids)
    return ids


def _age_calls(seconds: int = 60) -> None:
    """Move every call back in time: the next press is past the interval between calls."""
    for call in db.session.scalars(select(StaffCall)):
        call.made_at -= timedelta(seconds=seconds)
    db.session.commit()


def test_the_call_lifecycle_from_the_tablet_to_the_desk_and_back(
    app, make_scenario, organiser, api, client
):
    ids = _world(make_scenario, organiser, api)
    sid = ids["session"]
    login(client, "D0002", PIN, tablet=True)
    home = client.get("/tablet/").get_data(as_text=True)
    assert 'id="call-staff"' in home and 'id="call-open" role="status" hidden' in home
    pressed = client.post("/tablet/call", headers=JSON)
    assert pressed.status_code == 200 and pressed.get_json()["called"] is True
    again = client.post("/tablet/call", headers=JSON)  # the same call, not another
    assert again.status_code == 200 and again.get_json()["called"] is True
    assert db.session.scalar(select(func.count()).select_from(StaffCall)) == 1
    home = client.get("/tablet/").get_data(as_text=True)
    assert 'id="call-form" hidden' in home  # the page says staff were called
    assert client.get("/tablet/call").get_json()["called"] is True

    listed = api.get(f"/api/v1/sessions/{sid}/calls", as_="organiser")
    assert listed.status_code == 200
    [call] = listed.get_json()["calls"]
    assert call["code"] == "D0002" and call["name"] == "代表2" and call["session"] == sid
    assert set(call) == {
        "session", "deputy_id", "code", "name", "delegation", "made_at", "made_at_local"
    }  # fmt: skip
    client.post("/logout")
    login(client, "organiser", "organiser-pass")
    vote_page = client.get(f"/desk/votes/{ids['votes']['main']}").get_data(as_text=True)
    assert 'class="card staff-calls lit"' in vote_page and "代表2" in vote_page
    checkin = client.get(f"/desk/sessions/{sid}/checkin").get_data(as_text=True)
    assert 'class="card staff-calls lit"' in checkin and "D0002" in checkin
    assert client.get(f"/desk/sessions/{sid}/calls").get_json()["calls"][0]["code"] == "D0002"

    answered = client.post(
        f"/desk/sessions/{sid}/calls/{call['deputy_id']}/answer",
        data={"next": f"/desk/sessions/{sid}/checkin"},
    )
    assert answered.status_code == 303
    assert answered.headers["Location"].endswith(f"/desk/sessions/{sid}/checkin")
    assert client.get(f"/desk/sessions/{sid}/calls").get_json()["calls"] == []
    twice = api.post(f"/api/v1/sessions/{sid}/calls/{call['deputy_id']}/answer", as_="organiser")
    assert twice.status_code == 409 and twice.get_json()["error"] == "no_open_call"
    page = client.get(f"/desk/votes/{ids['votes']['main']}").get_data(as_text=True)
    assert 'id="staff-calls"' in page and "代表2" not in page.split('id="staff-calls"')[1][:800]
    stored = db.session.scalars(select(StaffCall)).one()
    assert stored.answered_at is not None and stored.answered_by_id == organiser.id
    actions = [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq))]
    assert actions.count("staff_called") == 1 and actions.count("staff_call_answered") == 1


def test_a_cancelled_call_goes_off_the_desk_and_a_new_one_waits_its_interval(
    app, make_scenario, organiser, api, client
):
    ids = _world(make_scenario, organiser, api)
    login(client, "D0001", PIN, tablet=True)
    assert client.post("/tablet/call", headers=JSON).get_json()["called"] is True
    cancelled = client.post("/tablet/call/cancel", headers=JSON)
    assert cancelled.status_code == 200 and cancelled.get_json()["called"] is False
    assert (
        api.get(f"/api/v1/sessions/{ids['session']}/calls", as_="organiser").get_json()["calls"]
        == []
    )
    soon = client.post("/tablet/call", headers=JSON)
    assert soon.status_code == 429 and soon.get_json()["error"] == "call_too_soon"
    assert str(calls.CALL_EVERY_SECONDS) in soon.get_json()["message"]
    # without the script: the form comes back to its page with the message
    plain = client.post("/tablet/call", data={"next": "/tablet/"})
    assert plain.status_code == 303 and plain.headers["Location"].endswith("/tablet/")
    assert db.session.scalar(select(func.count()).select_from(StaffCall)) == 1
    _age_calls()
    assert client.post("/tablet/call", headers=JSON).get_json()["called"] is True
    assert db.session.scalar(select(func.count()).select_from(StaffCall)) == 2
    # cancelling with none open changes nothing
    client.post("/tablet/call/cancel")
    assert client.post("/tablet/call/cancel", headers=JSON).get_json()["called"] is False


def test_the_desk_answers_only_its_sessions_calls_and_other_deputies_stay_lit(
    app, make_scenario, organiser, api, client
):
    ids = _world(make_scenario, organiser, api)
    sid = ids["session"]
    for code in ("D0001", "D0003"):
        client.post("/logout")
        login(client, code, PIN, tablet=True)
        client.post("/tablet/call")
    listed = api.get(f"/api/v1/sessions/{sid}/calls", as_="organiser").get_json()["calls"]
    assert [c["code"] for c in listed] == ["D0001", "D0003"]  # the oldest first
    first = listed[0]["deputy_id"]
    ok = api.post(f"/api/v1/sessions/{sid}/calls/{first}/answer", as_="organiser")
    assert ok.status_code == 200 and ok.get_json()["code"] == "D0001"
    left = api.get(f"/api/v1/sessions/{sid}/calls", as_="organiser").get_json()["calls"]
    assert [c["code"] for c in left] == ["D0003"]
    # the deputy's tablet learns that the call was answered
    client.post("/logout")
    login(client, "D0001", PIN, tablet=True)
    assert client.get("/tablet/call").get_json()["called"] is False


def test_a_call_tells_nothing_of_any_vote(app, make_scenario, organiser, api, client):
    """During an open vote, a deputy who has cast and one who has not call alike."""
    ids = _world(make_scenario, organiser, api)
    vid = ids["votes"]["main"]
    assert api.post(f"/api/v1/votes/{vid}/open", as_="organiser").status_code == 200
    c1 = str(ids["candidates"]["c1"])
    assert api.post(f"/api/v1/votes/{vid}/ballots", {"choices": {c1: "for"}}, as_="D0001")
    for code in ("D0001", "D0002"):
        client.post("/logout")
        login(client, code, PIN, tablet=True)
        client.post("/tablet/call")
    answer = api.get(f"/api/v1/sessions/{ids['session']}/calls", as_="organiser").get_json()
    text = json.dumps(answer)
    keys = {key for call in answer["calls"] for key in call} | set(answer)
    for word in ("vote", "ballot", "receipt", "for", "against", "choice", "cast"):
        assert not [key for key in keys if word in key], keys
        assert f'"{word}"' not in text
    assert f'"{c1}"' not in text  # not the candidate marked, as a value either
    rows = [
        (c.session_id, c.deputy_id) for c in db.session.scalars(select(StaffCall))
    ]  # fmt: skip
    assert all(sid == ids["session"] for sid, _ in rows)
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "staff_called"))
    assert all(e.object == f"session:{ids['session']}" for e in entries)


def test_the_call_goes_to_the_session_of_the_open_vote_or_the_latest_checked_in(
    app, make_scenario, organiser, api, client
):
    ids = _world(make_scenario, organiser, api)
    login(client, "D0004", PIN, tablet=True)
    client.post("/tablet/call")
    assert db.session.scalars(select(StaffCall)).one().session_id == ids["session"]


def test_a_bad_next_goes_home_not_elsewhere(app, make_scenario, organiser, api, client):
    _world(make_scenario, organiser, api)
    login(client, "D0001", PIN, tablet=True)
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil", "javascript:x"):
        r = client.post("/tablet/call/cancel", data={"next": target})
        assert r.status_code == 303 and r.headers["Location"].endswith("/tablet/"), target


def test_two_presses_at_once_make_one_open_call(app, make_scenario, organiser, api):
    """The database holds the rule when two presses race past the check."""
    _world(make_scenario, organiser, api)
    deputy = db.session.scalar(select(Deputy).where(Deputy.code == "D0001"))
    sess_id = calls.session_for(deputy).id
    db.session.add(StaffCall(session_id=sess_id, deputy_id=deputy.id))
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.add(StaffCall(session_id=sess_id, deputy_id=deputy.id))
        db.session.flush()
    db.session.rollback()
    assert calls.call_staff(deputy).deputy_id == deputy.id  # the open one, no second
    assert db.session.scalar(select(func.count()).select_from(StaffCall)) == 1
