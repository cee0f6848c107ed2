"""Opinions end to end through the API: submission, the seven steps, tracking, feedback,
masking and encryption, merging into candidates, the deputy's record."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.factories import PIN
from tests.stations.conftest import NAME, PHONE, submit
from votesys.extensions import db
from votesys.stations.models import Opinion, OpinionStep


def opinion_count() -> int:
    return db.session.scalar(select(func.count(Opinion.id)))


def test_a_citizen_submits_and_follows_an_opinion(logged_in, county):
    api = logged_in
    response = submit(api, county["stations"]["north"])
    assert response.status_code == 201
    code = response.get_json()["tracking_code"]
    assert len(code) == 15 and code.count("-") == 2
    tracked = api.get(f"/api/v1/opinions/track/{code.lower()}").get_json()
    assert tracked["status"] == "received"
    assert tracked["station"] == "北街代表联络站"
    assert [s["step"] for s in tracked["steps"]] == ["received"]


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"category": "potholes"}, "category"),
        ({"category": None}, "category"),
        ({"content": ""}, "content"),
        ({"content": "   "}, "content"),
        ({"content": "长" * 20000}, "content"),
        ({"title": ""}, "title"),
        ({"title": 5}, "title"),
        ({"title": "路灯坏了\u0007\u001b[31m"}, "title"),
        ({"title": "\u202e程工路道"}, "title"),
        ({"content": "第一行\x0b第二行"}, "content"),
        ({"citizen_name": "张\x00三"}, "citizen_name"),
        ({"citizen_phone": "12345"}, "citizen_phone"),
        ({"citizen_phone": "139123456789"}, "citizen_phone"),
        ({"citizen_name": "名" * 51}, "citizen_name"),
        ({"station": 999999}, "station"),
        ({"station": "north"}, "station"),
        ({"station": None}, "station"),
        ({"station": True}, "station"),
        ({"jurisdiction": 430212}, "jurisdiction"),  # read even beside a station
    ],
)
def test_bad_submissions_are_refused_with_a_clear_message_and_store_nothing(
    logged_in, county, fields, field
):
    before = opinion_count()
    response = submit(logged_in, county["stations"]["north"], **fields)
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    assert body["field"] == field and body["message"]
    assert opinion_count() == before


def test_not_json_and_too_large_are_refused(logged_in, county):
    assert logged_in.client.post("/api/v1/opinions", data="x").status_code == 400
    response = submit(logged_in, county["stations"]["north"], place="地" * 70000)
    assert response.status_code == 413
    assert opinion_count() == 0


def test_anonymous_opinions_are_allowed(logged_in, county):
    response = submit(logged_in, county["stations"]["north"], citizen_name="", citizen_phone="")
    assert response.status_code == 201
    row = db.session.scalar(select(Opinion))
    assert row.citizen_name_enc is None and row.citizen_phone_enc is None


def test_online_submissions_are_rate_limited_per_client(app, logged_in, county):
    app.config["OPINION_RATE_LIMIT"] = "3 per minute"
    station = county["stations"]["north"]
    statuses = [submit(logged_in, station).status_code for _ in range(4)]
    assert statuses == [201, 201, 201, 429]
    response = submit(logged_in, station)
    assert response.get_json()["error"] == "rate_limited"
    other = logged_in.client.post(
        "/api/v1/opinions",
        json={"station": station, "title": "t", "content": "c", "category": "other"},
        environ_base={"REMOTE_ADDR": "10.1.2.3"},
    )
    assert other.status_code == 201
    assert opinion_count() == 4


def _step(api, opinion_id, as_, **body):
    return api.post(f"/api/v1/opinions/{opinion_id}/steps", body, as_=as_)


def _new(api, county) -> tuple[int, str]:
    code = submit(api, county["stations"]["north"]).get_json()["tracking_code"]
    opinion = db.session.scalar(select(Opinion).order_by(Opinion.id.desc()))
    return opinion.id, code


def test_staff_move_an_opinion_through_all_seven_steps(logged_in, county):
    api = logged_in
    oid, code = _new(api, county)
    assert _step(api, oid, "staff_n", to="registered", note="已登记").status_code == 201
    # Handling needs a classification and, for a township matter, the handling unit.
    refused = _step(api, oid, "staff_n", to="handling")
    assert refused.status_code == 422 and refused.get_json()["field"] == "route"
    refused = _step(api, oid, "staff_n", to="handling", route="township_ordinary")
    assert refused.status_code == 422 and refused.get_json()["field"] == "unit"
    moved = _step(
        api, oid, "staff_n", to="handling", route="township_ordinary", unit="城关镇政府办"
    ).get_json()
    assert moved["due"] == "2026-12-05"  # 15 days from hand-over (2026-11-20)
    assert _step(api, oid, "staff_n", to="supervised", note="已督办").status_code == 201
    refused = _step(api, oid, "staff_n", to="replied", note="")
    assert refused.status_code == 422 and refused.get_json()["field"] == "note"
    assert (
        _step(api, oid, "staff_n", to="replied", note="路灯已于11月18日修复。").status_code == 201
    )
    tracked = api.get(f"/api/v1/opinions/track/{code}").get_json()
    assert tracked["reply"] == "路灯已于11月18日修复。"
    feedback = api.post(f"/api/v1/opinions/track/{code}/feedback", {"feedback": "satisfied"})
    assert feedback.status_code == 200 and feedback.get_json()["status"] == "feedback"
    assert _step(api, oid, "staff_n", to="archived", note="办结").status_code == 201
    tracked = api.get(f"/api/v1/opinions/track/{code}").get_json()
    assert [s["step"] for s in tracked["steps"]] == [
        "received",
        "registered",
        "handling",
        "supervised",
        "replied",
        "feedback",
        "archived",
    ]
    steps = db.session.scalars(select(OpinionStep).where(OpinionStep.opinion_id == oid)).all()
    assert [s.actor for s in steps] == ["citizen"] + ["user:staff_n"] * 4 + [
        "citizen",
        "user:staff_n",
    ]
    assert steps[1].note == "已登记"


@pytest.mark.parametrize(
    "target",
    ["handling", "supervised", "replied", "feedback", "archived", "received", "bogus", None, 3],
)
def test_a_move_that_skips_or_goes_back_is_refused_and_stores_nothing(logged_in, county, target):
    api = logged_in
    oid, _ = _new(api, county)
    before = db.session.scalar(select(func.count(OpinionStep.id)))
    response = _step(
        api,
        oid,
        "staff_n",
        to=target,
        route="township_ordinary",
        unit="镇政府",
        note="x",
        feedback="satisfied",
    )
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["message"]
    db.session.expire_all()
    assert db.session.get(Opinion, oid).status == "received"
    assert db.session.scalar(select(func.count(OpinionStep.id))) == before


def _to_replied(api, oid, **handling):
    handling = handling or {"route": "township_ordinary", "unit": "镇政府办"}
    assert _step(api, oid, "staff_n", to="registered").status_code == 201
    assert _step(api, oid, "staff_n", to="handling", **handling).status_code == 201
    assert _step(api, oid, "staff_n", to="supervised").status_code == 201
    assert _step(api, oid, "staff_n", to="replied", note="已答复").status_code == 201


def test_unsatisfied_feedback_sends_the_opinion_back_to_handling(logged_in, county):
    api = logged_in
    oid, code = _new(api, county)
    early = api.post(f"/api/v1/opinions/track/{code}/feedback", {"feedback": "unsatisfied"})
    assert early.status_code == 422
    _to_replied(api, oid)
    bad = api.post(f"/api/v1/opinions/track/{code}/feedback", {"feedback": "meh"})
    assert bad.status_code == 422 and bad.get_json()["field"] == "feedback"
    tracked = api.post(
        f"/api/v1/opinions/track/{code}/feedback", {"feedback": "unsatisfied"}
    ).get_json()
    assert tracked["status"] == "handling"
    assert tracked["steps"][-1]["reopened"] is True
    assert _step(api, oid, "staff_n", to="archived").status_code == 422
    assert _step(api, oid, "staff_n", to="supervised").status_code == 201


def test_a_matter_not_accepted_is_closed_with_its_reason(logged_in, county):
    api = logged_in
    oid, code = _new(api, county)
    _step(api, oid, "staff_n", to="registered")
    refused = _step(api, oid, "staff_n", to="handling", route="not_accepted")
    assert refused.get_json()["field"] == "reason"
    assert (
        _step(
            api, oid, "staff_n", to="handling", route="not_accepted", reason="该纠纷已由法院受理。"
        ).status_code
        == 201
    )
    assert _step(api, oid, "staff_n", to="supervised").status_code == 422
    assert _step(api, oid, "staff_n", to="archived").status_code == 201
    tracked = api.get(f"/api/v1/opinions/track/{code}").get_json()
    assert tracked["status"] == "archived"
    assert tracked["not_accepted_reason"] == "该纠纷已由法院受理。"


def test_a_county_matter_becomes_a_deputies_suggestion_with_signers(logged_in, county):
    api = logged_in
    oid, _ = _new(api, county)
    _step(api, oid, "staff_n", to="registered")
    refused = _step(api, oid, "staff_n", to="handling", route="county_or_above")
    assert refused.get_json()["field"] == "signers"
    refused = _step(api, oid, "staff_n", to="handling", route="county_or_above", signers=["NOPE"])
    assert refused.get_json()["field"] == "signers"
    moved = _step(
        api, oid, "staff_n", to="handling", route="county_or_above", signers=["D0001", "D0002"]
    ).get_json()
    assert moved["due"] == "2027-02-20"  # three months from hand-over
    api.login("D0001", PIN)
    record = api.get("/api/v1/deputies/me/record", as_="D0001").get_json()
    assert [s["id"] for s in record["suggestions_signed"]] == [oid]


def test_overdue_opinions_are_flagged(app, logged_in, county):
    api = logged_in
    oid, _ = _new(api, county)
    _step(api, oid, "staff_n", to="registered")
    _step(
        api,
        oid,
        "staff_n",
        to="handling",
        route="township_ordinary",
        unit="镇政府办",
        due="2026-11-25",
    )
    assert _step(api, oid, "staff_n", to="supervised").get_json()["overdue"] is False
    app.config["VOTESYS_TODAY"] = "2026-11-26"
    stats = api.get(f"/api/v1/stations/{county['stations']['north']}/stats").get_json()
    assert stats["overdue"] == 1
    refused = _step(api, oid, "staff_n", to="replied", note="x", due="2026-11-01")
    assert refused.status_code == 201  # due is only read when handling starts


def test_due_before_hand_over_is_refused(logged_in, county):
    oid, _ = _new(logged_in, county)
    _step(logged_in, oid, "staff_n", to="registered")
    refused = _step(
        logged_in,
        oid,
        "staff_n",
        to="handling",
        route="township_ordinary",
        unit="镇政府办",
        due="2026-11-19",
    )
    assert refused.status_code == 422 and refused.get_json()["field"] == "due"
    refused = _step(
        logged_in,
        oid,
        "staff_n",
        to="handling",
        route="township_ordinary",
        unit="镇政府办",
        due="next week",
    )
    assert refused.status_code == 422 and refused.get_json()["field"] == "due"


def test_who_may_move_an_opinion(logged_in, county):
    api = logged_in
    oid, _ = _new(api, county)
    assert _step(api, oid, None, to="registered").status_code == 401
    assert _step(api, oid, "staff_s", to="registered").status_code == 403
    api.login("D0001", PIN)
    assert _step(api, oid, "D0001", to="registered").status_code == 403
    assert _step(api, oid, "organiser", to="registered").status_code == 201


def test_personal_data_is_encrypted_at_rest(app, logged_in, county, database_url):
    submit(logged_in, county["stations"]["north"])
    raw = db.session.execute(select(Opinion.citizen_name_enc, Opinion.citizen_phone_enc)).one()
    assert PHONE.encode() not in raw[1] and NAME.encode("utf-8") not in raw[0]
    if not database_url:  # the SQLite file itself, with its write-ahead log
        db.session.remove()
        db.engine.dispose()
        path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
        blob = b"".join(
            open(p, "rb").read() for p in (path, path + "-wal") if __import__("os").path.exists(p)
        )
        assert PHONE.encode() not in blob
        assert NAME.encode("utf-8") not in blob
        assert "北街路灯坏了".encode() in blob  # the check can see what is stored


def test_the_data_key_is_generated_once_and_private(app, logged_in, county):
    import os

    from votesys import personal

    submit(logged_in, county["stations"]["north"])
    path = personal.key_file()
    assert path.exists() and (os.stat(path).st_mode & 0o777) == 0o600


def test_data_key_rotation_reencrypts_everything(app, logged_in, county, runner):
    from votesys import personal

    submit(logged_in, county["stations"]["north"])
    old_key = personal.key_file().read_text().split()[0]
    before = db.session.scalar(select(Opinion.citizen_phone_enc))
    result = runner.invoke(args=["data-key", "rotate"])
    assert result.exit_code == 0, result.output
    keys = personal.key_file().read_text().split()
    assert keys and old_key not in keys
    db.session.expire_all()
    row = db.session.scalar(select(Opinion))
    assert row.citizen_phone_enc != before
    assert personal.decrypt(row.citizen_phone_enc) == PHONE


def test_only_the_holding_stations_staff_see_personal_data_whole(logged_in, county):
    api = logged_in
    oid, code = _new(api, county)
    staff = api.get(f"/api/v1/opinions/{oid}", as_="staff_n").get_json()
    assert staff["citizen"] == {"name": NAME, "phone": PHONE, "masked": False}
    organiser = api.get(f"/api/v1/opinions/{oid}", as_="organiser").get_json()
    assert organiser["citizen"] == {"name": "李**", "phone": "139****5678", "masked": True}
    assert api.get(f"/api/v1/opinions/{oid}", as_="staff_s").status_code == 403
    assert api.get(f"/api/v1/opinions/{oid}").status_code == 401


def test_opinions_merge_into_a_candidate_and_the_citizen_sees_it(logged_in, county):
    api = logged_in
    first, code = _new(api, county)
    second, _ = _new(api, county)
    response = api.post(
        "/api/v1/opinions/merge",
        {"opinions": [first, second], "session": county["session"], "title": "北街路灯改造"},
        as_="organiser",
    )
    assert response.status_code == 201, response.get_json()
    candidate = response.get_json()["candidate"]
    tracked = api.get(f"/api/v1/opinions/track/{code}").get_json()
    assert tracked["candidate"]["title"] == "北街路灯改造"
    assert tracked["candidate"]["id"] == candidate
    refused = api.post(
        "/api/v1/opinions/merge",
        {"opinions": [first], "session": county["session"], "title": "x"},
        as_="staff_s",
    )
    assert refused.status_code == 403
    reserve = api.post(
        "/api/v1/opinions/merge",
        {"opinions": [second], "reserve": True, "title": "南湖公园改造"},
        as_="staff_n",
    )
    assert reserve.status_code == 201


@pytest.mark.parametrize(
    "body, field",
    [
        ({"reserve": 0, "title": "北街路灯改造"}, "reserve"),
        ({"reserve": "yes", "title": "北街路灯改造"}, "reserve"),
        ({"candidate": 1, "title": 5}, "title"),  # read even when linking to a candidate
        ({"candidate": 1, "summary": "\x07"}, "summary"),
        ({"candidate": 1, "responsible_unit": "单" * 201}, "responsible_unit"),
    ],
)
def test_a_bad_merge_is_refused_by_name(logged_in, county, body, field):
    first, _ = _new(logged_in, county)
    response = logged_in.post(
        "/api/v1/opinions/merge", {"opinions": [first]} | body, as_="organiser"
    )
    assert response.status_code == 422 and response.get_json()["field"] == field


def test_no_public_answer_carries_personal_data(logged_in, county, client):
    api = logged_in
    oid, code = _new(api, county)
    north = county["stations"]["north"]
    _to_replied(api, oid)
    pages = [
        f"/api/v1/opinions/track/{code}",
        "/api/v1/stations",
        f"/api/v1/stations/{north}",
        f"/api/v1/stations/{north}/stats",
        "/api/v1/jurisdictions/430212/opinion-stats",
        "/stations",
        f"/stations/{north}",
        f"/track/{code}",
        "/opinions/new",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        assert PHONE not in body and NAME not in body, url
        assert "139****5678" not in body and "李*" not in body, url


def test_an_opinion_sent_to_a_jurisdiction_can_be_called_back_by_its_own_office(logged_in, county):
    from votesys.auth.services import create_user
    from votesys.congress.services import jurisdiction_by_code

    create_user(
        "org-county",
        "org-county-pass",
        "organiser",
        jurisdiction_id=jurisdiction_by_code("430212").id,
    )
    db.session.commit()
    api = logged_in
    api.login("org-county", "org-county-pass")
    r = submit(api, county["stations"]["north"], station=None, jurisdiction="430212")
    assert r.status_code == 201, r.get_json()
    oid = db.session.scalar(select(Opinion.id).where(Opinion.station_id.is_(None)))
    office = api.get(f"/api/v1/opinions/{oid}", as_="org-county").get_json()
    assert office["citizen"] == {"name": NAME, "phone": PHONE, "masked": False}
    # an organiser above it handles it, masked; station staff do not see it
    above = api.get(f"/api/v1/opinions/{oid}", as_="organiser").get_json()
    assert above["citizen"]["masked"] is True and PHONE not in str(above)
    assert api.get(f"/api/v1/opinions/{oid}", as_="staff_n").status_code == 403


def test_the_opinion_limit_is_one_budget_across_the_form_and_the_api(app, logged_in, county):
    app.config["OPINION_RATE_LIMIT"] = "3 per minute"
    station = county["stations"]["north"]
    assert [submit(logged_in, station).status_code for _ in range(2)] == [201, 201]
    form = {
        "station": str(station),
        "title": "路灯",
        "content": "北街路灯坏了",
        "category": "roads",
    }
    assert logged_in.client.post("/opinions/new", data=form).status_code in (201, 302)
    assert logged_in.client.post("/opinions/new", data=form).status_code == 429
    assert submit(logged_in, station).status_code == 429
    assert opinion_count() == 3


def test_with_many_stations_the_form_lists_those_of_the_chosen_station_s_place(
    app, client, county, monkeypatch
):
    """A province's thousands of stations are not listed on every form: the citizen comes
    from a station's page or QR poster (?station=), and the form offers that place's."""
    from votesys.congress.services import find_or_create_jurisdiction
    from votesys.stations import directory
    from votesys.stations.models import Station

    monkeypatch.setattr(directory, "MANY_STATIONS", 2)
    town = find_or_create_jurisdiction("4302129", "别的镇", "township", "430212")
    elsewhere = Station(jurisdiction_id=town.id, name="别的镇联络站")
    db.session.add(elsewhere)
    db.session.commit()
    north = county["stations"]["north"]
    page = client.get("/opinions/new").get_data(as_text=True)
    assert (
        'id="find-station"' in page and "别的镇联络站" not in page and "北街代表联络站" not in page
    )
    page = client.get(f"/opinions/new?station={north}").get_data(as_text=True)
    assert "北街代表联络站" in page and "南湖代表工作室" in page and "别的镇联络站" not in page
    page = client.get(f"/opinions/new?station={elsewhere.id}").get_data(as_text=True)
    assert "别的镇联络站" in page and "北街代表联络站" not in page
    form = {"title": "路灯", "content": "北街路灯坏了", "category": "roads"}
    for station in (north, elsewhere.id):
        sent = client.post("/opinions/new", data=form | {"station": str(station)})
        assert sent.status_code == 302, sent.get_data(as_text=True)
    for bad in ("999999", "9" * 30, ""):
        refused = client.post("/opinions/new", data=form | {"station": bad})
        assert refused.status_code == 422
    assert opinion_count() == 2
