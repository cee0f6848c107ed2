"""Item 19.2: QR posters of stations (联络站码) and deputies (代表码). The code is the URL of
the opinion form (checked against segno's own code of the expected URL); an opinion sent
from a deputy's poster lands on that deputy's desk and in their record (一人一档)."""

from __future__ import annotations

import segno
from sqlalchemy import select

from tests.factories import PIN
from votesys.congress.models import Deputy
from votesys.extensions import db
from votesys.stations.models import Opinion, OpinionDeputy

PUBLIC = "https://rd.example.cn"


def code_of(url: str) -> str:
    """segno's own SVG of ``url``, as the poster should carry it."""
    return segno.make(url, error="q").svg_inline(
        scale=4, title=url, omitsize=True, svgclass="poster-qr"
    )


def organiser(app):
    client = app.test_client()
    client.post("/login", data={"login": "organiser", "password": "organiser-pass"})
    return client


def test_a_station_poster_encodes_its_form_on_the_public_url(app, county):
    app.config["PUBLIC_URL"] = PUBLIC
    north = county["stations"]["north"]
    page = organiser(app).get(f"/desk/stations/{north}/poster")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    url = f"{PUBLIC}/opinions/new?station={north}"
    assert code_of(url) in html and "北街代表联络站" in html
    assert code_of(f"{PUBLIC}/opinions/new?station={county['stations']['south']}") not in html
    decoded = segno.make(url, error="q")
    assert decoded.designator.endswith("Q")  # quartile error correction: a wall gets dirty


def test_a_deputy_poster_encodes_the_form_addressed_to_them(app, county):
    app.config["PUBLIC_URL"] = PUBLIC
    north, d2 = county["stations"]["north"], county["deputies"]["D0002"]
    html = organiser(app).get(f"/desk/stations/{north}/deputies/{d2}/poster").get_data(as_text=True)
    assert code_of(f"{PUBLIC}/opinions/new?station={north}&deputy={d2}") in html
    # a deputy not stationed there has no poster there
    d4 = county["deputies"]["D0004"]
    assert organiser(app).get(f"/desk/stations/{north}/deputies/{d4}/poster").status_code == 404


def test_the_posters_list_and_station_page_link_every_poster(app, county):
    north, south = county["stations"]["north"], county["stations"]["south"]
    client = organiser(app)
    html = client.get("/desk/posters").get_data(as_text=True)
    assert f"/desk/stations/{north}/poster" in html and f"/desk/stations/{south}/poster" in html
    for code in ("D0001", "D0002", "D0003"):
        assert f"/desk/stations/{north}/deputies/{county['deputies'][code]}/poster" in html
    assert f"/desk/stations/{south}/deputies/{county['deputies']['D0004']}/poster" in html
    station = client.get(f"/desk/stations/{north}").get_data(as_text=True)
    assert f"/desk/stations/{north}/poster" in station
    assert f"/desk/stations/{north}/deputies/{county['deputies']['D0001']}/poster" in station


def test_station_staff_see_only_their_posters_and_a_deputy_only_their_own(app, client, county):
    north, south = county["stations"]["north"], county["stations"]["south"]
    client.post("/login", data={"login": "staff_s", "password": "staff-pass-s"})
    assert client.get(f"/desk/stations/{south}/poster").status_code == 200
    assert client.get(f"/desk/stations/{north}/poster").status_code == 403
    d1, d2 = county["deputies"]["D0001"], county["deputies"]["D0002"]
    assert client.get(f"/desk/stations/{north}/deputies/{d1}/poster").status_code == 403
    deputy = app.test_client()
    deputy.post("/tablet/login", data={"code": "D0001", "pin": PIN})
    assert deputy.get(f"/desk/stations/{north}/deputies/{d1}/poster").status_code == 200
    assert deputy.get(f"/desk/stations/{north}/deputies/{d2}/poster").status_code == 403
    assert deputy.get(f"/desk/stations/{north}/poster").status_code == 403
    assert f"/desk/stations/{north}/deputies/{d1}/poster" in deputy.get("/desk/me").get_data(
        as_text=True
    )


def test_an_opinion_from_a_deputys_poster_lands_on_their_desk_and_record(app, api, county):
    north, d2 = county["stations"]["north"], county["deputies"]["D0002"]
    citizen = app.test_client()
    form = citizen.get(f"/opinions/new?station={north}&deputy={d2}").get_data(as_text=True)
    assert 'id="addressed"' in form and "北街代表联络站" in form
    assert f'name="deputy" value="{d2}"' in form and 'id="station"' not in form
    r = citizen.post(
        "/opinions/new",
        data={
            "station": str(north),
            "deputy": str(d2),
            "category": "roads",
            "title": "南门桥栏杆松动",
            "content": "桥栏杆松了，孩子上学要经过。",
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    opinion = db.session.scalar(select(Opinion))
    assert opinion.station_id == north
    links = db.session.execute(select(OpinionDeputy.deputy_id, OpinionDeputy.role)).all()
    assert links == [(d2, "addressed")]
    api.login("D0002", PIN)
    record = api.get("/api/v1/deputies/me/record", as_="D0002").get_json()
    assert [o["title"] for o in record["opinions_addressed"]] == ["南门桥栏杆松动"]
    api.login("D0001", PIN)
    assert api.get("/api/v1/deputies/me/record", as_="D0001").get_json()["opinions_addressed"] == []
    deputy = app.test_client()
    deputy.post("/tablet/login", data={"code": "D0002", "pin": PIN})
    assert "南门桥栏杆松动" in deputy.get("/desk/me").get_data(as_text=True)
    staff = app.test_client()
    staff.post("/login", data={"login": "staff_n", "password": "staff-pass-n"})
    desk = staff.get(f"/desk/opinions/{opinion.id}").get_data(as_text=True)
    name = db.session.get(Deputy, d2).name
    assert 'id="citizen"' in desk and name in desk  # the deputy it is addressed to


def test_a_deputy_not_stationed_there_is_refused_and_nothing_stored(app, api, county):
    north, south = county["stations"]["north"], county["stations"]["south"]
    d4 = county["deputies"]["D0004"]
    body = {
        "station": north,
        "deputy": d4,
        "title": "x",
        "content": "y",
        "category": "roads",
    }
    for deputy in (d4, 999999, "abc", True, -1):
        r = api.post("/api/v1/opinions", {**body, "deputy": deputy})
        assert r.status_code == 422 and r.get_json()["field"] == "deputy", deputy
    r = api.post("/api/v1/opinions", {**body, "station": None, "jurisdiction": "430212"})
    assert r.status_code == 422
    assert db.session.scalar(select(Opinion.id)) is None
    r = api.post("/api/v1/opinions", {**body, "station": south})
    assert r.status_code == 201
    # the form's lock on a deputy not stationed at the station: the ordinary form
    form = app.test_client().get(f"/opinions/new?station={north}&deputy={d4}")
    assert 'id="addressed"' not in form.get_data(as_text=True)
