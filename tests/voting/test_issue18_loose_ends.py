"""Issue 18's loose ends: no "0:00" without a time limit; the tablet home's links to a
scrutineer's work; where a receipt can be checked; the hall state's schema; the announcement's
scrutineers listed once; no not-voted list once a vote switched to paper is closed."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

import jsonschema_rs
import pytest

from tests.factories import PIN
from tests.pages import login
from tests.voting.test_fallback import _cast, _cids, _opened, _paper, _scrutineers, _switch
from votesys.congress import services as congress
from votesys.congress.models import Congress, Deputy
from votesys.extensions import db
from votesys.voting.models import Vote
from votesys.voting.scrutiny_models import Confirmation

SPEC = json.loads((Path(__file__).parents[2] / "votesys" / "openapi.json").read_text())


def _clock(html: str, element_id: str) -> str:
    """The text of the [data-clock] slot inside the element with this id."""
    block = html.split(f'id="{element_id}"')[1].split("</p>")[0]
    return re.search(r"data-clock[^>]*>([^<]*)<", block).group(1)


# --- 1. the countdown shows nothing on a vote without a time limit -----------------------


def test_a_vote_without_a_time_limit_shows_no_clock_on_tablet_hall_or_desk(
    make_scenario, organiser, api, client
):
    ids, vid = _opened(make_scenario, api)
    hall = client.get(f"/hall/{ids['session']}").get_data(as_text=True)
    assert _clock(hall, "h-countdown") == "" and "0:00" not in hall
    login(client, "D0001", PIN, tablet=True)
    for page in (client.get("/tablet/"), client.get(f"/tablet/votes/{vid}")):
        html = page.get_data(as_text=True)
        assert _clock(html, "tablet-countdown") == "" and "0:00" not in html
    client.post("/logout")
    login(client, "organiser", "organiser-pass")
    desk = client.get(f"/desk/votes/{vid}").get_data(as_text=True)
    assert 'id="desk-countdown"' not in desk and "0:00" not in desk


def test_a_limit_still_shows_its_clock(make_scenario, organiser, api, client):
    ids = make_scenario(deputies=4, candidates=3, seats=2)
    api.login("organiser", "organiser-pass")
    api.seat_everyone(ids)
    vid = ids["votes"]["main"]
    api.post(f"/api/v1/votes/{vid}/open", {"time_limit_minutes": 10}, as_="organiser")
    login(client, "D0001", PIN, tablet=True)
    assert _clock(client.get("/tablet/").get_data(as_text=True), "tablet-countdown") in (
        "10:00",
        "9:59",
    )


# --- 2. the tablet home links to a scrutineer's work -------------------------------------


def test_the_tablet_home_links_a_scrutineer_to_their_page_and_the_paper_awaiting_them(
    make_scenario, organiser, api, client
):
    ids, vid = _opened(make_scenario, api)
    _scrutineers(ids, "D0008")
    c1, _c2, _c3 = _cids(ids)
    _cast(api, vid, "D0001", {c1: "for"})
    login(client, "D0008", PIN, tablet=True)
    home = client.get("/tablet/").get_data(as_text=True)
    assert 'id="scrutiny-link"' in home and 'href="/tablet/scrutiny"' in home
    assert f"/tablet/votes/{vid}/paper" not in home  # nothing awaits them yet
    client.post("/logout")

    _switch(api, vid)
    counts = [(8, 0, 0), (0, 8, 0), (0, 0, 8)]
    entered = api.post(f"/api/v1/votes/{vid}/paper", _paper(ids, 8, 8, 0, counts), as_="organiser")
    assert entered.status_code == 202
    login(client, "D0008", PIN, tablet=True)
    home = client.get("/tablet/").get_data(as_text=True)
    assert f'href="/tablet/votes/{vid}/paper"' in home and 'id="scrutiny-link"' in home
    assert client.get(f"/tablet/votes/{vid}/paper").status_code == 200
    client.post(f"/tablet/votes/{vid}/paper", data={"entry": "1"})  # four eyes, on the tablet
    client.post("/logout")

    # confirmed and counted: the home says a result awaits their signature
    api.login("organiser", "organiser-pass")
    assert api.post(f"/api/v1/votes/{vid}/close", as_="organiser").status_code == 200
    login(client, "D0008", PIN, tablet=True)
    home = client.get("/tablet/").get_data(as_text=True)
    assert f"/tablet/votes/{vid}/paper" not in home
    assert re.search(r'id="to-confirm">1 ', home) and 'id="scrutiny-link"' in home
    client.post("/logout")

    # another deputy sees neither link
    login(client, "D0007", PIN, tablet=True)
    other = client.get("/tablet/").get_data(as_text=True)
    assert 'id="scrutineer-links"' not in other and "/tablet/scrutiny" not in other


def test_a_scrutineer_of_an_earlier_session_only_sees_no_link(
    make_scenario, organiser, api, client
):
    ids, _vid = _opened(make_scenario, api)
    _scrutineers(ids, "D0008")
    body = db.session.get(Congress, ids["congress"])
    later = db.session.get(Vote, ids["votes"]["main"]).session.date.replace(year=2099)
    congress.create_session(body, "第二次会议", later)
    db.session.commit()
    login(client, "D0008", PIN, tablet=True)
    assert 'id="scrutineer-links"' not in client.get("/tablet/").get_data(as_text=True)


# --- 3. the done page says where the receipt can be checked ------------------------------


def _cast_on_tablet(client, vid: int, cid: str) -> str:
    review = client.post(f"/tablet/votes/{vid}/review", data={f"c{cid}": "for"})
    key = re.search(r'name="idempotency_key" value="([^"]+)"', review.get_data(as_text=True))
    cast = client.post(
        f"/tablet/votes/{vid}/cast", data={f"c{cid}": "for", "idempotency_key": key.group(1)}
    )
    assert cast.status_code == 303
    return client.get(cast.headers["Location"]).get_data(as_text=True)


def test_the_receipt_page_says_where_to_check_it_on_the_public_site(
    make_scenario, organiser, api, client, app
):
    app.config["PUBLIC_URL"] = "https://rd.example.gov.cn"
    ids, vid = _opened(make_scenario, api)
    login(client, "D0001", PIN, tablet=True)
    done = _cast_on_tablet(client, vid, _cids(ids)[0])
    hint = re.search(r'id="verify-hint">([^<]+)<', done).group(1)
    assert "https://rd.example.gov.cn/verify" in hint
    assert "公布" in hint or "published" in hint


def test_a_practice_receipt_points_nowhere(make_scenario, organiser, api, client):
    ids = make_scenario(deputies=4, candidates=3, seats=2)
    db.session.get(Vote, ids["votes"]["main"]).practice = True
    db.session.commit()
    api.login("organiser", "organiser-pass")
    api.seat_everyone(ids)
    vid = ids["votes"]["main"]
    api.post(f"/api/v1/votes/{vid}/open", as_="organiser")
    login(client, "D0001", PIN, tablet=True)
    done = _cast_on_tablet(client, vid, str(ids["candidates"]["c1"]))
    assert 'id="receipt"' in done and 'id="verify-hint"' not in done


# --- 4. the hall state as documented -----------------------------------------------------


def _check_hall(state: dict) -> None:
    schema = {"$ref": "#/components/schemas/HallState", "components": SPEC["components"]}
    jsonschema_rs.validator_for(schema).validate(state)


@pytest.mark.parametrize("practice", [False, True])
def test_the_hall_state_of_an_open_vote_matches_its_schema(
    make_scenario, organiser, api, client, practice
):
    ids = make_scenario(deputies=4, candidates=3, seats=2)
    db.session.get(Vote, ids["votes"]["main"]).practice = practice
    db.session.commit()
    api.login("organiser", "organiser-pass")
    api.seat_everyone(ids)
    api.post(f"/api/v1/votes/{ids['votes']['main']}/open", as_="organiser")
    state = client.get(f"/hall/{ids['session']}/state.json").get_json()
    assert state["vote"]["practice"] is practice and state["vote"]["paper"] is False
    _check_hall(state)


def test_the_hall_state_of_a_vote_switched_to_paper_matches_its_schema(
    make_scenario, organiser, api, client
):
    ids, vid = _opened(make_scenario, api)
    _switch(api, vid)
    state = client.get(f"/hall/{ids['session']}/state.json").get_json()
    assert state["vote"]["paper"] is True
    _check_hall(state)


# --- 5. the announcement names the scrutineers once, their fingerprints by name ----------


def test_the_announcement_keys_the_fingerprints_by_name_without_repeating_the_sentence(
    make_scenario, organiser, api, client
):
    from tests.portal.test_receipts import _vote  # a published vote with its record

    vid, _receipts = _vote(api, publish=True)
    html = client.get(f"/votes/{vid}/announcement").get_data(as_text=True)
    assert "Key fingerprints of the scrutineers who confirmed" not in html
    assert "确认本记录的监票人密钥指纹" not in html  # no scrutineers: no empty heading
    deputy = db.session.scalar(db.select(Deputy).where(Deputy.code == "D0001"))
    raw = bytes(range(32))
    db.session.add(
        Confirmation(
            vote_id=vid,
            deputy_id=deputy.id,
            public_key=base64.b64encode(raw).decode(),
            signature=base64.b64encode(b"\x00" * 64).decode(),
        )
    )
    db.session.commit()
    html = client.get(f"/votes/{vid}/announcement").get_data(as_text=True)
    check = html.split('class="check-scrutineers"')[1].split("</ul>")[0]
    fingerprint = " ".join(re.findall(".{4}", hashlib.sha256(raw).hexdigest()))
    # keyed by name alone: no code, no "fingerprint:" label repeated on every line
    assert re.search(rf"{deputy.name}：\s*<span class=\"digits\">{fingerprint}<", check)
    assert "D0001" not in check and "指纹" not in check


# --- 6. no not-voted list once a vote switched to paper is closed ------------------------


def test_not_voted_is_offered_during_the_fallback_and_refused_after_its_close(
    make_scenario, organiser, api, client
):
    ids, vid = _opened(make_scenario, api)
    c1, _c2, _c3 = _cids(ids)
    for code in ("D0001", "D0002", "D0003"):
        _cast(api, vid, code, {c1: "for"})
    _switch(api, vid)
    url = f"/api/v1/votes/{vid}/not-voted"
    during = api.get(url, as_="organiser")
    assert during.status_code == 200 and len(during.get_json()["not_voted"]) == 6
    counts = [(6, 0, 0), (0, 6, 0), (0, 0, 6)]
    api.post(f"/api/v1/votes/{vid}/paper", _paper(ids, 6, 6, 0, counts), as_="organiser")
    assert api.post(f"/api/v1/votes/{vid}/close", as_="organiser").status_code == 200
    after = api.get(url, as_="organiser")
    assert after.status_code == 409 and after.get_json()["error"] == "paper_roll_closed"
    assert "纸质" in after.get_json()["message"] or "paper" in after.get_json()["message"]
    login(client, "organiser", "organiser-pass")
    desk = client.get(f"/desk/votes/{vid}/not-voted")
    assert desk.status_code == 409
    page = client.get(f"/desk/votes/{vid}")
    assert page.status_code == 200 and 'id="not-voted"' not in page.get_data(as_text=True)


def test_a_closed_electronic_vote_without_the_switch_keeps_its_list(make_scenario, organiser, api):
    ids, vid = _opened(make_scenario, api)
    _cast(api, vid, "D0001", {_cids(ids)[0]: "for"})
    assert api.post(f"/api/v1/votes/{vid}/close", as_="organiser").status_code == 200
    after = api.get(f"/api/v1/votes/{vid}/not-voted", as_="organiser")
    assert after.status_code == 200 and len(after.get_json()["not_voted"]) == 8
