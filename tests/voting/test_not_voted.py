"""During a vote the desk sees who has not voted — names, never choices (issue 18 item 4):
the deputies counted present at the opening who are not on the roll, in the API and on the
desk's vote page."""

from __future__ import annotations

from tests.factories import PIN
from tests.pages import login


def _seated(make_scenario, organiser, api, *, present: int, mode: str = "electronic"):
    ids = make_scenario(deputies=6, candidates=3, seats=2, mode=mode)
    api.login("organiser", "organiser-pass")
    for code in sorted(ids["deputies"])[:present]:
        api.login(code, PIN)
        r = api.post(
            f"/api/v1/sessions/{ids['session']}/attendance",
            {"deputy_code": code},
            as_="organiser",
        )
        assert r.status_code == 201
    return ids


def _cast(api, ids, code):
    c1 = str(ids["candidates"]["c1"])
    r = api.post(
        f"/api/v1/votes/{ids['votes']['main']}/ballots", {"choices": {c1: "for"}}, as_=code
    )
    assert r.status_code == 201, r.get_json()


def test_the_desk_and_the_api_name_the_present_deputies_who_have_not_voted(
    make_scenario, organiser, api, client
):
    ids = _seated(make_scenario, organiser, api, present=5)  # D0006 never checked in
    vid = ids["votes"]["main"]
    url = f"/api/v1/votes/{vid}/not-voted"
    draft = api.get(url, as_="organiser")
    assert draft.status_code == 409 and draft.get_json()["error"] == "wrong_state"
    assert api.post(f"/api/v1/votes/{vid}/open", as_="organiser").status_code == 200
    everyone = api.get(url, as_="organiser").get_json()
    assert [d["code"] for d in everyone["not_voted"]] == [
        "D0001",
        "D0002",
        "D0003",
        "D0004",
        "D0005",
    ]
    for code in ("D0002", "D0004"):
        _cast(api, ids, code)
    answer = api.get(url, as_="organiser").get_json()
    assert answer == {
        "vote_id": vid,
        "state": "open",
        "present_at_open": 5,
        "ballots_cast": 2,
        "not_voted": [
            {"code": c, "name": f"代表{int(c[1:])}", "delegation": "一团"}
            for c in ("D0001", "D0003", "D0005")
        ],
    }
    login(client, "organiser", "organiser-pass")
    page = client.get(f"/desk/votes/{vid}").get_data(as_text=True)
    box = page.split('id="not-voted"')[1].split("</details>")[0]
    assert "尚未投票" in box and "<strong data-count>3</strong>" in box
    assert [
        n for n in ("代表1", "代表2", "代表3", "代表4", "代表5", "代表6") if f"{n} <" in box
    ] == [
        "代表1",
        "代表3",
        "代表5",
    ]
    assert client.get(f"/desk/votes/{vid}/not-voted").get_json() == answer
    for code in ("D0001", "D0003", "D0005"):
        _cast(api, ids, code)
    assert api.get(url, as_="organiser").get_json()["not_voted"] == []


def test_only_an_organiser_may_ask(make_scenario, organiser, api):
    ids = _seated(make_scenario, organiser, api, present=4)
    vid = ids["votes"]["main"]
    api.post(f"/api/v1/votes/{vid}/open", as_="organiser")
    assert api.get(f"/api/v1/votes/{vid}/not-voted", as_="D0001").status_code == 403
    assert api.get(f"/api/v1/votes/{vid}/not-voted").status_code == 401
    assert api.get("/api/v1/votes/999999/not-voted", as_="organiser").status_code == 404


def test_a_paper_vote_has_no_roll_of_who_voted(make_scenario, organiser, api):
    ids = _seated(make_scenario, organiser, api, present=4, mode="paper")
    vid = ids["votes"]["main"]
    api.post(f"/api/v1/votes/{vid}/open", as_="organiser")
    r = api.get(f"/api/v1/votes/{vid}/not-voted", as_="organiser")
    assert r.status_code == 409 and r.get_json()["error"] == "not_electronic"
    assert "投票" in r.get_json()["message"]
