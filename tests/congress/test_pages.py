"""The congress's desk pages: the desk, a congress, the check-in desk."""

from __future__ import annotations

from tests.pages import login


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


def test_the_check_in_desk_lists_every_deputy_with_filters_and_counts(
    client, make_scenario, organiser
):
    """A county congress of 179: the desk showed the first 50, with no notice."""
    import re

    from votesys.congress.models import Deputy
    from votesys.extensions import db

    ids = make_scenario(deputies=179, candidates=2, seats=1)
    for code in list(ids["deputies"])[:160]:
        client.post("/login", data={"login": "organiser", "password": "organiser-pass"})
        client.post(f"/desk/sessions/{ids['session']}/checkin", data={"code": code})
    ended = list(ids["deputies"])[-7:]
    for deputy in db.session.scalars(db.select(Deputy).where(Deputy.code.in_(ended))):
        deputy.status = "terminated"
    db.session.commit()
    url = f"/desk/sessions/{ids['session']}/checkin"
    page = client.get(url).get_data(as_text=True)
    rows = re.findall(r"<tr>\s*<td>D\d{4}</td>", page)
    assert len(rows) == 179
    counts = dict(re.findall(r'show=(\w+)"[^>]*>[^<]*<span class="count">(\d+)</span>', page))
    assert counts == {"all": "179", "absent": "12", "present": "160", "terminated": "7"}
    absent = client.get(f"{url}?show=absent").get_data(as_text=True)
    assert len(re.findall(r"<tr>\s*<td>D\d{4}</td>", absent)) == 12
    assert "D0161" in absent and "D0001</td>" not in absent
