"""Item 19.3 and 19.5: photos with an opinion (at most three, re-encoded without EXIF, size
limited), the citizen's choice to publish it, the public's support (附议) once per browser,
staff hiding a published opinion; no name or phone on any public page or download."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image
from sqlalchemy import func, select

from tests.stations.conftest import NAME, PHONE, submit
from votesys.extensions import db
from votesys.integrity.models import AuditEntry
from votesys.stations.models import Opinion
from votesys.stations.publicity_models import OpinionPhoto, OpinionSupport

GPS_TAG = 0x8825


def jpeg(size=(64, 48), *, exif: bool = False, color=(200, 180, 40)) -> bytes:
    img = Image.new("RGB", size, color)
    out = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[0x010F] = "PhoneMaker"  # Make
        data[0x0110] = "Model X"  # Model
        data[0x013B] = "Li Xiuying"  # Artist
        data[GPS_TAG] = {1: "N", 2: (27.0, 40.0, 12.5)}
        img.save(out, "JPEG", exif=data)
    else:
        img.save(out, "JPEG")
    return out.getvalue()


def png(size) -> bytes:
    out = io.BytesIO()
    Image.new("L", size, 0).save(out, "PNG")
    return out.getvalue()


def multipart(client, station_id: int, photos, **fields):
    body = {
        "station": station_id,
        "title": "北街路灯坏了",
        "content": "北街12号到20号的路灯坏了三个月。",
        "category": "roads",
        "citizen_name": NAME,
        "citizen_phone": PHONE,
        **fields,
    }
    data = {"opinion": json.dumps(body, ensure_ascii=False)}
    data["photos"] = [(io.BytesIO(b), f"p{i}.jpg") for i, b in enumerate(photos)]
    return client.post("/api/v1/opinions", data=data, content_type="multipart/form-data")


def counts() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count(Opinion.id))),
        db.session.scalar(select(func.count(OpinionPhoto.id))),
    )


# --- photos ------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [0, 1, 3])
def test_zero_to_three_photos_are_kept(client, county, n):
    r = multipart(client, county["stations"]["north"], [jpeg() for _ in range(n)])
    assert r.status_code == 201, r.get_json()
    assert counts() == (1, n)


def test_a_fourth_photo_is_refused_and_nothing_is_stored(client, county):
    r = multipart(client, county["stations"]["north"], [jpeg() for _ in range(4)])
    assert r.status_code == 422
    body = r.get_json()
    assert body["field"] == "photos" and "3" in body["message"]
    assert counts() == (0, 0)


def test_exif_is_removed_from_the_stored_bytes(client, county):
    sent = jpeg(exif=True)
    assert b"Exif" in sent and b"PhoneMaker" in sent and b"Li Xiuying" in sent
    assert multipart(client, county["stations"]["north"], [sent]).status_code == 201
    stored = db.session.scalar(select(OpinionPhoto.data))
    assert b"Exif" not in stored and b"PhoneMaker" not in stored
    assert b"Li Xiuying" not in stored
    with Image.open(io.BytesIO(stored)) as img:
        assert img.format == "JPEG" and not img.getexif() and img.size == (64, 48)


def test_the_byte_limit_is_exact(app, client, county):
    photo = jpeg()
    app.config["PHOTO_MAX_BYTES"] = len(photo)
    assert multipart(client, county["stations"]["north"], [photo]).status_code == 201
    app.config["PHOTO_MAX_BYTES"] = len(photo) - 1
    r = multipart(client, county["stations"]["north"], [photo])
    assert r.status_code == 422 and r.get_json()["error"] == "photo_too_large"
    assert counts() == (1, 1)


def test_a_non_image_is_refused(client, county):
    r = multipart(client, county["stations"]["north"], [jpeg(), b"%PDF-1.4 not a photo"])
    assert r.status_code == 422
    assert r.get_json()["field"] == "photos[1]"
    assert counts() == (0, 0)


def test_a_huge_dimension_image_is_refused_from_its_header(client, county):
    bomb = png((5000, 5000))  # 25 megapixels in a few kilobytes
    assert len(bomb) < 100_000
    r = multipart(client, county["stations"]["north"], [bomb])
    assert r.status_code == 422 and r.get_json()["field"] == "photos[0]"
    assert "16" in r.get_json()["message"]  # the limit, in megapixels
    assert counts() == (0, 0)


def test_a_photos_part_that_is_not_a_file_and_bad_json_are_refused(client, county):
    r = client.post(
        "/api/v1/opinions",
        data={"opinion": json.dumps({"station": 1}), "photos": "text"},
        content_type="multipart/form-data",
    )
    assert r.status_code == 422 and r.get_json()["field"] == "photos"
    for bad in ("[1]", "{", '{"a": 1, "a": 2}'):
        r = client.post(
            "/api/v1/opinions", data={"opinion": bad}, content_type="multipart/form-data"
        )
        assert r.status_code == 400, bad
    assert counts() == (0, 0)


def test_the_public_form_takes_photos_and_publishes(client, county):
    north = county["stations"]["north"]
    page = client.get(f"/opinions/new?station={north}").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'name="photos"' in page
    r = client.post(
        "/opinions/new",
        data={
            "station": str(north),
            "category": "roads",
            "title": "北街路灯坏了",
            "content": "晚上一片漆黑。",
            "public": "y",
            "photos": [(io.BytesIO(jpeg()), "lamp.jpg"), (io.BytesIO(b""), "")],
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    opinion = db.session.scalar(select(Opinion))
    assert opinion.public and counts() == (1, 1)
    too_many = client.post(
        "/opinions/new",
        data={
            "station": str(north),
            "category": "roads",
            "title": "x",
            "content": "y",
            "photos": [(io.BytesIO(jpeg()), f"{i}.jpg") for i in range(4)],
        },
        content_type="multipart/form-data",
    )
    assert too_many.status_code == 422 and "photos-error1" in too_many.get_data(as_text=True)
    assert counts() == (1, 1)


# --- publication and support ----------------------------------------------------------


def published(api, county, **fields) -> int:
    r = submit(api, county["stations"]["north"], public=True, **fields)
    assert r.status_code == 201, r.get_json()
    return db.session.scalar(select(Opinion.id).order_by(Opinion.id.desc()))


def test_publishing_is_a_yes_or_no(api, county):
    r = submit(api, county["stations"]["north"], public="yes")
    assert r.status_code == 422 and r.get_json()["field"] == "public"
    assert submit(api, county["stations"]["north"]).status_code == 201
    assert db.session.scalar(select(Opinion.public)) is False  # off unless chosen


def test_support_once_per_browser_and_counts_across_browsers(app, api, county):
    oid = published(api, county)
    first = app.test_client()
    r = first.post(f"/api/v1/opinions/{oid}/support")
    assert r.status_code == 201 and r.get_json()["supports"] == 1
    assert "votesys_browser=" in r.headers["Set-Cookie"]
    assert "HttpOnly" in r.headers["Set-Cookie"]
    again = first.post(f"/api/v1/opinions/{oid}/support")
    assert again.status_code == 409 and again.get_json()["error"] == "already_supported"
    second = app.test_client()
    assert second.post(f"/api/v1/opinions/{oid}/support").get_json()["supports"] == 2
    assert db.session.scalar(select(func.count(OpinionSupport.id))) == 2
    stored = db.session.scalars(select(OpinionSupport.browser_hash)).all()
    assert all(len(h) == 64 for h in stored)  # a keyed hash, never the cookie itself
    public = app.test_client().get(f"/api/v1/public/opinions/{oid}").get_json()
    assert public["supports"] == 2


def test_a_forged_cookie_is_replaced_and_a_cross_site_request_refused(app, api, county):
    oid = published(api, county)
    c = app.test_client()
    c.set_cookie("votesys_browser", "x", path="/api/v1/opinions/")
    r = c.post(f"/api/v1/opinions/{oid}/support")
    assert r.status_code == 201 and "votesys_browser=" in r.headers["Set-Cookie"]
    r = app.test_client().post(
        f"/api/v1/opinions/{oid}/support", headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert r.status_code == 403


def test_support_is_rate_limited_per_address(app, api, county):
    app.config["SUPPORT_RATE_LIMIT"] = "3 per minute"
    oid = published(api, county)
    answers = [app.test_client().post(f"/api/v1/opinions/{oid}/support") for _ in range(4)]
    assert [a.status_code for a in answers] == [201, 201, 201, 429]
    assert db.session.scalar(select(func.count(OpinionSupport.id))) == 3


def test_unpublished_unknown_and_hidden_opinions_cannot_be_supported(app, client, api, county):
    assert submit(api, county["stations"]["north"]).status_code == 201
    private = db.session.scalar(select(Opinion.id))
    assert client.post(f"/api/v1/opinions/{private}/support").status_code == 404
    assert client.post("/api/v1/opinions/999999/support").status_code == 404
    assert client.get(f"/opinions/public/{private}").status_code == 404
    oid = published(api, county)
    client.post("/login", data={"login": "staff_n", "password": "staff-pass-n"})
    r = client.post(f"/desk/opinions/{oid}/visibility", data={"action": "hide", "reason": "辱骂"})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Opinion, oid).hidden_at is not None
    entry = db.session.scalar(select(AuditEntry).order_by(AuditEntry.seq.desc()))
    assert entry.action == "opinion_hidden" and entry.object == f"opinion:{oid}"
    other = app.test_client()
    assert other.post(f"/api/v1/opinions/{oid}/support").status_code == 404
    assert other.get(f"/opinions/public/{oid}").status_code == 404
    assert other.get(f"/api/v1/public/opinions/{oid}").status_code == 404
    assert str(oid) not in str(other.get("/api/v1/public/opinions").get_json())
    client.post(f"/desk/opinions/{oid}/visibility", data={"action": "show"})
    db.session.expire_all()
    assert db.session.get(Opinion, oid).hidden_at is None
    assert other.post(f"/api/v1/opinions/{oid}/support").status_code == 201


def test_hiding_needs_a_reason_and_a_published_opinion(client, api, county):
    oid = published(api, county)
    client.post("/login", data={"login": "staff_n", "password": "staff-pass-n"})
    client.post(f"/desk/opinions/{oid}/visibility", data={"action": "hide", "reason": ""})
    db.session.expire_all()
    assert db.session.get(Opinion, oid).hidden_at is None
    assert submit(api, county["stations"]["north"]).status_code == 201
    private = db.session.scalar(select(Opinion.id).order_by(Opinion.id.desc()))
    client.post(f"/desk/opinions/{private}/visibility", data={"action": "hide", "reason": "x"})
    db.session.expire_all()
    assert db.session.get(Opinion, private).hidden_at is None
    # staff of another station may not hide it
    c2 = client.application.test_client()
    c2.post("/login", data={"login": "staff_s", "password": "staff-pass-s"})
    r = c2.post(f"/desk/opinions/{oid}/visibility", data={"action": "hide", "reason": "x"})
    assert r.status_code == 403


def test_no_name_or_phone_on_any_public_page_or_download(app, api, county):
    oid = published(
        api,
        county,
        content="请联系我 139 1234 5678，或者座机0731-22334455。",
        place="北街12号",
    )
    c = app.test_client()
    photo_oid = multipart(c, county["stations"]["north"], [jpeg()], public=True)
    assert photo_oid.status_code == 201
    pages = [
        "/opinions/public",
        "/opinions/public?sort=support",
        f"/opinions/public/{oid}",
        "/api/v1/public/opinions",
        "/api/v1/public/opinions?sort=support",
        f"/api/v1/public/opinions/{oid}",
    ]
    for url in pages:
        r = c.get(url)
        assert r.status_code == 200, url
        text = r.get_data(as_text=True)
        assert NAME not in text and PHONE not in text, url
        assert "139 1234 5678" not in text and "22334455" not in text, url
    assert "北街12号" in c.get(f"/opinions/public/{oid}").get_data(as_text=True)


def test_photos_are_staff_only_until_published(app, client, county):
    north = county["stations"]["north"]
    assert multipart(client, north, [jpeg()]).status_code == 201
    oid, pid = db.session.execute(select(OpinionPhoto.opinion_id, OpinionPhoto.id)).one()
    anon = app.test_client()
    assert anon.get(f"/opinions/public/{oid}/photos/{pid}").status_code == 404
    staff = app.test_client()
    staff.post("/login", data={"login": "staff_n", "password": "staff-pass-n"})
    r = staff.get(f"/desk/opinions/{oid}/photos/{pid}")
    assert r.status_code == 200 and r.mimetype == "image/jpeg"
    assert f"/desk/opinions/{oid}/photos/{pid}" in staff.get(f"/desk/opinions/{oid}").get_data(
        as_text=True
    )
    other = app.test_client()
    other.post("/login", data={"login": "staff_s", "password": "staff-pass-s"})
    assert other.get(f"/desk/opinions/{oid}/photos/{pid}").status_code == 403
    db.session.get(Opinion, oid).public = True
    db.session.commit()
    r = anon.get(f"/opinions/public/{oid}/photos/{pid}")
    assert r.status_code == 200 and r.data == db.session.get(OpinionPhoto, pid).data
    assert anon.get(f"/opinions/public/{oid}/photos/{pid + 1}").status_code == 404


def test_the_desk_sorts_by_support_and_says_it_is_not_a_vote(app, client, api, county):
    quiet = published(api, county, title="安静的意见")
    loud = published(api, county, title="热门的意见")
    for _ in range(3):
        app.test_client().post(f"/api/v1/opinions/{loud}/support")
    app.test_client().post(f"/api/v1/opinions/{quiet}/support")
    client.post("/login", data={"login": "organiser", "password": "organiser-pass"})
    page = client.get("/desk/opinions?sort=support").get_data(as_text=True)
    assert page.index("热门的意见") < page.index("安静的意见")
    assert 'id="support-note"' in page
    newest = client.get("/desk/opinions").get_data(as_text=True)
    assert newest.index("热门的意见") < newest.index("安静的意见")  # newest first anyway
    assert 'id="desk-supports">3<' in client.get(f"/desk/opinions/{loud}").get_data(as_text=True)
    public = app.test_client().get("/opinions/public?sort=support").get_data(as_text=True)
    assert public.index("热门的意见") < public.index("安静的意见")
    listing = app.test_client().get("/api/v1/public/opinions?sort=support").get_json()
    assert [o["supports"] for o in listing["opinions"]] == [3, 1]


@pytest.mark.parametrize("query", ["sort=best", "page=0", "page=x"])
def test_bad_list_parameters_are_refused_by_the_api(client, county, query):
    r = client.get(f"/api/v1/public/opinions?{query}")
    assert r.status_code == 422 and r.get_json()["message"]
    assert client.get(f"/opinions/public?{query}").status_code == 200  # the page is lenient
