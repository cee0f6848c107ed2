"""A vote's countdown (issue 18 item 5): opening may set a time limit of 1 to 120 minutes; the
hall, the tablets and the desk show the time left by the server's clock (clock.now, pinned
here with VOTESYS_NOW); at zero the desk is prompted to close, and nothing closes by itself:
a ballot cast after zero counts until the organiser closes the vote."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import PIN
from tests.pages import login
from tests.voting.test_waiting import Stream, tablet
from votesys.errors import InvalidInput
from votesys.extensions import db
from votesys.integrity.models import AuditEntry
from votesys.voting import countdown
from votesys.voting.models import Vote

NOON = "2026-12-05T04:00:00"  # 12:00 at the congress (UTC+8)


def _seated(make_scenario, organiser, api, *, practice: bool = False) -> dict:
    ids = make_scenario(deputies=6, candidates=3, seats=2)
    if practice:
        db.session.get(Vote, ids["votes"]["main"]).practice = True
        db.session.commit()
    api.login("organiser", "organiser-pass")
    api.seat_everyone(ids)
    return ids


def _open(api, vid: int, body=None):
    return api.post(f"/api/v1/votes/{vid}/open", body, as_="organiser")


@pytest.mark.parametrize(
    "value", [0, 121, -5, 10.5, 1.0, 1e400, "10", "ten", "", True, [10], {"m": 1}], ids=repr
)
def test_a_time_limit_outside_1_to_120_whole_minutes_is_refused_and_nothing_opens(
    app, make_scenario, organiser, api, value
):
    ids = _seated(make_scenario, organiser, api)
    vid = ids["votes"]["main"]
    r = _open(api, vid, {"time_limit_minutes": value})
    assert r.status_code == 422, r.get_json()
    body = r.get_json()
    assert body["error"] == "invalid" and body["field"] == "time_limit_minutes"
    assert "1" in body["message"] and "120" in body["message"]  # says what is allowed
    db.session.expire_all()
    vote = db.session.get(Vote, vid)
    assert vote.state == "draft" and vote.closes_at is None


@pytest.mark.parametrize("minutes", [1, 120])
def test_the_bounds_1_and_120_open_with_the_deadline_from_the_servers_clock(
    app, make_scenario, organiser, api, minutes
):
    app.config["VOTESYS_NOW"] = NOON
    ids = _seated(make_scenario, organiser, api)
    vid = ids["votes"]["main"]
    r = _open(api, vid, {"time_limit_minutes": minutes})
    assert r.status_code == 200, r.get_json()
    shown = r.get_json()
    h, m = divmod(4 * 60 + minutes, 60)
    assert shown["closes_at"] == f"2026-12-05T{h:02d}:{m:02d}:00Z"
    assert shown["seconds_left"] == minutes * 60
    entry = db.session.query(AuditEntry).filter_by(action="vote_opened").one()
    assert f'"time_limit_minutes":{minutes}' in entry.details


def test_no_limit_is_null_and_an_empty_body_or_null_opens_as_before(
    app, make_scenario, organiser, api
):
    ids = _seated(make_scenario, organiser, api)
    r = _open(api, ids["votes"]["main"], {"time_limit_minutes": None})
    assert r.status_code == 200
    assert r.get_json()["closes_at"] is None and r.get_json()["seconds_left"] is None
    assert api.get(f"/hall/{ids['session']}/state.json").get_json()["vote"]["seconds_left"] is None


def test_the_time_left_is_the_servers_and_zero_closes_nothing(
    app, make_scenario, organiser, api, client
):
    """The tablets, the hall and the vote's JSON count from the server's clock; past zero a
    ballot still counts, and the vote stays open until the organiser closes it."""
    app.config["VOTESYS_NOW"] = NOON
    ids = _seated(make_scenario, organiser, api)
    vid = ids["votes"]["main"]
    assert _open(api, vid, {"time_limit_minutes": 5}).status_code == 200
    app.config["VOTESYS_NOW"] = "2026-12-05T04:03:20"  # 100 s left
    assert api.get(f"/api/v1/votes/{vid}", as_="organiser").get_json()["seconds_left"] == 100
    hall = client.get(f"/hall/{ids['session']}/state.json").get_json()
    assert hall["vote"]["seconds_left"] == 100 and hall["vote"]["closes_at"].endswith("04:05:00Z")
    screen = client.get(f"/hall/{ids['session']}").get_data(as_text=True)
    assert 'id="h-countdown"' in screen and 'data-seconds-left="100"' in screen
    assert "1:40" in screen
    login(client, "D0001", PIN, tablet=True)
    home = client.get("/tablet/").get_data(as_text=True)
    assert 'data-seconds-left="100"' in home
    ballot = client.get(f"/tablet/votes/{vid}").get_data(as_text=True)
    assert 'id="tablet-countdown"' in ballot and 'data-seconds-left="100"' in ballot
    client.post("/logout")

    app.config["VOTESYS_NOW"] = "2026-12-05T04:07:00"  # two minutes past the limit
    assert api.get(f"/api/v1/votes/{vid}", as_="organiser").get_json()["seconds_left"] == 0
    c1 = str(ids["candidates"]["c1"])
    late = api.post(f"/api/v1/votes/{vid}/ballots", {"choices": {c1: "for"}}, as_="D0002")
    assert late.status_code == 201  # still counted: the organiser has not closed the vote
    login(client, "organiser", "organiser-pass")
    desk = client.get(f"/desk/votes/{vid}").get_data(as_text=True)
    prompt = re.search(r'<div class="flash warn time-up" id="time-up"[^>]*>', desk).group(0)
    assert "hidden" not in prompt  # the prompt shows, with the close button
    assert 'id="time-up-close"' in desk
    db.session.expire_all()
    assert db.session.get(Vote, vid).state == "open"
    closed = api.post(f"/api/v1/votes/{vid}/close", as_="organiser").get_json()
    assert closed["ballots"] == 1  # the late ballot counted
    assert api.get(f"/api/v1/votes/{vid}", as_="organiser").get_json()["seconds_left"] is None


def test_before_zero_the_desk_prompt_waits_hidden(app, make_scenario, organiser, api, client):
    app.config["VOTESYS_NOW"] = NOON
    ids = _seated(make_scenario, organiser, api)
    vid = ids["votes"]["main"]
    login(client, "organiser", "organiser-pass")
    r = client.post(
        f"/desk/votes/{vid}/open", data={"time_limit_minutes": "15"}, follow_redirects=True
    )
    page = r.get_data(as_text=True)
    assert 'data-seconds-left="900"' in page and "15:00" in page
    assert re.search(r'id="time-up"[^>]*hidden', page)


@pytest.mark.parametrize("sent", ["0", "121", "2.5", "十", "1e3"])
def test_the_desk_form_refuses_a_bad_limit_by_its_label_and_opens_nothing(
    app, make_scenario, organiser, api, client, sent
):
    ids = _seated(make_scenario, organiser, api)
    vid = ids["votes"]["main"]
    login(client, "organiser", "organiser-pass")
    r = client.post(
        f"/desk/votes/{vid}/open", data={"time_limit_minutes": sent}, follow_redirects=True
    )
    page = r.get_data(as_text=True)
    assert "投票时限（分钟）" in page or "Time limit (minutes)" in page
    db.session.expire_all()
    assert db.session.get(Vote, vid).state == "draft"


def test_an_empty_desk_field_opens_without_a_limit(app, make_scenario, organiser, api, client):
    ids = _seated(make_scenario, organiser, api)
    vid = ids["votes"]["main"]
    login(client, "organiser", "organiser-pass")
    client.post(f"/desk/votes/{vid}/open", data={"time_limit_minutes": " "})
    db.session.expire_all()
    vote = db.session.get(Vote, vid)
    assert vote.state == "open" and vote.closes_at is None
    assert 'id="desk-countdown"' not in client.get(f"/desk/votes/{vid}").get_data(as_text=True)


def test_a_practice_vote_counts_down_too(app, make_scenario, organiser, api, client):
    app.config["VOTESYS_NOW"] = NOON
    ids = _seated(make_scenario, organiser, api, practice=True)
    vid = ids["votes"]["main"]
    opened = _open(api, vid, {"time_limit_minutes": 3})
    assert opened.status_code == 200 and opened.get_json()["practice"] is True
    assert opened.get_json()["seconds_left"] == 180
    hall = client.get(f"/hall/{ids['session']}/state.json").get_json()
    assert hall["vote"]["practice"] is True and hall["vote"]["seconds_left"] == 180
    login(client, "D0001", PIN, tablet=True)
    assert 'data-seconds-left="180"' in client.get(f"/tablet/votes/{vid}").get_data(as_text=True)


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.integers(-1000, 1000), st.text(max_size=6), st.floats(), st.booleans()))
def test_time_limit_takes_only_whole_minutes_from_1_to_120(value):
    ok = isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 120
    if ok:
        assert countdown.time_limit(value) == value
    else:
        with pytest.raises(InvalidInput):
            countdown.time_limit(value)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=6))
def test_a_forms_field_is_digits_or_empty(value):
    stripped = value.strip()
    if not stripped:
        assert countdown.time_limit(value, from_form=True) is None
    elif stripped.isascii() and stripped.isdigit() and 1 <= int(stripped) <= 120:
        assert countdown.time_limit(value, from_form=True) == int(stripped)
    else:
        with pytest.raises(InvalidInput):
            countdown.time_limit(value, from_form=True)


def test_the_seconds_left_round_up_and_stop_at_zero(app):
    app.config["VOTESYS_NOW"] = "2026-12-05T04:00:00.200000"
    at = datetime(2026, 12, 5, 4, 0, 1)
    assert countdown.left_until(at) == 1  # 0.8 s left: still "0:01", not time up
    assert countdown.left_until(datetime(2026, 12, 5, 4, 0, 0)) == 0
    assert countdown.left_until(datetime(2026, 12, 5, 3, 0, 0)) == 0
    assert countdown.left_until(None) is None


def test_the_waiting_tablets_stream_carries_the_seconds_left_by_the_servers_clock(
    app, make_scenario, organiser, api
):
    """The stream outlives its request: the seconds it sends are the server's (VOTESYS_NOW
    here, which the stream reads at its start), for the vote that opens while it waits."""
    app.config.update(
        TABLET_KEEPALIVE_SECONDS=4.0,
        TABLET_STREAM_SECONDS=4.0,
        TABLET_WATCH_INTERVAL=0.05,
        VOTESYS_NOW=NOON,
    )
    ids = _seated(make_scenario, organiser, api)
    vid = ids["votes"]["main"]
    stream = Stream(tablet(app))
    _, state, _ = stream.next()
    assert state["vote"] is None and state["seconds_left"] is None
    app.config["VOTESYS_NOW"] = "2026-12-05T03:59:00"  # the vote opens a minute "earlier"
    assert _open(api, vid, {"time_limit_minutes": 10}).status_code == 200
    _, state, _ = stream.next()
    assert state["vote"] == vid
    # the deadline is 04:09 by the clock the vote was opened with; the stream's clock began
    # at 04:00 and has moved on only by the real time passed: about 540 s left
    assert 530 <= state["seconds_left"] <= 540
