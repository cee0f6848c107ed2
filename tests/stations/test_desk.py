"""The desk pages of the stations, as staff and organisers use them."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.stations.conftest import NAME, PHONE, submit
from votesys.extensions import db
from votesys.stations.models import Opinion


def login(client, user, password):
    response = client.post("/login", data={"login": user, "password": password})
    assert response.status_code == 302


@pytest.fixture
def opinion_id(logged_in, county):
    submit(logged_in, county["stations"]["north"], title='=HYPERLINK("x")')
    return db.session.scalar(select(Opinion.id))


def test_staff_register_and_move_an_opinion_through_the_desk(client, county):
    login(client, "staff_n", "staff-pass-n")
    north = county["stations"]["north"]
    page = client.get(f"/desk/stations/{north}")
    assert page.status_code == 200 and "<h1>北街代表联络站</h1>" in page.get_data(as_text=True)
    bad = client.post(
        f"/desk/stations/{north}/opinions/new",
        data={"title": "", "content": "x", "category": "water"},
    )
    assert bad.status_code == 422 and db.session.scalar(select(Opinion.id)) is None
    response = client.post(
        f"/desk/stations/{north}/opinions/new",
        data={
            "title": "村里自来水浑浊",
            "content": "最近一周自来水发黄。",
            "category": "water",
            "citizen_phone": PHONE,
            "deputies": ["D0001"],
            "received_on": "2026-11-20",
        },
    )
    assert response.status_code == 302
    oid = db.session.scalar(select(Opinion.id))
    page = client.get(f"/desk/opinions/{oid}").get_data(as_text=True)
    assert PHONE in page  # the holding station's staff see it whole
    code = db.session.scalar(select(Opinion.tracking_code))
    assert code[:4] in page  # and the tracking code, for the citizen's receipt
    client.post(f"/desk/opinions/{oid}/move", data={"to": "registered"})
    client.post(
        f"/desk/opinions/{oid}/move",
        data={"to": "handling", "route": "township_ordinary", "unit": "镇水务站"},
    )
    db.session.expire_all()
    assert db.session.get(Opinion, oid).status == "handling"
    refused = client.post(
        f"/desk/opinions/{oid}/move", data={"to": "archived"}, follow_redirects=True
    )
    assert "cannot move" in refused.get_data(as_text=True) or "不能" in refused.get_data(
        as_text=True
    )


def test_organisers_see_personal_data_masked(client, opinion_id):
    login(client, "organiser", "organiser-pass")
    page = client.get(f"/desk/opinions/{opinion_id}").get_data(as_text=True)
    assert PHONE not in page and NAME not in page
    assert "139****5678" in page
    assert db.session.scalar(select(Opinion.tracking_code))[:4] not in page


def test_other_stations_staff_cannot_open_it(client, opinion_id, county):
    login(client, "staff_s", "staff-pass-s")
    assert client.get(f"/desk/opinions/{opinion_id}").status_code == 403
    assert client.get(f"/desk/stations/{county['stations']['north']}").status_code == 403
    listing = client.get("/desk/opinions").get_data(as_text=True)
    assert "HYPERLINK" not in listing


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_carry_no_personal_data_and_no_formulas(client, opinion_id, fmt):
    login(client, "staff_n", "staff-pass-n")
    response = client.get(f"/desk/opinions/export.{fmt}")
    assert response.status_code == 200
    if fmt == "csv":
        text = response.get_data(as_text=True)
        assert text.startswith("\ufeff")
        cells = [c for line in text.splitlines() for c in line.split(",")]
    else:
        sheet = load_workbook(io.BytesIO(response.data)).active
        cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    blob = "\n".join(cells)
    assert PHONE not in blob and NAME not in blob
    code = db.session.scalar(select(Opinion.tracking_code))
    assert code not in blob
    assert any("HYPERLINK" in c for c in cells)
    assert not any(c.lstrip('"').startswith("=") for c in cells)


def test_every_desk_page_renders(client, opinion_id, county):
    """Each desk page shows what it is for: its heading, and the rows its filters keep."""
    login(client, "organiser", "organiser-pass")
    north, south, title = "北街代表联络站", "南湖代表工作室", "HYPERLINK"
    for url, heading, shown, hidden in (
        ("/desk/stations", "联络站", [north, south], []),
        (f"/desk/stations/{county['stations']['north']}", north, [north], [south]),
        ("/desk/opinions", '意见建议 <span class="muted">（1）</span>', [title], []),
        (
            "/desk/opinions?status=received&category=roads&overdue=1&q=路&page=2",
            '意见建议 <span class="muted">（0）</span>',
            [],
            [title],
        ),
        ("/desk/opinions?page=abc", '意见建议 <span class="muted">（1）</span>', [title], []),
        ("/desk/figures", "统计：测试区430212", [], []),
        (
            "/desk/figures?jurisdiction=430212&from=2026-01-01&to=2026-12-31",
            "统计：测试区430212",
            ["2026-01-01", "2026-12-31"],
            [],
        ),
        ("/desk/figures?from=nonsense", "统计：测试区430212", [], []),
    ):
        response = client.get(url)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert re.findall(r"<h1[^>]*>(.*?)</h1>", page, re.S) == [heading], url
        assert all(text in page for text in shown), url
        assert not any(text in page for text in hidden), url


def test_organisers_create_stations_and_merge_opinions(client, opinion_id, county):
    login(client, "organiser", "organiser-pass")
    response = client.post(
        "/desk/stations",
        data={
            "name": "东园楼宇联络站",
            "kind": "building",
            "jurisdiction": "430212",
            "reception_days": "5，15、25",
        },
    )
    assert response.status_code == 302
    response = client.post(
        "/desk/opinions/merge",
        data={
            "opinion": [str(opinion_id)],
            "into": "candidate",
            "session": str(county["session"]),
            "title": "北街路灯改造",
        },
        follow_redirects=True,
    )
    assert "北街路灯改造" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Opinion, opinion_id).candidate is not None


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_take_control_characters_an_older_row_holds(client, opinion_id, fmt):
    """Rows stored before control characters were refused at input still export."""
    opinion = db.session.get(Opinion, opinion_id)
    opinion.title = "路灯坏了\u0007\u001b[31m"
    db.session.commit()
    login(client, "staff_n", "staff-pass-n")
    response = client.get(f"/desk/opinions/export.{fmt}")
    assert response.status_code == 200
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(response.data)).active
        cells = [c.value for row in sheet.iter_rows() for c in row]
    else:
        cells = response.get_data(as_text=True).split(",")
    assert "路灯坏了[31m" in cells
