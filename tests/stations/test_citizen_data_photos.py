"""What votesys holds about a citizen, by tracking code, includes their opinion's photos
(described, not inline), whether it is published or hidden and its supports; and the citizen
deletes the photos at once (they may show faces), audited, without the images."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from tests.stations.conftest import NAME, PHONE
from tests.stations.test_publicity import jpeg, multipart
from votesys.extensions import db
from votesys.integrity.models import AuditEntry
from votesys.stations.models import Opinion
from votesys.stations.publicity_models import OpinionPhoto


def _with_photos(client, county, n=2) -> Opinion:
    r = multipart(client, county["stations"]["north"], [jpeg() for _ in range(n)], public=True)
    assert r.status_code == 201, r.get_json()
    return db.session.scalar(select(Opinion).order_by(Opinion.id.desc()))


def test_the_data_include_photos_publication_and_supports(app, client, county):
    opinion = _with_photos(client, county)
    app.test_client().post(f"/api/v1/opinions/{opinion.id}/support")
    data = client.get(f"/api/v1/opinions/track/{opinion.tracking_code}/data").get_json()
    assert len(data["photos"]) == 2
    first = data["photos"][0]
    assert first["mime"] == "image/jpeg" and (first["width"], first["height"]) == (64, 48)
    assert first["bytes"] > 0 and first["received_on"] == opinion.received_on.isoformat()
    assert "data" not in first  # described, never the bytes inline
    assert data["publication"] == {
        "public": True,
        "hidden": False,
        "hidden_on": None,
        "hidden_reason": None,
        "supports": 1,
    }
    assert data["opinion"]["addressed_to"] == []
    assert "campaign" in data["opinion"]  # screening and feasibility, when in a campaign


def test_a_citizen_deletes_their_photos_at_once(app, client, county):
    opinion = _with_photos(client, county)
    code = opinion.tracking_code
    [first, _] = db.session.scalars(select(OpinionPhoto.id).order_by(OpinionPhoto.id)).all()
    public_photo = f"/opinions/public/{opinion.id}/photos/{first}"
    assert app.test_client().get(public_photo).status_code == 200
    r = client.delete(f"/api/v1/opinions/track/{code}/photos")
    assert r.status_code == 200 and r.get_json() == {"photos": [], "erased": 2}
    assert r.headers["Cache-Control"] == "no-store"
    assert db.session.scalar(select(func.count(OpinionPhoto.id))) == 0
    assert app.test_client().get(public_photo).status_code == 404
    data = client.get(f"/api/v1/opinions/track/{code}/data").get_json()
    assert data["photos"] == [] and data["contact"] == {"name": NAME, "phone": PHONE}
    [entry] = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "opinion_photos_erased")
    ).all()
    assert entry.actor == "citizen" and entry.object == f"opinion:{opinion.id}"
    assert json.loads(entry.details) == {"photos": 2}
    # Again: 200, nothing more in the audit chain.
    again = client.delete(f"/api/v1/opinions/track/{code}/photos")
    assert again.status_code == 200 and again.get_json() == {"photos": [], "erased": 0}
    erasures = select(AuditEntry).where(AuditEntry.action == "opinion_photos_erased")
    assert len(db.session.scalars(erasures).all()) == 1


def test_unknown_codes_get_404_for_photos_too(client, county):
    for code in ("0000-00000-0000", "not-a-code", "%00"):
        assert client.delete(f"/api/v1/opinions/track/{code}/photos").status_code == 404


def test_the_tracking_page_deletes_the_photos_after_a_confirm_step_with_csrf(app, client, county):
    opinion = _with_photos(client, county)
    code = opinion.tracking_code
    browser = app.test_client()
    assert 'id="delete-photos"' in browser.get(f"/track/{code}").get_data(as_text=True)
    confirm = browser.get(f"/track/{code}/contact").get_data(as_text=True)
    assert 'id="confirm-photos"' in confirm and 'id="photos"' in confirm
    browser.post(f"/track/{code}/photos", data={})  # not ticked: nothing deleted
    assert db.session.scalar(select(func.count(OpinionPhoto.id))) == 2
    app.config["WTF_CSRF_ENABLED"] = True
    forged = browser.post(f"/track/{code}/photos", data={"confirm": "y"})
    assert forged.status_code in (302, 400)
    assert db.session.scalar(select(func.count(OpinionPhoto.id))) == 2
    app.config["WTF_CSRF_ENABLED"] = False
    done = browser.post(f"/track/{code}/photos", data={"confirm": "y"}, follow_redirects=True)
    assert done.status_code == 200 and 'id="delete-photos"' not in done.get_data(as_text=True)
    assert db.session.scalar(select(func.count(OpinionPhoto.id))) == 0
    # The contact details stay: deleting photos is its own choice.
    db.session.expire_all()
    assert opinion.citizen_phone_enc is not None


def test_a_citizen_takes_their_opinion_off_the_public_site(app, client, county):
    opinion = _with_photos(client, county, n=1)
    code = opinion.tracking_code
    public = f"/api/v1/public/opinions/{opinion.id}"
    assert app.test_client().get(public).status_code == 200
    r = client.delete(f"/api/v1/opinions/track/{code}/publication")
    assert r.status_code == 200 and r.get_json() == {"public": False, "withdrawn": True}
    assert r.headers["Cache-Control"] == "no-store"
    assert app.test_client().get(public).status_code == 404
    assert app.test_client().post(f"/api/v1/opinions/{opinion.id}/support").status_code == 404
    data = client.get(f"/api/v1/opinions/track/{code}/data").get_json()
    assert data["publication"]["public"] is False
    [entry] = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "opinion_unpublished")
    ).all()
    assert entry.actor == "citizen" and entry.object == f"opinion:{opinion.id}"
    again = client.delete(f"/api/v1/opinions/track/{code}/publication")
    assert again.get_json() == {"public": False, "withdrawn": False}


def test_the_tracking_page_withdraws_publication_after_a_confirm_step(app, client, county):
    opinion = _with_photos(client, county, n=0)
    code = opinion.tracking_code
    browser = app.test_client()
    assert 'id="withdraw-publication"' in browser.get(f"/track/{code}").get_data(as_text=True)
    assert 'id="confirm-publication"' in browser.get(f"/track/{code}/contact").get_data(
        as_text=True
    )
    browser.post(f"/track/{code}/publication", data={})  # not ticked: nothing changes
    db.session.expire_all()
    assert opinion.public is True
    done = browser.post(f"/track/{code}/publication", data={"confirm": "y"}, follow_redirects=True)
    assert 'id="withdraw-publication"' not in done.get_data(as_text=True)
    db.session.expire_all()
    assert opinion.public is False
