"""The vote end to end through the JSON API: roles, states, ballots, results, runoffs, paper."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from tests.factories import PIN, paper_totals
from votesys.extensions import db
from votesys.voting.models import Ballot, RollEntry


@pytest.fixture
def hall(make_scenario, organiser, api):
    """9 deputies, 5 candidates, 3 places; organiser and every deputy hold tokens."""
    ids = make_scenario(deputies=9, candidates=5, seats=3)
    api.login("organiser", "organiser-pass")
    for code in ids["deputies"]:
        api.login(code, PIN)
    return ids


def check_in(api, ids, codes):
    for code in codes:
        r = api.post(
            f"/api/v1/sessions/{ids['session']}/attendance", {"deputy_code": code}, as_="organiser"
        )
        assert r.status_code == 201, r.get_json()


def open_vote(api, ids, key="main"):
    r = api.post(f"/api/v1/votes/{ids['votes'][key]}/open", as_="organiser")
    assert r.status_code == 200, r.get_json()
    return ids["votes"][key]


def cand(ids, n):
    return str(ids["candidates"][f"c{n}"])


def test_health_needs_no_login(client):
    r = client.get("/api/v1/health")
    assert r.status_code == 200 and r.get_json() == {"status": "ok"}


def test_token_for_organiser_and_deputy(hall, api):
    r = api.post("/api/v1/auth/token", {"login": "D0001", "password": PIN})
    assert r.status_code == 201 and r.get_json()["role"] == "deputy"
    r = api.post("/api/v1/auth/token", {"login": "D0001", "password": "000000"})
    assert r.status_code == 401 and r.get_json()["error"] == "bad_credentials"
    r = api.post("/api/v1/auth/token", {"login": "organiser", "password": "organiser-pass"})
    assert r.get_json()["role"] == "organiser"


def test_quorum_is_live_and_refuses_opening(hall, api):
    sid = hall["session"]
    check_in(api, hall, ["D0001", "D0002", "D0003", "D0004", "D0005"])
    q = api.get(f"/api/v1/sessions/{sid}/quorum", as_="organiser").get_json()
    assert q == {"total": 9, "present": 5, "required": 6, "met": False}
    r = api.post(f"/api/v1/votes/{hall['votes']['main']}/open", as_="organiser")
    assert r.status_code == 409 and r.get_json()["error"] == "quorum_not_met"
    assert "5" in r.get_json()["message"] and "6" in r.get_json()["message"]
    check_in(api, hall, ["D0006"])
    assert api.get(f"/api/v1/sessions/{sid}/quorum", as_="organiser").get_json()["met"] is True
    r = api.delete(f"/api/v1/sessions/{sid}/attendance/D0006", as_="organiser")
    body = r.get_json()
    assert r.status_code == 200 and body["checked_in"] is False
    assert body["quorum"] == {"total": 9, "present": 5, "required": 6, "met": False}


def test_deputies_cannot_check_themselves_in(hall, api):
    r = api.post(
        f"/api/v1/sessions/{hall['session']}/attendance", {"deputy_code": "D0001"}, as_="D0001"
    )
    assert r.status_code == 403
    r = api.post(f"/api/v1/sessions/{hall['session']}/attendance", {"deputy_code": "D0001"})
    assert r.status_code == 401


def test_full_cycle(hall, api, client):
    check_in(api, hall, [f"D{i:04d}" for i in range(1, 10)])
    vid = open_vote(api, hall)
    plan = {  # deputy -> choices
        "D0001": {cand(hall, 1): "for", cand(hall, 2): "for", cand(hall, 3): "against"},
        "D0002": {cand(hall, 1): "for", cand(hall, 2): "for", cand(hall, 4): "for"},
        "D0003": {cand(hall, 1): "for", cand(hall, 2): "for"},
        "D0004": {cand(hall, 1): "for", cand(hall, 2): "for"},
        "D0005": {cand(hall, 1): "for", cand(hall, 3): "for"},
        "D0006": {cand(hall, 1): "abstain", cand(hall, 5): "for"},
    }
    for code, choices in plan.items():
        r = api.post(f"/api/v1/votes/{vid}/ballots", {"choices": choices}, as_=code)
        assert r.status_code == 201, r.get_json()
        assert len(r.get_json()["receipt"]) == 11
    state = api.get(f"/api/v1/votes/{vid}", as_="D0009").get_json()
    assert state["ballots_cast"] == 6 and state["state"] == "open"
    assert [c["id"] for c in state["candidates"]] == [int(cand(hall, n)) for n in range(1, 6)]
    # results are not visible before closing, nor to the public before publication
    assert api.get(f"/api/v1/votes/{vid}/result", as_="organiser").status_code == 409
    assert client.get(f"/api/v1/votes/{vid}/result").status_code == 403
    r = api.post(f"/api/v1/votes/{vid}/close", as_="organiser")
    assert r.status_code == 200
    assert client.get(f"/api/v1/votes/{vid}/result").status_code == 403
    result = api.get(f"/api/v1/votes/{vid}/result", as_="organiser").get_json()
    assert result["total_deputies"] == 9 and result["threshold"] == 5 and result["ballots"] == 6
    rows = {str(c["id"]): c for c in result["candidates"]}
    c1, c2, c3 = rows[cand(hall, 1)], rows[cand(hall, 2)], rows[cand(hall, 3)]
    assert (c1["for"], c1["against"], c1["abstain"], c1["not_voted"]) == (5, 0, 1, 3)
    assert c1["passed"] and c1["rank"] == 1 and c1["approved"]
    assert (c2["for"], c2["passed"], c2["rank"], c2["approved"]) == (4, False, None, False)
    assert (c3["for"], c3["against"], c3["abstain"]) == (1, 1, 4)
    assert result["runoff_needed"] is False
    assert api.post(f"/api/v1/votes/{vid}/publish", as_="organiser").status_code == 200
    public = client.get(f"/api/v1/votes/{vid}/result")
    assert public.status_code == 200 and public.get_json()["state"] == "published"
    assert client.get(f"/api/v1/votes/{vid}").status_code == 200


def test_cannot_vote_twice_and_retry_gets_first_answer(hall, api):
    check_in(api, hall, [f"D{i:04d}" for i in range(1, 10)])
    vid = open_vote(api, hall)
    body = {"choices": {cand(hall, 1): "for"}}
    first = api.post(
        f"/api/v1/votes/{vid}/ballots",
        body,
        as_="D0001",
        headers={"Idempotency-Key": "tablet-7-attempt"},
    )
    assert first.status_code == 201
    retry = api.post(
        f"/api/v1/votes/{vid}/ballots",
        body,
        as_="D0001",
        headers={"Idempotency-Key": "tablet-7-attempt"},
    )
    assert retry.status_code == 201 and retry.get_json() == first.get_json()
    again = api.post(
        f"/api/v1/votes/{vid}/ballots", body, as_="D0001", headers={"Idempotency-Key": "another"}
    )
    assert again.status_code == 409 and again.get_json()["error"] == "already_voted"
    plain = api.post(f"/api/v1/votes/{vid}/ballots", body, as_="D0001")
    assert plain.status_code == 409
    assert db.session.query(Ballot).count() == 1
    assert db.session.query(RollEntry).count() == 1


def test_refusals_store_nothing(make_scenario, organiser, api):
    ids = make_scenario(deputies=9, candidates=3, seats=2, terminated=1)
    api.login("organiser", "organiser-pass")
    for code in ("D0001", "D0008", "D0009"):
        api.login(code, PIN)
    vid = ids["votes"]["main"]
    c1 = str(ids["candidates"]["c1"])
    # not open
    r = api.post(f"/api/v1/votes/{vid}/ballots", {"choices": {c1: "for"}}, as_="D0001")
    assert r.status_code == 409 and r.get_json()["error"] == "vote_not_open"
    check_in(api, ids, [f"D{i:04d}" for i in range(1, 8)])
    # a terminated deputy cannot be checked in
    r = api.post(
        f"/api/v1/sessions/{ids['session']}/attendance", {"deputy_code": "D0009"}, as_="organiser"
    )
    assert r.status_code == 409
    open_vote(api, ids)
    r = api.post(f"/api/v1/votes/{vid}/ballots", {"choices": {c1: "for"}}, as_="D0009")
    assert r.status_code == 403 and r.get_json()["error"] == "mandate_not_current"
    r = api.post(f"/api/v1/votes/{vid}/ballots", {"choices": {c1: "for"}}, as_="D0008")
    assert r.status_code == 403 and r.get_json()["error"] == "not_checked_in"
    r = api.post(f"/api/v1/votes/{vid}/ballots", {"choices": {c1: "for"}}, as_="organiser")
    assert r.status_code == 403
    assert db.session.query(Ballot).count() == 0
    assert db.session.query(RollEntry).count() == 0


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        (b"{not json", 400, "bad_json"),
        (b"[1, 2]", 400, "bad_json"),
        (b'"text"', 400, "bad_json"),
        (b"\xff\xfe", 400, "bad_json"),
        (b'{"choices": []}', 422, "invalid"),
        (b'{"choices": {"999999": "for"}}', 422, "unknown_candidate"),
        (b'{"choices": {"abc": "for"}}', 422, "unknown_candidate"),
        (b'{"choices": {"C1": "yes"}}', 422, "bad_choice"),
        (b'{"choices": {"C1": ["for"]}}', 422, "bad_choice"),
        (b'{"choices": {"C1": "for", "C2": "for", "C3": "for", "C4": "for"}}', 422, "too_many_for"),
        (b'{"choices": {"C1": "for"}, "x": "' + b"a" * 70000 + b'"}', 413, "too_large"),
        (b"[" * 5000 + b"]" * 5000, 400, "bad_json"),
    ],
)
def test_bad_ballot_input_is_a_clear_4xx(hall, api, payload, status, code):
    check_in(api, hall, [f"D{i:04d}" for i in range(1, 10)])
    vid = open_vote(api, hall)
    for n in range(1, 6):
        payload = payload.replace(f"C{n}".encode(), cand(hall, n).encode())
    r = api.client.post(
        f"/api/v1/votes/{vid}/ballots",
        data=payload,
        content_type="application/json",
        headers={"Authorization": f"Bearer {api.tokens['D0001']}"},
    )
    assert r.status_code == status, r.get_data(as_text=True)
    assert r.get_json()["error"] == code and r.get_json()["message"]
    assert db.session.query(Ballot).count() == 0
    assert db.session.query(RollEntry).count() == 0


def test_unknown_token_and_roles(hall, api, client):
    r = client.post(
        f"/api/v1/votes/{hall['votes']['main']}/open", headers={"Authorization": "Bearer nope"}
    )
    assert r.status_code == 401 and r.get_json()["error"] == "token_expired"
    r = api.post(f"/api/v1/votes/{hall['votes']['main']}/open", as_="D0001")
    assert r.status_code == 403
    assert client.get("/api/v1/votes/999999").status_code == 404
    assert client.get(f"/api/v1/votes/{hall['votes']['main']}").status_code == 401


def test_state_machine(hall, api):
    vid = hall["votes"]["main"]
    check_in(api, hall, [f"D{i:04d}" for i in range(1, 10)])
    assert api.post(f"/api/v1/votes/{vid}/close", as_="organiser").status_code == 409
    assert api.post(f"/api/v1/votes/{vid}/publish", as_="organiser").status_code == 409
    open_vote(api, hall)
    assert api.post(f"/api/v1/votes/{vid}/open", as_="organiser").status_code == 409
    assert api.post(f"/api/v1/votes/{vid}/publish", as_="organiser").status_code == 409
    assert api.post(f"/api/v1/votes/{vid}/close", as_="organiser").status_code == 200
    r = api.post(f"/api/v1/votes/{vid}/ballots", {"choices": {}}, as_="D0001")
    assert r.status_code == 409 and r.get_json()["error"] == "vote_not_open"
    assert api.post(f"/api/v1/votes/{vid}/publish", as_="organiser").status_code == 200
    assert api.post(f"/api/v1/votes/{vid}/close", as_="organiser").status_code == 409


def test_equal_votes_below_the_threshold_need_no_runoff(make_scenario, organiser, api):
    ids = make_scenario(deputies=6, candidates=4, seats=2)
    api.login("organiser", "organiser-pass")
    codes = list(ids["deputies"])
    for code in codes:
        api.login(code, PIN)
    check_in(api, ids, codes)
    vid = open_vote(api, ids)
    c = [str(ids["candidates"][f"c{n}"]) for n in range(1, 5)]
    marks = [(c[0], c[1]), (c[0], c[1]), (c[0], c[1]), (c[0], c[2]), (c[0], c[2]), (c[0], c[2])]
    for code, (a, b) in zip(codes, marks, strict=True):
        r = api.post(f"/api/v1/votes/{vid}/ballots", {"choices": {a: "for", b: "for"}}, as_=code)
        assert r.status_code == 201
    # c2 and c3 have 3 each, below the threshold of 4 (more than half of 6): no runoff
    result = api.post(f"/api/v1/votes/{vid}/close", as_="organiser").get_json()
    rows = {str(x["id"]): x for x in result["candidates"]}
    assert rows[c[0]]["approved"] and rows[c[1]]["for"] == 3 == rows[c[2]]["for"]
    assert not rows[c[1]]["passed"] and result["runoff_needed"] is False


def test_runoff_created_for_places_left(make_scenario, organiser, api):
    ids = make_scenario(deputies=6, candidates=4, seats=2, base="none")
    api.login("organiser", "organiser-pass")
    codes = list(ids["deputies"])
    for code in codes:
        api.login(code, PIN)
    check_in(api, ids, codes)
    vid = open_vote(api, ids)
    c = [str(ids["candidates"][f"c{n}"]) for n in range(1, 5)]
    marks = [(c[0], c[1]), (c[0], c[1]), (c[0], c[1]), (c[0], c[2]), (c[0], c[2]), (c[0], c[2])]
    for code, (a, b) in zip(codes, marks, strict=True):
        api.post(f"/api/v1/votes/{vid}/ballots", {"choices": {a: "for", b: "for"}}, as_=code)
    result = api.post(f"/api/v1/votes/{vid}/close", as_="organiser").get_json()
    rows = {str(x["id"]): x for x in result["candidates"]}
    assert rows[c[0]]["approved"] and rows[c[1]]["tied"] and rows[c[2]]["tied"]
    assert result["runoff_needed"] is True and result["places_left"] == 1
    runoff = api.post(f"/api/v1/votes/{vid}/runoff", as_="organiser")
    assert runoff.status_code == 201
    rv = runoff.get_json()
    assert rv["seats"] == 1 and rv["max_for"] == 1 and rv["base"] == "none"
    assert sorted(x["id"] for x in rv["candidates"]) == sorted([int(c[1]), int(c[2])])
    assert api.post(f"/api/v1/votes/{vid}/runoff", as_="organiser").status_code == 409
    r = api.post(f"/api/v1/votes/{rv['id']}/open", as_="organiser")
    assert r.status_code == 200
    for code in codes[:4]:
        api.post(f"/api/v1/votes/{rv['id']}/ballots", {"choices": {c[2]: "for"}}, as_=code)
    final = api.post(f"/api/v1/votes/{rv['id']}/close", as_="organiser").get_json()
    won = [x for x in final["candidates"] if x["approved"]]
    assert [x["id"] for x in won] == [int(c[2])]
    assert final["runoff_needed"] is False
    parent = api.get(f"/api/v1/votes/{vid}/result", as_="organiser").get_json()
    assert parent["runoff_vote"] == rv["id"]


def test_approval_ballot(make_scenario, organiser, api):
    ids = make_scenario(deputies=3, candidates=3, seats=1, style="approval")
    api.login("organiser", "organiser-pass")
    codes = list(ids["deputies"])
    for code in codes:
        api.login(code, PIN)
    check_in(api, ids, codes)
    vid = open_vote(api, ids)
    c1, c2 = str(ids["candidates"]["c1"]), str(ids["candidates"]["c2"])
    r = api.post(f"/api/v1/votes/{vid}/ballots", {"choices": {c1: "against"}}, as_=codes[0])
    assert r.status_code == 422 and r.get_json()["error"] == "approval_for_only"
    r = api.post(f"/api/v1/votes/{vid}/ballots", {"choices": {c1: "for", c2: "for"}}, as_=codes[0])
    assert r.status_code == 422 and r.get_json()["error"] == "too_many_for"
    for code in codes[:2]:
        assert (
            api.post(f"/api/v1/votes/{vid}/ballots", {"choices": {c1: "for"}}, as_=code).status_code
            == 201
        )
    result = api.post(f"/api/v1/votes/{vid}/close", as_="organiser").get_json()
    row = next(x for x in result["candidates"] if str(x["id"]) == c1)
    assert (row["for"], row["against"], row["abstain"], row["approved"]) == (2, 0, 0, True)


def test_paper_vote(make_scenario, organiser, api):
    ids = make_scenario(deputies=9, candidates=2, seats=1, mode="paper")
    api.login("organiser", "organiser-pass")
    api.login("D0001", PIN)
    check_in(api, ids, [f"D{i:04d}" for i in range(1, 9)])
    vid = open_vote(api, ids)
    c1, c2 = str(ids["candidates"]["c1"]), str(ids["candidates"]["c2"])
    r = api.post(f"/api/v1/votes/{vid}/ballots", {"choices": {c1: "for"}}, as_="D0001")
    assert r.status_code == 409 and r.get_json()["error"] == "paper_vote"
    assert api.post(f"/api/v1/votes/{vid}/close", as_="organiser").status_code == 409
    mismatch = paper_totals(c1, c2, c1_for=6)
    r = api.post(f"/api/v1/votes/{vid}/paper", mismatch, as_="organiser")
    assert r.status_code == 422 and "c" in r.get_json()["field"]
    assert api.get(f"/api/v1/votes/{vid}", as_="organiser").get_json()["state"] == "open"
    good = paper_totals(c1, c2)
    result = api.post(f"/api/v1/votes/{vid}/paper", good, as_="organiser").get_json()
    row = next(x for x in result["candidates"] if str(x["id"]) == c1)
    # 9 current deputies: 5 "for" passes (more than 4.5)
    assert result["threshold"] == 5 and row["passed"] and row["approved"]
    assert result["valid_ballots"] == 7 and result["ballots"] == 8
    assert result["paper"] == {"issued": 8, "returned": 8, "invalid": 1}


def test_paper_vote_void_when_more_returned_than_issued(make_scenario, organiser, api):
    ids = make_scenario(deputies=9, candidates=1, seats=1, mode="paper")
    api.login("organiser", "organiser-pass")
    check_in(api, ids, [f"D{i:04d}" for i in range(1, 9)])
    vid = open_vote(api, ids)
    c1 = str(ids["candidates"]["c1"])
    body = {
        "issued": 7,
        "returned": 8,
        "invalid": 0,
        "candidates": {c1: {"for": 8, "against": 0, "abstain": 0}},
    }
    result = api.post(f"/api/v1/votes/{vid}/paper", body, as_="organiser").get_json()
    assert result["void"] == "returned_exceeds_issued" and result["state"] == "closed"
    assert result["candidates"][0]["approved"] is None
    assert result["candidates"][0]["not_voted"] is None
    closed = api.post(f"/api/v1/votes/{vid}/paper", {"issued": "x"}, as_="organiser")
    assert closed.status_code == 409


def test_paper_totals_input_errors(make_scenario, organiser, api):
    ids = make_scenario(deputies=3, candidates=1, seats=1, mode="paper")
    api.login("organiser", "organiser-pass")
    check_in(api, ids, list(ids["deputies"]))
    vid = ids["votes"]["main"]
    early = api.post(f"/api/v1/votes/{vid}/paper", {"issued": "x"}, as_="organiser")
    assert early.status_code == 409
    open_vote(api, ids)
    c1 = str(ids["candidates"]["c1"])
    for body in [
        {"issued": "x"},
        {"issued": -1, "returned": 0},
        {"issued": True},
        {"issued": 3, "returned": 3, "candidates": []},
        {"issued": 3, "returned": 3, "candidates": {c1: 5}},
        {"issued": 3, "returned": 3, "candidates": {"77": {"for": 3}}},
        {"issued": 3, "returned": 3, "invalid": 4, "candidates": {c1: {"for": 3}}},
    ]:
        r = api.post(f"/api/v1/votes/{vid}/paper", body, as_="organiser")
        assert r.status_code == 422, (body, r.get_json())
    assert api.get(f"/api/v1/votes/{vid}", as_="organiser").get_json()["state"] == "open"


def test_openapi_served(client):
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/votes/{vote_id}/ballots" in spec["paths"]


def test_organisers_are_scoped_to_their_jurisdiction(app, make_scenario, api):
    from votesys.auth.services import create_user

    county = make_scenario(deputies=3, jurisdiction="430212")
    town = make_scenario(deputies=3, jurisdiction="430212105", parent="430212", code_prefix="T")
    other = make_scenario(deputies=3, jurisdiction="430211", code_prefix="O")
    create_user("county", "county-pass", "organiser", jurisdiction_id=county["jurisdiction"])
    create_user("town", "town-pass-1", "organiser", jurisdiction_id=town["jurisdiction"])
    db.session.commit()
    api.login("county", "county-pass")
    api.login("town", "town-pass-1")
    quorum = "/api/v1/sessions/{}/quorum"
    assert api.get(quorum.format(town["session"]), as_="county").status_code == 200
    assert api.get(quorum.format(county["session"]), as_="county").status_code == 200
    r = api.get(quorum.format(other["session"]), as_="county")
    assert r.status_code == 403 and r.get_json()["error"] == "out_of_scope"
    assert api.get(quorum.format(town["session"]), as_="town").status_code == 200
    assert api.get(quorum.format(county["session"]), as_="town").status_code == 403
    r = api.post(f"/api/v1/votes/{county['votes']['main']}/open", as_="town")
    assert r.status_code == 403
    r = api.post(
        f"/api/v1/sessions/{county['session']}/attendance", {"deputy_code": "D0001"}, as_="town"
    )
    assert r.status_code == 403


def test_a_deputy_checked_in_after_opening_cannot_vote_in_that_vote(hall, api):
    check_in(api, hall, [f"D{i:04d}" for i in range(1, 7)])
    vid = open_vote(api, hall)
    check_in(api, hall, ["D0007"])  # arrives late
    body = {"choices": {cand(hall, 1): "for"}}
    late = api.post(f"/api/v1/votes/{vid}/ballots", body, as_="D0007")
    assert late.status_code == 403 and late.get_json()["error"] == "checked_in_after_opening"
    for i in range(1, 7):
        assert api.post(f"/api/v1/votes/{vid}/ballots", body, as_=f"D{i:04d}").status_code == 201
    result = api.post(f"/api/v1/votes/{vid}/close", as_="organiser").get_json()
    assert result["ballots"] == 6 <= result["present"] == 6  # the record's counts hold


def test_deputy_codes_are_matched_without_regard_to_case(hall, api):
    r = api.post("/api/v1/auth/token", {"login": "d0001", "password": PIN})
    assert r.status_code == 201 and r.get_json()["role"] == "deputy"


def test_the_database_refuses_a_second_runoff_or_a_second_open_vote(
    make_scenario, organiser, api, monkeypatch
):
    """When two clicks race past the services' checks, the database holds the line."""
    from votesys.voting import services
    from votesys.voting.models import Vote

    ids = make_scenario(deputies=6, candidates=4, seats=2, base="none")
    api.login("organiser", "organiser-pass")
    api.seat_everyone(ids)
    vid = open_vote(api, ids)
    c = [str(ids["candidates"][f"c{n}"]) for n in range(1, 5)]
    for code, pair in zip(ids["deputies"], [(0, 1)] * 3 + [(0, 2)] * 3, strict=True):
        api.post(
            f"/api/v1/votes/{vid}/ballots",
            {"choices": {c[pair[0]]: "for", c[pair[1]]: "for"}},
            as_=code,
        )
    api.post(f"/api/v1/votes/{vid}/close", as_="organiser")
    assert api.post(f"/api/v1/votes/{vid}/runoff", as_="organiser").status_code == 201
    monkeypatch.setattr(services, "runoff_of", lambda vote: None)  # the race's window
    second = api.post(f"/api/v1/votes/{vid}/runoff", as_="organiser")
    assert second.status_code == 409 and second.get_json()["error"] == "conflict"
    assert db.session.query(Vote).filter(Vote.runoff_of_id == vid).count() == 1
    # two open votes in one session
    extra = services.create_vote(
        db.session.get(Vote, vid).session,
        title="补充",
        candidate_ids=[int(c[0])],
        seats=1,
        max_for=1,
    )
    runoff = db.session.query(Vote).filter(Vote.runoff_of_id == vid).one()
    runoff.state = extra.state = "open"
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("value", ["²", "--5", "٣", "1e3", " ", "99999999999"])
def test_paper_numbers_must_be_plain_digits(make_scenario, organiser, api, value):
    ids = make_scenario(deputies=3, candidates=1, seats=1, mode="paper")
    api.login("organiser", "organiser-pass")
    check_in(api, ids, list(ids["deputies"]))
    vid = open_vote(api, ids)
    c1 = str(ids["candidates"]["c1"])
    body = {"issued": value, "returned": 3, "candidates": {c1: {"for": 3}}}
    r = api.post(f"/api/v1/votes/{vid}/paper", body, as_="organiser")
    assert r.status_code == 422, r.get_json()


