"""A citizen on a phone (390×844) who sent a photo with a published opinion deletes the photo
and takes the opinion off the public site, each after its own confirm step, by tracking
code (issue 19, item 7)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.checks import layout_problems
from tests.factories import build_scenario
from tests.stations.test_publicity import jpeg
from votesys import scenario
from votesys.extensions import db

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
SHOTS = Path("/tmp/shots/R2")


@pytest.fixture
def site(live_app):
    live_app.config["OPINION_RATE_LIMIT"] = "1000 per hour"
    with live_app.app_context():
        data = build_scenario(deputies=3)
        data["stations"] = [
            {"key": "north", "name": "北街代表联络站", "kind": "station", "deputies": ["D0001"]}
        ]
        scenario.load(data)
        db.session.commit()
    return live_app


def test_a_citizen_deletes_their_photo_and_withdraws_publication(browser, site, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = site.config["LIVE_URL"]
    photo = tmp_path / "lamp.jpg"
    photo.write_bytes(jpeg())
    page = browser.new_context(**PHONE).new_page()
    page.goto(f"{base}/opinions/new")
    page.select_option("#station", index=1)
    page.select_option("#category", "roads")
    page.fill("#title", "北街路灯坏了")
    page.fill("#content", "北街12号到20号的路灯坏了三个月。")
    page.set_input_files("#photos", str(photo))
    page.check("#public")
    page.click("button.primary")
    track_url = page.url.split("?")[0]

    page.click("#delete-photos")
    page.locator("#photos").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "phone-delete-photos.png"))
    assert layout_problems(page) == []
    page.click("#delete-photos-now")  # not ticked: nothing deleted
    assert page.locator(".flash.error").count() == 1
    page.check("#confirm-photos")
    page.click("#delete-photos-now")
    assert page.locator(".flash.ok").count() == 1
    assert page.locator("#delete-photos").count() == 0

    page.click("#withdraw-publication")
    page.check("#confirm-publication")
    page.click("#withdraw-now")
    assert page.locator(".flash.ok").count() == 1
    assert page.locator("#withdraw-publication").count() == 0
    assert page.url.split("?")[0] == track_url
