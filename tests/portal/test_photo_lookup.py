"""A report's photo is served under its own project only: by ref on the portal (one SQL
statement), by id in the API (two: the project, then the photo)."""

from __future__ import annotations

from tests.portal.conftest import counting
from tests.portal.query_world import world
from votesys.extensions import db
from votesys.projects.models import Photo


def test_a_photo_is_served_under_its_own_project_only(app, client):
    first, second = world(1, "A"), world(1, "B")
    assert first["project_id"] != second["project_id"]
    for ids in (first, second):
        stored = db.session.get(Photo, ids["photo_id"]).data
        page = f"/projects/{ids['ref']}/photos/{ids['photo_id']}"
        api = f"/api/v1/projects/{ids['project_id']}/photos/{ids['photo_id']}"
        for url, statements in ((page, 1), (api, 2)):
            with counting() as seen:
                r = client.get(url)
            assert (r.status_code, r.mimetype, r.data) == (200, "image/png", stored), url
            assert len(seen) == statements, (url, seen)
    for ref, project_id, photo_id in (
        (first["ref"], first["project_id"], second["photo_id"]),  # another project's photo
        (second["ref"], second["project_id"], first["photo_id"]),
        (first["ref"], first["project_id"], 10**9),  # no such photo
    ):
        assert client.get(f"/projects/{ref}/photos/{photo_id}").status_code == 404
        assert client.get(f"/api/v1/projects/{project_id}/photos/{photo_id}").status_code == 404
    assert client.get(f"/projects/no-such-ref/photos/{first['photo_id']}").status_code == 404
    assert client.get(f"/api/v1/projects/{10**9}/photos/{first['photo_id']}").status_code == 404