def test_huge_ids_are_not_found(client):
    for url in (
        "/hall/99999999999999999999",
        "/api/v1/votes/99999999999999999999",
        "/votes/99999999999999999999/result.json",
    ):
        assert client.get(url).status_code == 404, url


def test_every_api_route_is_in_the_openapi_file(app, client):
    spec = client.get("/api/openapi.json").get_json()
    documented = {
        (path, method.upper())
        for path, item in spec["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = rule.rule
        for arg in rule.arguments:
            path = path.replace(f"<int:{arg}>", f"{{{arg}}}").replace(f"<{arg}>", f"{{{arg}}}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if (path, method) not in documented:
                missing.append(f"{method} {path}")
    assert not missing, missing


def test_a_candidate_is_named_one_way_and_once(hall, api, client):
    """A key like "0039" is not candidate 39, and a ballot may not name one key twice."""
    check_in(api, hall, [f"D{i:04d}" for i in range(1, 10)])
    vid = open_vote(api, hall)
    c1 = cand(hall, 1)
    for key in ("0" + c1, "+" + c1, c1 + " "):
        r = api.post(f"/api/v1/votes/{vid}/ballots", {"choices": {key: "for"}}, as_="D0001")
        assert r.status_code == 422 and r.get_json()["error"] == "unknown_candidate", key
    twice = f'{{"choices": {{"{c1}": "for", "{c1}": "against"}}}}'
    r = api.post(
        f"/api/v1/votes/{vid}/ballots",
        None,
        as_="D0001",
        data=twice,
        content_type="application/json",
    )
    assert r.status_code == 400 and r.get_json()["error"] == "duplicate_key"
    assert api.get(f"/api/v1/votes/{vid}", as_="D0001").get_json()["ballots_cast"] == 0


def test_a_paper_result_shows_its_invalid_ballots_so_each_row_adds_up(
    make_scenario, organiser, api, client
):
    """龙门镇's rows summed to 44 of 45: the invalid ballot was in 投票数 but in no column."""
    ids = make_scenario(deputies=9, candidates=2, seats=1, mode="paper")
    api.login("organiser", "organiser-pass")
    check_in(api, ids, [f"D{i:04d}" for i in range(1, 9)])
    vid = open_vote(api, ids)
    c1, c2 = str(ids["candidates"]["c1"]), str(ids["candidates"]["c2"])
    result = api.post(f"/api/v1/votes/{vid}/paper", paper_totals(c1, c2), as_="organiser")
    result = result.get_json()
    for row in result["candidates"]:
        marks = row["for"] + row["against"] + row["abstain"]
        assert marks + row["invalid"] + row["not_voted"] == result["total_deputies"]
        assert marks + row["invalid"] == result["ballots"]
    assert api.post(f"/api/v1/votes/{vid}/publish", as_="organiser").status_code == 200
    page = client.get(f"/votes/{vid}/announcement").get_data(as_text=True)
    assert '<th class="num">无效</th>' in page
    header, *rows = client.get(f"/votes/{vid}/result.csv").get_data(as_text=True).splitlines()
    assert header.lstrip("\ufeff").split(",")[4] == "无效"
    assert rows[0].split(",")[4] == "1"
