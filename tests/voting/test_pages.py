"""The vote's desk pages: opening, results and their visibility, a new vote, paper totals."""

from __future__ import annotations

from tests.pages import login, open_for_all


def test_open_refused_without_quorum_shows_numbers(client, setup):
    login(client, "organiser", "organiser-pass")
    vid = setup["votes"]["main"]
    r = client.post(f"/desk/votes/{vid}/open", follow_redirects=True)
    text = r.get_data(as_text=True)
    assert "未达到法定人数" in text and "0" in text and "4" in text and "6" in text


def test_result_pages_visibility(client, setup):
    open_for_all(client, setup)
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


def test_a_citizen_too_early_is_told_the_result_is_not_published(client, setup):
    open_for_all(client, setup)
    vid = setup["votes"]["main"]
    early = client.get(f"/votes/{vid}/announcement")
    text = early.get_data(as_text=True)
    assert early.status_code == 403 and "尚未公布" in text and "没有权限" not in text
    assert client.get(f"/votes/{vid}/result.json").get_json()["error"] == "not_published"


def test_publishing_asks_first_and_yields_to_a_pending_runoff(client, setup, api):
    import re

    from tests.factories import PIN

    open_for_all(client, setup)
    vid = setup["votes"]["main"]
    c = [str(setup["candidates"][f"c{n}"]) for n in range(1, 5)]
    # six deputies, two places, 4 "for" each for c1, c2 and c3: a tie across the last place
    pairs = [(0, 1), (0, 1), (0, 2), (0, 2), (1, 2), (1, 2)]
    for code, (a, b) in zip(list(setup["deputies"]), pairs, strict=True):
        api.login(code, PIN)
        marks = {c[a]: "for", c[b]: "for"}
        r = api.post(f"/api/v1/votes/{vid}/ballots", {"choices": marks}, as_=code)
        assert r.status_code == 201, r.get_json()
    login(client, "organiser", "organiser-pass")
    client.post(f"/desk/votes/{vid}/close")
    page = client.get(f"/desk/votes/{vid}").get_data(as_text=True)
    publish = re.search(r'<form[^>]*action="[^"]*publish"[^>]*>.*?</form>', page, re.S).group(0)
    assert "data-confirm=" in publish and "公开" in publish
    assert "创建再次投票" in page  # a runoff is pending: it, not publication, is the primary action
    assert 'class="primary big"' not in publish
