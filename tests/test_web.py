"""The pages, through the test client: desk, check-in, tablet ballot, hall, announcement."""

from __future__ import annotations

import re

import pytest

from tests.factories import PIN
from votesys.extensions import db
from votesys.voting.models import Ballot, RollEntry


@pytest.fixture
def setup(make_scenario, organiser):
    return make_scenario(deputies=6, candidates=4, seats=2)


def login(client, user, secret, tablet=False):
    if tablet:
        return client.post("/tablet/login", data={"code": user, "pin": secret})
    return client.post("/login", data={"login": user, "password": secret})


def test_login_pages_and_redirects(client, setup):
    assert client.get("/start").headers["Location"].endswith("/login")
    page = client.get("/login")
    assert page.status_code == 200 and "登录" in page.get_data(as_text=True)
    bad = login(client, "organiser", "wrong")
    assert bad.status_code == 401 and "登录名或密码错误" in bad.get_data(as_text=True)
    ok = login(client, "organiser", "organiser-pass")
    assert ok.status_code == 302 and ok.headers["Location"].endswith("/desk/")
    assert client.get("/tablet/").status_code == 403


def test_english_switch(client, setup):
    page = client.get("/login?lang=en").get_data(as_text=True)
    assert "Log in" in page and 'lang="en"' in page
    assert "Log in" in client.get("/login").get_data(as_text=True)
    assert "登录" in client.get("/login?lang=zh").get_data(as_text=True)


def test_desk_pages_render(client, setup):
    login(client, "organiser", "organiser-pass")
    sid, vid = setup["session"], setup["votes"]["main"]
    for url in [
        "/desk/",
        f"/desk/sessions/{sid}",
        f"/desk/sessions/{sid}/checkin?q=代表",
        f"/desk/votes/{vid}",
        f"/desk/sessions/{sid}/votes/new",
        f"/desk/sessions/{sid}/candidates",
        "/desk/congresses/1",
    ]:
        r = client.get(url)
        assert r.status_code == 200, url


def test_checkin_desk_scan_and_undo(client, setup):
    login(client, "organiser", "organiser-pass")
    sid = setup["session"]
    r = client.post(
        f"/desk/sessions/{sid}/checkin",
        data={"code": "D0001", "action": "in"},
        follow_redirects=True,
    )
    assert "已签到" in r.get_data(as_text=True)
    page = client.get(f"/desk/sessions/{sid}/checkin?q=D0001").get_data(as_text=True)
    assert '<strong data-q="present">1</strong>' in page
    client.post(f"/desk/sessions/{sid}/checkin", data={"code": "D0001", "action": "undo"})
    page = client.get(f"/desk/sessions/{sid}/checkin").get_data(as_text=True)
    assert '<strong data-q="present">0</strong>' in page
    r = client.post(
        f"/desk/sessions/{sid}/checkin",
        data={"code": "NOPE", "action": "in"},
        follow_redirects=True,
    )
    assert "未找到" in r.get_data(as_text=True)


def test_open_refused_without_quorum_shows_numbers(client, setup):
    login(client, "organiser", "organiser-pass")
    vid = setup["votes"]["main"]
    r = client.post(f"/desk/votes/{vid}/open", follow_redirects=True)
    text = r.get_data(as_text=True)
    assert "未达到法定人数" in text and "0" in text and "4" in text and "6" in text


def _open_for_all(client, setup):
    login(client, "organiser", "organiser-pass")
    for code in setup["deputies"]:
        client.post(f"/desk/sessions/{setup['session']}/checkin", data={"code": code})
    r = client.post(f"/desk/votes/{setup['votes']['main']}/open", follow_redirects=True)
    assert "投票已开始" in r.get_data(as_text=True)
    client.post("/logout")


def test_tablet_ballot_review_cast(app, client, setup):
    _open_for_all(client, setup)
    vid = setup["votes"]["main"]
    c = [setup["candidates"][f"c{n}"] for n in range(1, 5)]
    assert login(client, "D0001", PIN, tablet=True).headers["Location"].endswith("/tablet/")
    home = client.get("/tablet/").get_data(as_text=True)
    assert f"/tablet/votes/{vid}" in home
    ballot = client.get(f"/tablet/votes/{vid}").get_data(as_text=True)
    assert ballot.count('value="for"') == 4
    over = client.post(
        f"/tablet/votes/{vid}/review",
        data={f"c{c[0]}": "for", f"c{c[1]}": "for", f"c{c[2]}": "for"},
    )
    assert over.status_code == 422 and "最多" in over.get_data(as_text=True)
    review = client.post(
        f"/tablet/votes/{vid}/review", data={f"c{c[0]}": "for", f"c{c[1]}": "against"}
    )
    text = review.get_data(as_text=True)
    assert review.status_code == 200 and "2 项未标记" in text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', text).group(1)
    data = {f"c{c[0]}": "for", f"c{c[1]}": "against", "idempotency_key": key}
    done = client.post(f"/tablet/votes/{vid}/cast", data=data)
    receipt = re.search(r'id="receipt">([^<]+)<', done.get_data(as_text=True)).group(1)
    assert done.status_code == 201 and "投票成功" in done.get_data(as_text=True)
    again = client.post(f"/tablet/votes/{vid}/cast", data=data)
    assert receipt in again.get_data(as_text=True)
    data["idempotency_key"] = "other"
    twice = client.post(f"/tablet/votes/{vid}/cast", data=data)
    assert twice.status_code == 409 and "只能投票一次" in twice.get_data(as_text=True)
    assert db.session.query(Ballot).one().marks == "FANN"
    assert "您已在" in client.get("/tablet/").get_data(as_text=True)


