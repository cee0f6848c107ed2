"""A progress report's date and photos are bounded: no report dated after today (it would
hold the project's state), no photo of more pixels than the limit (it would be decoded
into gigabytes)."""

from __future__ import annotations

import io
import json
import re
import struct
import zlib

import pytest
from PIL import Image

from votesys.extensions import db
from votesys.projects.models import Photo, Project, Report

TODAY = "2026-06-30"


@pytest.fixture
def app(app):
    app.config["VOTESYS_TODAY"] = TODAY
    return app


def _report(**extra):
    return {"reported_on": "2026-05-01", "status": "in_progress", "progress": 40} | extra


def _count(model) -> int:
    return db.session.scalar(db.select(db.func.count(model.id)))


@pytest.mark.parametrize("day", ["2026-07-01", "9999-12-31"])
def test_a_report_dated_after_today_is_refused(tree, api, day):
    api.login("renshe", "unit-pass-1")
    response = api.post(
        f"/api/v1/projects/{tree['district']}/reports", _report(reported_on=day), as_="renshe"
    )
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    assert body["field"] == "reported_on" and body["message"]
    assert _count(Report) == 0


def test_the_state_follows_the_latest_report_by_date_then_entry(tree, api, client):
    api.login("renshe", "unit-pass-1")
    url = f"/api/v1/projects/{tree['district']}/reports"
    today = api.post(url, _report(reported_on=TODAY, progress=50), as_="renshe")
    assert today.status_code == 201, today.get_json()
    assert api.post(url, _report(reported_on="2026-05-01", progress=20), as_="renshe").status_code
    # A second report of the same day, entered later, is the state.
    assert api.post(url, _report(reported_on=TODAY, progress=60), as_="renshe").status_code == 201
    detail = client.get(f"/api/v1/projects/{tree['district']}").get_json()
    assert detail["progress"] == 60
    assert [r["progress"] for r in detail["reports"]] == [60, 50, 20]


def test_the_report_form_refuses_a_date_after_today(tree, client):
    client.post("/login", data={"login": "renshe", "password": "unit-pass-1"})
    pid = tree["district"]
    form = {"reported_on": "9999-12-31", "status": "in_progress", "progress": "45"}
    assert client.post(f"/desk/projects/{pid}/reports", data=form).status_code == 302
    page = client.get(f"/desk/projects/{pid}").get_data(as_text=True)
    flash = re.search(r'class="flash error"[^>]*>([^<]*)', page)
    # named by its label, not its internal name (reported_on)
    assert flash and "报告日期" in flash[1] and "不能晚于今天" in flash[1]
    assert "reported_on" not in flash[1]
    assert _count(Report) == 0
    assert db.session.get(Project, pid).progress == 0
    saved = client.post(f"/desk/projects/{pid}/reports", data=form | {"reported_on": TODAY})
    assert saved.status_code == 302 and _count(Report) == 1


def _bilevel_png(width: int, height: int) -> bytes:
    """A valid 1-bit PNG, all black, of any size: a few KB for millions of pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    row = b"\0" * (1 + (width + 7) // 8)  # filter byte 0, then the row's bits
    pixels = zlib.compress(row * height, 9)
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _post_photos(api, pid, photos):
    return api.client.post(
        f"/api/v1/projects/{pid}/reports?lang=en",
        data={
            "report": json.dumps(_report()),
            "photos": [(io.BytesIO(p), f"p{i}.png") for i, p in enumerate(photos)],
        },
        headers={"Authorization": f"Bearer {api.tokens['renshe']}"},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize("size", [(9400, 9400), (4001, 4000), (20000, 20000)])
def test_a_photo_of_too_many_pixels_is_refused_unread(tree, api, size):
    """88 megapixels in a few KB (under Pillow's own limit), just over 4000 × 4000, and far
    over Pillow's limit: each refused with the same message, nothing stored."""
    small = _bilevel_png(*size)
    assert len(small) < 1024 * 1024
    api.login("renshe", "unit-pass-1")
    response = _post_photos(api, tree["district"], [_bilevel_png(64, 48), small])
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    assert body["field"] == "photos[1]"
    assert "more than 16 megapixels" in body["message"]
    assert _count(Report) == 0 and _count(Photo) == 0


def test_a_photo_at_the_limit_is_taken_and_scaled_down(tree, api):
    api.login("renshe", "unit-pass-1")
    response = _post_photos(api, tree["district"], [_bilevel_png(4000, 4000)])
    assert response.status_code == 201, response.get_json()
    photo = db.session.scalar(db.select(Photo))
    assert (photo.width, photo.height) == (2000, 2000)
    assert Image.open(io.BytesIO(photo.data)).size == (2000, 2000)
