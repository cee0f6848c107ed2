"""The demo's published opinions (items 19.3 and 19.5) on the public site: reached from the
site's menu, with their photo and support, and nothing personal on any page, photo or
download the crawl of the whole public site reaches (names, phones, tracking codes)."""

from __future__ import annotations

from sqlalchemy import select

from tests.portal.test_no_personal_data import crawl, secrets
from votesys.extensions import db
from votesys.stations.models import Opinion


def test_published_opinions_leak_nothing_personal(client, demo):
    forbidden = secrets()
    published = db.session.scalars(select(Opinion.id).where(Opinion.public.is_(True))).all()
    assert len(published) == 2
    seen, leaks = crawl(client, forbidden)
    assert not leaks, leaks[:10]
    assert "/opinions/public" in seen
    assert {f"/opinions/public/{i}" for i in published} <= seen
    assert any("/photos/" in u and u.startswith("/opinions/public/") for u in seen)
    listing = client.get("/api/v1/public/opinions?sort=support").get_json()
    assert [o["supports"] for o in listing["opinions"]] == [37, 12]
    assert listing["opinions"][0]["photos"]
