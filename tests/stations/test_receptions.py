"""Reception days: published at least three days ahead; deputies see their duties."""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories import PIN
from votesys.errors import InvalidInput
from votesys.extensions import db
from votesys.stations import permissions, receptions


@pytest.fixture
def north(county):
    return permissions.get_station(county["stations"]["north"])


@pytest.mark.parametrize(
    "day, allowed",
    [
        (date(2026, 11, 23), True),  # today 2026-11-20 is exactly three days before
        (date(2026, 11, 24), True),
        (date(2026, 11, 22), False),
        (date(2026, 11, 20), False),
        (date(2026, 11, 1), False),
    ],
)
def test_publishing_later_than_three_days_ahead_is_refused(north, day, allowed):
    reception = receptions.create_reception(north, day, ["D0001"])
    db.session.commit()
    if allowed:
        receptions.publish_reception(reception)
        assert reception.published_at is not None
    else:
        with pytest.raises(InvalidInput) as err:
            receptions.publish_reception(reception)
        assert err.value.code == "publish_too_late"
        assert "2026-11-" in err.value.message
        db.session.rollback()
        assert reception.published_at is None


def test_only_published_days_are_public(north, client):
    shown = receptions.create_reception(north, date(2026, 12, 10), ["D0001"], hours="9:00-11:30")
    receptions.publish_reception(shown)
    receptions.create_reception(north, date(2026, 12, 20), ["D0002"])
    db.session.commit()
    body = client.get(f"/api/v1/stations/{north.id}").get_json()
    assert [r["date"] for r in body["receptions"]] == ["2026-12-10"]
    assert body["receptions"][0]["deputies"] == ["代表1"]
    assert body["reception_days"] == [10, 20, 30]


@pytest.mark.parametrize(
    "codes, reason",
    [
        ([], "至少"),
        (["D0004"], "未在本联络站"),
        (["D0001", "D0001"], "重复"),
        (["NOBODY"], "没有编号"),
    ],
)
def test_reception_duties_must_be_stationed_deputies(north, codes, reason):
    with pytest.raises(InvalidInput) as err:
        receptions.create_reception(north, date(2026, 12, 10), codes)
    assert reason in str(err.value.params["reason"])  # in the default language, Chinese


def test_a_deputy_sees_their_own_duties_and_record(north, api, county, client):
    reception = receptions.create_reception(north, date(2026, 12, 10), ["D0001", "D0002"])
    receptions.publish_reception(reception)
    past = receptions.create_reception(north, date(2026, 11, 10), ["D0001"])
    receptions.publish_reception(past, on=date(2026, 11, 1))
    db.session.commit()
    api.login("D0001", PIN)
    record = api.get("/api/v1/deputies/me/record", as_="D0001").get_json()
    assert record["receptions_attended"] == 1
    assert [d["date"] for d in record["upcoming_duties"]] == ["2026-12-10"]
    api.login("D0003", PIN)
    assert api.get("/api/v1/deputies/me/record", as_="D0003").get_json()["upcoming_duties"] == []
    client.post("/tablet/login", data={"code": "D0001", "pin": PIN})
    page = client.get("/desk/me")
    assert page.status_code == 200 and "北街代表联络站" in page.get_data(as_text=True)


def test_stations_refuse_bad_set_up(county):
    node = permissions.get_station(county["stations"]["north"]).jurisdiction
    with pytest.raises(InvalidInput):
        receptions.create_station(node, "", "station")
    with pytest.raises(InvalidInput):
        receptions.create_station(node, "站", "castle")
    with pytest.raises(InvalidInput):
        receptions.create_station(node, "站", "station", reception_days=[0])


def test_station_staff_accounts_from_the_command_line(runner, county):
    north = county["stations"]["north"]
    ok = runner.invoke(
        args=[
            "create-user",
            "--role",
            "station_staff",
            "--station",
            str(north),
            "--login",
            "staff_x",
            "--password",
            "staff-pass-x",
        ]
    )
    assert ok.exit_code == 0, ok.output
    missing = runner.invoke(
        args=[
            "create-user",
            "--role",
            "station_staff",
            "--login",
            "staff_y",
            "--password",
            "staff-pass-y",
        ]
    )
    assert missing.exit_code != 0
    unknown = runner.invoke(
        args=[
            "create-user",
            "--role",
            "station_staff",
            "--station",
            "999999",
            "--login",
            "staff_z",
            "--password",
            "staff-pass-z",
        ]
    )
    assert unknown.exit_code != 0 and "Traceback" not in unknown.output