def test_tablet_not_checked_in(client, setup):
    login(client, "organiser", "organiser-pass")
    for code in list(setup["deputies"])[1:]:
        client.post(f"/desk/sessions/{setup['session']}/checkin", data={"code": code})
    client.post(f"/desk/votes/{setup['votes']['main']}/open")
    client.post("/logout")
    login(client, "D0001", PIN, tablet=True)
    assert "尚未签到" in client.get("/tablet/").get_data(as_text=True)
    c1 = setup["candidates"]["c1"]
    r = client.post(f"/tablet/votes/{setup['votes']['main']}/cast", data={f"c{c1}": "for"})
    assert r.status_code == 403 and "尚未签到" in r.get_data(as_text=True)
    assert db.session.query(RollEntry).count() == 0


def test_hall_state_shows_counts_never_contents(client, setup):
    sid = setup["session"]
    state = client.get(f"/hall/{sid}/state.json").get_json()
    assert state["quorum"] == {"total": 6, "present": 0, "required": 4, "met": False}
    assert state["vote"] is None and state["result"] is None
    _open_for_all(client, setup)
    login(client, "D0002", PIN, tablet=True)
    c1 = setup["candidates"]["c1"]
    client.post(f"/tablet/votes/{setup['votes']['main']}/cast", data={f"c{c1}": "for"})
    state = client.get(f"/hall/{sid}/state.json").get_json()
    assert state["vote"]["ballots_cast"] == 1 and state["result"] is None
    assert "for" not in str(state["vote"])
    assert client.get(f"/hall/{sid}").status_code == 200


def test_result_pages_visibility(client, setup):
    _open_for_all(client, setup)
    vid = setup["votes"]["main"]
    assert client.get(f"/votes/{vid}/announcement").status_code == 403
    login(client, "organiser", "organiser-pass")
    client.post(f"/desk/votes/{vid}/close")
    assert client.get(f"/votes/{vid}/announcement").status_code == 200
    csv_body = client.get(f"/votes/{vid}/result.csv").get_data()
    assert csv_body.startswith("\ufeff".encode()) and "候选项目1".encode() in csv_body
    client.post("/logout")
    assert client.get(f"/votes/{vid}/announcement").status_code == 403
    login(client, "organiser", "organiser-pass")
    client.post(f"/desk/votes/{vid}/publish")
    client.post("/logout")
    page = client.get(f"/votes/{vid}/announcement").get_data(as_text=True)
    assert "表决结果公告" in page and "全体代表" in page
    assert client.get(f"/votes/{vid}/result.json").get_json()["state"] == "published"


def test_new_vote_form_and_bad_input(client, setup):
    login(client, "organiser", "organiser-pass")
    sid = setup["session"]
    cids = list(setup["candidates"].values())
    bad = client.post(
        f"/desk/sessions/{sid}/votes/new",
        data={
            "title": "补充票决",
            "candidates": cids[:2],
            "seats": 5,
            "max_for": 1,
            "style": "per_candidate",
            "base": "present",
            "mode": "electronic",
        },
    )
    assert bad.status_code == 422
    ok = client.post(
        f"/desk/sessions/{sid}/votes/new",
        data={
            "title": "补充票决",
            "candidates": cids[:2],
            "seats": 1,
            "max_for": 1,
            "style": "approval",
            "base": "present",
            "mode": "paper",
        },
    )
    assert ok.status_code == 302
    page = client.get(ok.headers["Location"]).get_data(as_text=True)
    assert "补充票决" in page and "纸质" in page


def test_paper_entry_page(client, make_scenario, organiser):
    ids = make_scenario(deputies=3, candidates=2, seats=1, mode="paper")
    login(client, "organiser", "organiser-pass")
    for code in ids["deputies"]:
        client.post(f"/desk/sessions/{ids['session']}/checkin", data={"code": code})
    vid = ids["votes"]["main"]
    client.post(f"/desk/votes/{vid}/open")
    assert client.get(f"/desk/votes/{vid}/paper-ballot").status_code == 200
    c1, c2 = ids["candidates"]["c1"], ids["candidates"]["c2"]
    form = {
        "issued": 3,
        "returned": 3,
        "invalid": 0,
        f"c{c1}_for": 3,
        f"c{c1}_against": 0,
        f"c{c1}_abstain": 0,
        f"c{c2}_for": 0,
        f"c{c2}_against": 1,
        f"c{c2}_abstain": 1,
    }
    r = client.post(f"/desk/votes/{vid}/paper", data=form, follow_redirects=True)
    assert "必须等于" in r.get_data(as_text=True)
    form[f"c{c2}_abstain"] = 2
    r = client.post(f"/desk/votes/{vid}/paper", data=form, follow_redirects=True)
    assert "已通过" in r.get_data(as_text=True) or "当选" in r.get_data(as_text=True)


