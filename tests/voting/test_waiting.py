"""The waiting tablet's long poll: answered at once when the page is behind, held until the
vote opens or closes otherwise, and never longer than TABLET_WAIT_SECONDS."""

from __future__ import annotations

import threading
import time

import pytest

from tests.factories import PIN
from votesys.congress import services as congress
from votesys.congress.models import CongressSession
from votesys.extensions import db
from votesys.voting import services
from votesys.voting.models import Vote


@pytest.fixture
def hall(app, make_scenario):
    app.config.update(TABLET_WAIT_SECONDS=1.0, TABLET_WATCH_INTERVAL=0.05)
    ids = make_scenario(deputies=3, candidates=3, seats=1)
    sess = db.session.get(CongressSession, ids["session"])
    for code in ids["deputies"]:
        congress.check_in(sess, code)
    db.session.commit()
    return ids


def tablet(app, code="D0001"):
    client = app.test_client()
    r = client.post("/tablet/login", data={"code": code, "pin": PIN})
    assert r.status_code == 302
    return client


def open_vote(vid):
    services.open_vote(db.session.get(Vote, vid))
    db.session.commit()


def test_a_page_behind_the_state_is_answered_at_once(app, hall):
    vid = hall["votes"]["main"]
    open_vote(vid)
    client = tablet(app)
    t0 = time.monotonic()
    state = client.get("/tablet/state.json?wait=|n").get_json()
    assert time.monotonic() - t0 < 0.8
    assert state["vote"] == vid and state["voted"] is None  # the page reloads and looks


def test_a_page_up_to_date_waits_until_the_timeout(app, hall):
    client = tablet(app)
    t0 = time.monotonic()
    state = client.get("/tablet/state.json?wait=|n").get_json()
    waited = time.monotonic() - t0
    assert 1.0 <= waited < 5 and state == {"mandate_current": True, "vote": None, "voted": False}


def test_the_vote_opening_and_closing_reach_the_waiting_tablet(app, hall):
    vid = hall["votes"]["main"]
    app.config["TABLET_WAIT_SECONDS"] = 10.0
    client = tablet(app)
    answers = []

    def wait(known):
        t0 = time.monotonic()
        answers.append((client.get(f"/tablet/state.json?wait={known}").get_json(), t0))

    waiter = threading.Thread(target=wait, args=("|n",))
    waiter.start()
    time.sleep(0.3)
    opened = time.monotonic()
    open_vote(vid)
    waiter.join(timeout=5)
    state, _ = answers.pop()
    assert state["vote"] == vid and time.monotonic() - opened < 2

    waiter = threading.Thread(target=wait, args=(f"{vid}|n",))
    waiter.start()
    time.sleep(0.3)
    services.close_vote(db.session.get(Vote, vid))
    db.session.commit()
    waiter.join(timeout=5)
    state, _ = answers.pop()
    assert state == {"mandate_current": True, "vote": None, "voted": False}


def test_a_ballot_cast_elsewhere_is_answered_at_once(app, hall, api):
    vid = hall["votes"]["main"]
    open_vote(vid)
    api.login("D0001", PIN)
    r = api.post(f"/api/v1/votes/{vid}/ballots", {"choices": {}}, as_="D0001")
    assert r.status_code == 201
    client = tablet(app)
    t0 = time.monotonic()
    state = client.get(f"/tablet/state.json?wait={vid}|n").get_json()
    assert time.monotonic() - t0 < 0.8 and state["voted"] is True
    # and a page that knows it voted waits
    t0 = time.monotonic()
    state = client.get(f"/tablet/state.json?wait={vid}|y").get_json()
    assert time.monotonic() - t0 >= 1.0 and state["vote"] == vid and state["voted"] is True


@pytest.mark.parametrize("known", ["garbage", "99999999999999999999999|n", "|", "1|maybe"])
def test_a_strange_wait_value_is_an_answer_not_an_error(app, hall, known):
    client = tablet(app)
    r = client.get("/tablet/state.json", query_string={"wait": known})
    assert r.status_code == 200 and r.get_json()["vote"] is None


def test_only_a_deputy_may_wait(app, hall, client):
    assert client.get("/tablet/state.json?wait=|n").status_code == 302