def test_csrf_is_enforced_on_forms(app, setup):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    r = client.post("/login", data={"login": "organiser", "password": "organiser-pass"})
    assert r.status_code in (400, 200) and "/desk" not in r.headers.get("Location", "")


def test_unknown_pages_are_clean(client):
    r = client.get("/no/such/page")
    assert r.status_code == 404 and "Traceback" not in r.get_data(as_text=True)
    assert client.get("/api/v1/nothing").get_json()["error"] == "not_found"


def test_tablet_tells_a_terminated_deputy_why(client, make_scenario, organiser):
    ids = make_scenario(deputies=4, candidates=2, seats=1, terminated=1)
    login(client, "organiser", "organiser-pass")
    for code in list(ids["deputies"])[:3]:
        client.post(f"/desk/sessions/{ids['session']}/checkin", data={"code": code})
    client.post(f"/desk/votes/{ids['votes']['main']}/open")
    client.post("/logout")
    login(client, "D0004", PIN, tablet=True)
    page = client.get("/tablet/").get_data(as_text=True)
    assert "代表资格" in page and "开始投票" not in page  # no template either: no stream
    assert client.get("/tablet/").headers["Cache-Control"] == "no-store"


def test_demo_desk_for_a_township_organiser(client, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    login(client, "longmen", "votesys-demo")
    desk = client.get("/desk/").get_data(as_text=True)
    assert "龙门镇第十八届人民代表大会" in desk and "渌口区第一届人民代表大会" not in desk
    assert client.get("/desk/sessions/1").status_code == 403
    tied = client.get("/desk/votes/3").get_data(as_text=True)
    assert "票数相同" in tied and "/desk/votes/4" in tied
    runoff = client.get("/desk/votes/4").get_data(as_text=True)
    assert "再次投票" in runoff and "纸质表决票" in runoff


def test_an_expired_form_says_what_to_do(app, setup):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    r = client.post("/login", data={"login": "organiser", "password": "organiser-pass"})
    assert r.status_code == 400 and "页面已过期" in r.get_data(as_text=True)


def test_a_database_conflict_is_a_clean_409_with_nothing_logged(client, setup, monkeypatch, caplog):
    """Two desks scanning one seat card at once: the loser gets a clear 409, not a 500, and
    no statement parameters reach the log."""
    from votesys.congress import services

    login(client, "organiser", "organiser-pass")
    sid = setup["session"]
    client.post(f"/desk/sessions/{sid}/checkin", data={"code": "D0001"})
    monkeypatch.setattr(services, "is_checked_in", lambda *args: False)  # the race's window
    r = client.post(f"/desk/sessions/{sid}/checkin", data={"code": "D0001"})
    assert r.status_code == 409 and "Traceback" not in r.get_data(as_text=True)
    assert "冲突" in r.get_data(as_text=True) or "刷新" in r.get_data(as_text=True)
    assert "D0001" not in caplog.text


def shown(html: str) -> str:
    """What a page shows: without its <template> parts, inert until a script fills one in
    (the waiting tablet's, for a vote that opens later)."""
    return re.sub(r"<template\b.*?</template>", "", html, flags=re.S)


def test_tablet_never_shows_a_ballot_that_cannot_be_cast(client, setup):
    login(client, "organiser", "organiser-pass")
    for code in list(setup["deputies"])[1:]:
        client.post(f"/desk/sessions/{setup['session']}/checkin", data={"code": code})
    client.post(f"/desk/votes/{setup['votes']['main']}/open")
    client.post(f"/desk/sessions/{setup['session']}/checkin", data={"code": "D0001"})  # late
    client.post("/logout")
    login(client, "D0001", PIN, tablet=True)
    home = shown(client.get("/tablet/").get_data(as_text=True))
    assert "开始后才签到" in home and "开始投票" not in home
    page = client.get(f"/tablet/votes/{setup['votes']['main']}")
    assert page.status_code == 403 and 'value="for"' not in page.get_data(as_text=True)


def test_tablet_pages_send_a_logged_out_deputy_to_the_tablet_login(client, setup):
    r = client.get("/tablet/")
    assert r.status_code == 302 and "/tablet/login" in r.headers["Location"]


def test_language_switch_on_a_posted_page_goes_home(client, setup):
    login(client, "organiser", "organiser-pass")
    r = client.post(f"/desk/sessions/{setup['session']}/votes/new", data={"title": ""})
    assert 'href="/start?lang=en"' in r.get_data(as_text=True)
